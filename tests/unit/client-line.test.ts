import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'
import { Cluster } from '../../harness/cluster/cluster.js'
import type { ClusterDescriptor, LineAddresses, NodeControl } from '../../harness/cluster/types.js'
import { ClientLine } from '../../harness/faults/index.js'

/**
 * A stand-in for Toxiproxy's proxy API, as much as client lines use: a proxy on a port another
 * proxy holds fails to bind (500), port 0 gets a fresh port. `beforeCreate` runs before each create
 * (another process acting in between).
 */
class StandIn {
  readonly proxies = new Map<string, { name: string; listen: string; upstream: string; enabled: boolean; toxics: [] }>()
  beforeCreate: (() => void) | undefined
  private server: Server | undefined
  private nextPort = 40_000

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = ''
      req.on('data', (c: Buffer) => (body += c.toString()))
      req.on('end', () => {
        const name = decodeURIComponent(req.url?.replace(/^\/proxies\/?/, '') ?? '')
        const reply = (status: number, data?: unknown) => res.writeHead(status, { 'Content-Type': 'application/json' }).end(data === undefined ? '' : JSON.stringify(data))
        if (req.method === 'GET' && name === '') return reply(200, Object.fromEntries(this.proxies))
        if (req.method === 'GET') return this.proxies.has(name) ? reply(200, this.proxies.get(name)) : reply(404, { error: 'proxy not found' })
        if (req.method === 'DELETE') return reply(this.proxies.delete(name) ? 204 : 404)
        this.beforeCreate?.()
        const p = JSON.parse(body) as { name: string; listen: string; upstream: string }
        if (this.proxies.has(p.name)) return reply(409, { error: 'proxy already exists' })
        const [host, port] = [p.listen.slice(0, p.listen.lastIndexOf(':')), p.listen.slice(p.listen.lastIndexOf(':') + 1)]
        if (port !== '0' && [...this.proxies.values()].some((x) => x.listen.endsWith(`:${port}`))) return reply(500, { error: `listen tcp ${p.listen}: bind: address already in use` })
        const proxy = { ...p, listen: `${host === '0.0.0.0' ? '[::]' : host}:${port === '0' ? this.nextPort++ : port}`, enabled: true, toxics: [] as [] }
        this.proxies.set(p.name, proxy)
        return reply(201, proxy)
      })
    })
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  stop(): Promise<void> {
    return new Promise((r) => (this.server ? this.server.close(() => r()) : r()))
  }
}

const NODES = [1, 2, 3]
let standIn: StandIn
afterEach(() => standIn.stop())

async function clusterWith(lines: LineAddresses): Promise<Cluster> {
  standIn = new StandIn()
  const descriptor = {
    provider: 'containers',
    runDir: '/nonexistent',
    clusterId: 'x',
    kafkaVersion: 'x',
    toxiproxyApi: await standIn.start(),
    bootstrap: NODES.map((id) => `127.0.0.1:${9000 + id}`),
    nodes: NODES.map((id) => ({ id, proxies: { client: { name: `kafka-${id}-client`, listen: `127.0.0.1:${9000 + id}`, upstream: `kafka-${id}:9092` } } })),
    lines,
    provider_data: {},
  } as unknown as ClusterDescriptor
  return new Cluster(descriptor, {} as NodeControl)
}

/** A containers-style pool: `size` published ports, each reached on host port 50000 + its port. */
function pool(size: number): LineAddresses {
  const listen = Array.from({ length: size }, (_, i) => `0.0.0.0:${19201 + i}`)
  return {
    listen,
    reach: Object.fromEntries(listen.map((l, i) => [l, `127.0.0.1:${50_000 + 19201 + i}`])),
    upstream: Object.fromEntries(NODES.map((id) => [id, `127.0.0.1:${19091 + id}`])),
  }
}

describe('client lines take their proxies at the addresses the cluster keeps for them', () => {
  test('native: any free port, clients dial what Toxiproxy reports, upstream the node’s client proxy', async () => {
    const c = await clusterWith({ listen: ['127.0.0.1:0'], reach: {}, upstream: { 1: '127.0.0.1:9001', 2: '127.0.0.1:9002', 3: '127.0.0.1:9003' } })
    const a = await ClientLine.open(c, 'a')
    const b = await ClientLine.open(c, 'b')
    expect(a.routes).toEqual({ '127.0.0.1:9001': '127.0.0.1:40000', '127.0.0.1:9002': '127.0.0.1:40001', '127.0.0.1:9003': '127.0.0.1:40002' })
    expect(Object.values(b.routes)).toEqual(['127.0.0.1:40003', '127.0.0.1:40004', '127.0.0.1:40005'])
    expect(standIn.proxies.get('line-a-kafka-2')?.upstream).toBe('127.0.0.1:9002')
  })

  test('containers: a line takes free pool entries, clients dial their published ports, and closing gives them back', async () => {
    const c = await clusterWith(pool(6))
    const a = await ClientLine.open(c, 'a')
    const b = await ClientLine.open(c, 'b')
    expect(a.routes).toEqual({ '127.0.0.1:9001': '127.0.0.1:69201', '127.0.0.1:9002': '127.0.0.1:69202', '127.0.0.1:9003': '127.0.0.1:69203' })
    expect(Object.values(b.routes)).toEqual(['127.0.0.1:69204', '127.0.0.1:69205', '127.0.0.1:69206'])
    expect(standIn.proxies.get('line-b-kafka-3')).toMatchObject({ listen: '[::]:19206', upstream: '127.0.0.1:19094' })
    await a.close()
    const d = await ClientLine.open(c, 'd')
    expect(Object.values(d.routes)).toEqual(['127.0.0.1:69201', '127.0.0.1:69202', '127.0.0.1:69203'])
  })

  test('an exhausted pool fails naming its size, who holds it and the fix, and leaves no half-open line', async () => {
    const c = await clusterWith(pool(4))
    await ClientLine.open(c, 'a')
    const err = await ClientLine.open(c, 'b').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/all 4 addresses the cluster keeps for client lines .* held, by line-a-kafka-1, line-a-kafka-2, line-a-kafka-3, line-b-kafka-1\. Fix: close lines .* LINES_AT_ONCE in harness\/cluster\/containers\/wiring\.ts/)
    expect([...standIn.proxies.keys()].sort()).toEqual(['line-a-kafka-1', 'line-a-kafka-2', 'line-a-kafka-3'])
  })

  test('an entry taken by another process between the look and the create: the next one is used', async () => {
    const c = await clusterWith(pool(6))
    let raced = false
    standIn.beforeCreate = () => {
      if (raced) return
      raced = true
      standIn.proxies.set('line-other-kafka-1', { name: 'line-other-kafka-1', listen: '[::]:19201', upstream: '127.0.0.1:19092', enabled: true, toxics: [] })
    }
    const a = await ClientLine.open(c, 'a')
    expect(Object.values(a.routes)).toEqual(['127.0.0.1:69202', '127.0.0.1:69203', '127.0.0.1:69204'])
  })
})
