import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../harness/cluster/cluster.js'
import { clusterSpec, serverProperties, specFromEnv } from '../../harness/cluster/config.js'
import { containerNode, containerServerProperties, toxiproxyProxies } from '../../harness/cluster/containers/wiring.js'
import { LinesExhaustedError } from '../../harness/cluster/lines.js'
import { nativeLayout, nativePortCount } from '../../harness/cluster/native.js'
import type { ClusterDescriptor, NodeControl } from '../../harness/cluster/types.js'
import { ConfigError } from '../../harness/errors.js'
import { ClientLine } from '../../harness/faults/index.js'

/**
 * Client lines without a socket hook: each node gets listeners LINE1..LINEn, each advertised at
 * a Toxiproxy proxy of its own, and a line is one listener index across the nodes. Here, the
 * wiring as text and data, and who holds which line; tests/cluster/client-line.test.ts shows it
 * on the real cluster.
 */
const propertiesOf = (text: string): Record<string, string> =>
  Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

/** Ports 20000, 20001, … in the order the native provider takes them. */
const nativePorts = (nodes: number, lines: number) => Array.from({ length: nativePortCount(nodes, lines) }, (_, i) => 20_000 + i)

describe('the wiring of client lines', () => {
  test('native: each line listener binds its own port and advertises its own proxy, with one network thread', () => {
    const { nodes } = nativeLayout('/run', 3, 2, nativePorts(3, 2))
    const node = nodes[1]!
    const props = propertiesOf(serverProperties({ id: 2, listen: node.ports, proxied: { client: 1, replication: 2, controller: 3, lines: node.lines.map((l) => Number(l.listen.split(':')[1])) }, voters: '', dataDir: '/d', extra: {} }))
    const [l1, l2] = node.lines
    expect(props.listeners).toBe(`CLIENT://127.0.0.1:${node.ports.client},REPLICATION://127.0.0.1:${node.ports.replication},CONTROLLER://127.0.0.1:${node.ports.controller},LINE1://${l1?.upstream},LINE2://${l2?.upstream}`)
    expect(props['advertised.listeners']).toBe(`CLIENT://127.0.0.1:1,REPLICATION://127.0.0.1:2,LINE1://${l1?.listen},LINE2://${l2?.listen}`)
    expect(props['listener.security.protocol.map']).toBe('CLIENT:PLAINTEXT,REPLICATION:PLAINTEXT,CONTROLLER:PLAINTEXT,LINE1:PLAINTEXT,LINE2:PLAINTEXT')
    expect(props['listener.name.line1.num.network.threads']).toBe('1')
    expect(props['listener.name.line2.num.network.threads']).toBe('1')
    expect(props['num.network.threads']).toBe('2')
  })

  test('native: line k of node n is proxy kafka-n-line-k, every port distinct', () => {
    const { apiPort, nodes } = nativeLayout('/run', 3, 2, nativePorts(3, 2))
    expect(nodes.map((n) => n.lines.map((l) => l.name))).toEqual([
      ['kafka-1-line-1', 'kafka-1-line-2'],
      ['kafka-2-line-1', 'kafka-2-line-2'],
      ['kafka-3-line-1', 'kafka-3-line-2'],
    ])
    const all = [apiPort, ...nodes.flatMap((n) => [...Object.values(n.proxies).flatMap((p) => [p.listen, p.upstream]), ...n.lines.flatMap((l) => [l.listen, l.upstream])])]
    expect(new Set(all).size).toBe(nativePortCount(3, 2))
    for (const n of nodes) expect(n.lines.map((l) => l.upstream)).toEqual(n.ports.lines.map((p) => `127.0.0.1:${p}`))
  })

  test('containers: a line listener binds in the broker, is advertised at its proxy’s published host port, and Toxiproxy dials it by the broker’s alias', () => {
    const published = (port: number) => `127.0.0.1:${port + 30_000}`
    const node = containerNode('/run', 3, 2, published)
    expect(node.lines).toEqual([
      { name: 'kafka-3-line-1', listen: '127.0.0.1:49203', upstream: 'kafka-3:9095' },
      { name: 'kafka-3-line-2', listen: '127.0.0.1:49213', upstream: 'kafka-3:9096' },
    ])
    const props = propertiesOf(containerServerProperties({ id: 3, nodes: 3, clientAddress: node.proxies.client.listen, lineAddresses: node.lines.map((l) => l.listen) }))
    expect(props.listeners).toBe('CLIENT://0.0.0.0:9092,REPLICATION://0.0.0.0:9093,CONTROLLER://0.0.0.0:9094,LINE1://0.0.0.0:9095,LINE2://0.0.0.0:9096')
    expect(props['advertised.listeners']).toBe('CLIENT://127.0.0.1:49094,REPLICATION://toxiproxy:29094,LINE1://127.0.0.1:49203,LINE2://127.0.0.1:49213')
    expect(props['listener.security.protocol.map']).toContain('LINE2:PLAINTEXT')
    const lineProxies = toxiproxyProxies(3, 2).filter((p) => p.name.startsWith('kafka-3-line'))
    expect(lineProxies).toEqual([
      { name: 'kafka-3-line-1', listen: '0.0.0.0:19203', upstream: 'kafka-3:9095', enabled: false },
      { name: 'kafka-3-line-2', listen: '0.0.0.0:19213', upstream: 'kafka-3:9096', enabled: false },
    ])
  })

  test('without lines (docker-compose.yml) nothing of them is configured', () => {
    const props = propertiesOf(containerServerProperties({ id: 1, nodes: 3, clientAddress: 'localhost:19092' }))
    expect(Object.keys(props).filter((k) => /line/i.test(k) || /LINE/.test(props[k] ?? ''))).toEqual([])
    expect(toxiproxyProxies(3).some((p) => p.name.includes('line'))).toBe(false)
  })

  test('the number of lines is validated, from the spec and the environment', () => {
    expect(clusterSpec().lines).toBe(2)
    expect(clusterSpec({ lines: 0 }).lines).toBe(0)
    expect(() => clusterSpec({ lines: 9 })).toThrow(ConfigError)
    expect(() => clusterSpec({ lines: 1.5 })).toThrow(/lines: must be an integer from 0 to 8/)
    expect(specFromEnv({ KAFKA_DURABILITY_LINES: '4' })).toEqual({ lines: 4 })
    expect(() => specFromEnv({ KAFKA_DURABILITY_LINES: 'many' })).toThrow(/KAFKA_DURABILITY_LINES: must be an integer from 0 to 8/)
    expect(() => clusterSpec({ brokerConfig: { 'listener.security.protocol.map': 'CLIENT:SSL' } })).toThrow(/set by the harness/)
  })
})

describe('who holds which line: claim files in the run folder, seen by every process of the run', () => {
  let runDir: string
  afterEach(() => rmSync(runDir, { recursive: true, force: true }))

  let descriptor: ClusterDescriptor
  /** A cluster's line slots over a real run folder; nothing here talks to Toxiproxy. */
  function slots(lines: number) {
    runDir = mkdtempSync(join(tmpdir(), 'kd-lines-'))
    descriptor = { provider: 'native', runDir, toxiproxyApi: 'http://127.0.0.1:1', bootstrap: [], nodes: nativeLayout(runDir, 3, lines, nativePorts(3, lines)).nodes } as unknown as ClusterDescriptor
    return new Cluster(descriptor, {} as NodeControl).lines
  }

  test('a line is its listener index on every node; claims take the first free index; a release gives it back', () => {
    const s = slots(2)
    expect(s.claim('a')).toBe(1)
    expect(s.claim('b')).toBe(2)
    s.release(1, 'a')
    expect(s.claim('c')).toBe(1)
    expect(s.bootstrap(2)).toEqual(descriptor.nodes.map((n) => n.lines[1]?.listen))
    expect([...s.claims().values()].map((c) => c.line)).toEqual(['c', 'b'])
  })

  test('all held: the error names each holder and the fix', () => {
    const s = slots(2)
    s.claim('payment-service')
    s.claim('gate-answers')
    const err = (() => {
      try {
        s.claim('one-too-many')
      } catch (e) {
        return e
      }
    })()
    expect(err).toBeInstanceOf(LinesExhaustedError)
    expect((err as Error).message).toMatch(
      new RegExp(`all 2 client lines of this cluster are held \\(line 1: payment-service \\(pid ${process.pid}, since .*\\), line 2: gate-answers .*\\)\\. Fix: close lines no longer in use \\(ClientLine.close\\(\\)\\).*clusterSpec\\(\\{ lines: N \\}\\) or KAFKA_DURABILITY_LINES=N`),
    )
    expect(() => slots(0).claim('x')).toThrow(/started without client lines \(lines: 0\)\. Fix: /)
  })

  test('a line held by another live process is skipped; once that process is gone, its line is taken over', async () => {
    const s = slots(2)
    const other = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', `
      import { Cluster } from './harness/cluster/cluster.js'
      const d = JSON.parse(process.argv[1])
      console.log('claimed', new Cluster(d, {}).lines.claim('other-process'))
      setInterval(() => {}, 1 << 30)
    `, JSON.stringify(descriptor)], { stdio: ['ignore', 'pipe', 'inherit'] })
    const exited = new Promise((r) => other.once('exit', r))
    try {
      const [line] = await new Promise<string[]>((resolve) => createInterface({ input: other.stdout }).once('line', (l) => resolve([l])))
      expect(line).toBe('claimed 1')
      expect(s.claim('mine')).toBe(2)
      expect(() => s.claim('third')).toThrow(/line 1: other-process \(pid \d+/)
    } finally {
      other.kill('SIGKILL')
      await exited
    }
    expect(s.claim('after')).toBe(1)
  })

  test('a bad line name is a typed error, before anything is claimed', async () => {
    const s = slots(1)
    const cluster = { lines: s } as unknown as Cluster
    await expect(ClientLine.open(cluster, 'Payment Service')).rejects.toThrow(ConfigError)
    expect(s.claims().size).toBe(0)
  })
})
