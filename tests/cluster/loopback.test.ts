/**
 * Nothing the run opens listens beyond loopback. Toxiproxy's API has no authentication and can
 * open a proxy to any address this machine reaches, so a port of the run reachable from the
 * network lends the machine to anyone on it. Checked on the real sockets (/proc/net/tcp and
 * tcp6 of this network namespace) while the cluster runs, and by dialling every port from each of
 * this machine's other addresses. Both providers: natively every socket the run's processes
 * listen on; with containers the host ports it publishes (the container engine holds them).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { connect } from 'node:net'
import { networkInterfaces } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { ClientLine } from '../../harness/faults/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

interface Listener { address: string; port: number; inode: string }

/** The listening TCP sockets of this network namespace. */
function listeners(): Listener[] {
  return ['tcp', 'tcp6'].flatMap((family) =>
    readFileSync(`/proc/net/${family}`, 'utf8').trim().split('\n').slice(1).map((line) => line.trim().split(/\s+/))
      .filter((columns) => columns[3] === '0A') // TCP_LISTEN
      .map((columns) => {
        const [hex, port] = columns[1]!.split(':') as [string, string]
        return { address: address(hex), port: parseInt(port, 16), inode: columns[9]! }
      }))
}

/** /proc/net's hex address: IPv4 one little-endian word, IPv6 four. */
function address(hex: string): string {
  const words = hex.toLowerCase().match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''))
  const ipv4 = (w: string) => w.match(/../g)!.map((b) => parseInt(b, 16)).join('.')
  if (words.length === 1) return ipv4(words[0]!)
  if (words.slice(0, 3).join('') === '00000000000000000000ffff') return `::ffff:${ipv4(words[3]!)}` // IPv4-mapped (a JVM's sockets)
  return new URL(`http://[${words.join('').match(/.{4}/g)!.join(':')}]/`).hostname.slice(1, -1)
}

const isLoopback = (a: string): boolean => a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.')

/** Socket inodes a process holds open. */
function socketsOf(pid: number): Set<string> {
  const dir = `/proc/${pid}/fd`
  return new Set(readdirSync(dir).map((fd) => { try { return readlinkSync(join(dir, fd)) } catch { return '' } }).flatMap((l) => /^socket:\[(\d+)\]$/.exec(l)?.[1] ?? []))
}

const portOf = (hostPort: string): number => Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))

/** Whether a TCP connection to host:port opens within a second (refused, unreachable or silent: no). */
function opens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1_000 })
    const done = (open: boolean) => { socket.destroy(); resolve(open) }
    socket.once('connect', () => done(true)).once('error', () => done(false)).once('timeout', () => done(false))
  })
}

describe('nothing the run opens listens beyond loopback', () => {
  const d = () => cluster().descriptor
  let line: ClientLine // a line's proxies listen only while it is open
  beforeAll(async () => { line = await ClientLine.open(cluster(), 'loopback-check') })
  afterAll(() => line?.close())
  /**
   * The ports on this machine: Toxiproxy's API, the client proxies and an open line's (natively
   * also the replication and controller proxies and every broker listener).
   */
  const ports = () => {
    const { nodes, toxiproxyApi, provider } = d()
    const proxies = nodes.flatMap((n) => [...(provider === 'native' ? Object.values(n.proxies) : [n.proxies.client]), n.lines[line.index - 1]!].map((p) => portOf(p.listen)))
    const brokers = provider === 'native' ? nodes.flatMap((n) => Object.values(n.ports).flat()) : []
    return [...new Set([portOf(new URL(toxiproxyApi).host), ...proxies, ...brokers])].sort((a, b) => a - b)
  }

  test('every port of the run is listened on, and only on 127.0.0.1 (read from the kernel\'s socket tables)', () => {
    const [all, ours] = [listeners(), new Set(ports())]
    const missing = [...ours].filter((p) => !all.some((l) => l.port === p))
    expect(missing, 'ports of the run with no listening socket on this machine').toEqual([])
    const wide = all.filter((l) => ours.has(l.port) && !isLoopback(l.address)).map((l) => `${l.address}:${l.port}`)
    expect(wide, 'ports of the run listened on beyond loopback').toEqual([])
  })

  test.runIf(process.env.KAFKA_DURABILITY_PROVIDER !== 'containers')('natively, every socket the JVMs and Toxiproxy listen on is on 127.0.0.1', () => {
    const { nodes, runDir } = d()
    const pids = [...nodes.map((n) => n.pidFile), join(runDir, 'toxiproxy.pid')].map((f) => Number(readFileSync(f, 'utf8').trim()))
    const inodes = new Set(pids.flatMap((pid) => [...socketsOf(pid)]))
    const theirs = listeners().filter((l) => inodes.has(l.inode))
    expect(theirs.length, 'listening sockets held by the run\'s processes').toBeGreaterThanOrEqual(ports().length)
    expect(theirs.filter((l) => !isLoopback(l.address)).map((l) => `${l.address}:${l.port}`)).toEqual([])
  })

  test('no port of the run opens from this machine\'s other addresses', async (ctx) => {
    const others = Object.values(networkInterfaces()).flat().filter((i) => i !== undefined && !i.internal && !i.address.startsWith('fe80:')).map((i) => i!.address)
    if (others.length === 0) ctx.skip('this machine has no address beyond loopback to dial from')
    const ours = ports()
    const opened = (await Promise.all(others.flatMap((host) => ours.map(async (port) => ((await opens(host, port)) ? `${host}:${port}` : null))))).filter((x) => x !== null)
    expect(opened, `ports of the run that opened from ${others.join(', ')}`).toEqual([])
    // the same dial on loopback opens: the check can see an open port
    expect(await opens('127.0.0.1', ours[0]!)).toBe(true)
  })
})
