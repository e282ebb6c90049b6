import { routedSocketFactory } from '../clients/kafkajs/connection.js'
import type { Proxy } from 'toxiproxy-node-client'
import type { Cluster } from '../cluster/index.js'
import type { Target } from './fault.js'
import { ProxyFault, type ProxySite, type Toxic } from './network-faults.js'

/**
 * One client's own line to the cluster: an extra Toxiproxy proxy per node, chained in front of
 * that node's client proxy, used only by the kafkajs clients built with the line's
 * `socketFactory`. A fault on the line hits that client's connections and nobody else's: the
 * harness's admin client, readers and other producers still reach the same broker through the
 * node's own client proxy. That is what lets a scenario drop the answers to one producer and
 * still watch, from the leader itself, that its records were written.
 *
 * The node's client proxy stays in the path (line → client proxy → broker), so cluster-wide
 * faults (a cut client path, an isolated node) still reach the line's client too.
 *
 *   const line = await ClientLine.open(cluster, 'payment-service')
 *   const kafka = cluster.kafka({ socketFactory: line.socketFactory })
 *   await withFault(cluster, dropResponsesOn(line, { leaderOf: { topic, partition: 0 } }), …)
 *   await line.close()
 */
export class ClientLine {
  private constructor(
    readonly name: string,
    private readonly cluster: Cluster,
    /** node id → the line proxy's name and the host address clients dial to reach it. */
    private readonly proxies: Map<number, { proxy: string; reach: string }>,
  ) {}

  /**
   * Creates the line's proxies at the addresses the cluster offers lines (ClusterDescriptor
   * `lines`): on a free port (native) or on free entries of the published pool (containers).
   */
  static async open(cluster: Cluster, name: string): Promise<ClientLine> {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`line name must be lower-case letters, digits and dashes, got '${name}'`)
    const line = new ClientLine(name, cluster, new Map())
    try {
      for (const node of cluster.nodes) {
        const upstream = cluster.descriptor.lines.upstream[node.id]
        if (upstream === undefined) throw new Error(`the cluster descriptor's lines.upstream has no address for node ${node.id}: the provider that started the cluster must list every node's client proxy there`)
        const proxy = lineProxyName(name, node.id)
        line.proxies.set(node.id, { proxy, reach: await placeProxy(cluster, proxy, upstream) })
      }
    } catch (e) {
      await line.close()
      throw e
    }
    return line
  }

  /** Where this line sends each node's client address, as plain data (a child process rebuilds the factory with `lineSocketFactory`). */
  get routes(): Record<string, string> {
    return Object.fromEntries(this.cluster.nodes.map((n) => [n.proxies.client.listen, this.proxies.get(n.id)?.reach ?? n.proxies.client.listen]))
  }

  /** kafkajs `socketFactory` for clients that should use this line. */
  get socketFactory(): ReturnType<typeof routedSocketFactory> {
    return lineSocketFactory(this.routes)
  }

  proxy(nodeId: number): Promise<Proxy> {
    const p = this.proxies.get(nodeId)
    if (!p) throw new Error(`line ${this.name} has no proxy for node ${nodeId}`)
    return this.cluster.topology.api.get(p.proxy)
  }

  /** Deletes the line's proxies (their connections close). Idempotent. */
  async close(): Promise<void> {
    for (const node of this.cluster.nodes) {
      await this.cluster.topology.api
        .get(lineProxyName(this.name, node.id))
        .then((p) => p.remove())
        .catch(() => undefined)
    }
  }
}

export function lineProxyName(line: string, nodeId: number): string {
  return `line-${line}-kafka-${nodeId}`
}

/**
 * Creates proxy `name` in front of `upstream` on the first of the cluster's line addresses that
 * no proxy holds (an entry with port 0 is never held: Toxiproxy picks a free port each time) and
 * returns the host address clients dial to reach it. Toxiproxy's own proxy list is the pool's
 * state, so lines opened by other processes (a child, another test file) are seen; an entry taken
 * between the look and the create fails to bind and the next one is tried.
 */
async function placeProxy(cluster: Cluster, name: string, upstream: string): Promise<string> {
  const { listen, reach } = cluster.descriptor.lines
  let held = await heldPorts(cluster)
  for (const entry of listen) {
    const port = portOf(entry)
    if (port !== 0 && held.has(port)) continue
    try {
      const p = await cluster.topology.api.createProxy({ name, listen: entry, upstream, enabled: true })
      return reach[entry] ?? p.listen
    } catch (e) {
      held = await heldPorts(cluster)
      const holder = held.get(port)
      if (port !== 0 && holder !== undefined && holder !== name) continue
      throw new Error(`cannot create line proxy ${name} on ${entry} (upstream ${upstream}): ${(e as Error).message}`, { cause: e })
    }
  }
  const holders = listen.map((entry) => held.get(portOf(entry))).filter((h) => h !== undefined)
  throw new Error(
    `no free address for line proxy ${name}: all ${listen.length} addresses the cluster keeps for client lines (${listen.join(', ')}) are held, by ${holders.join(', ')}. ` +
      `Fix: close lines no longer in use (ClientLine.close(), each line holds one address per node), or, on containers, publish more: raise LINES_AT_ONCE in harness/cluster/containers/wiring.ts`,
  )
}

/** Port → name of the proxy listening on it, for every proxy Toxiproxy has. */
async function heldPorts(cluster: Cluster): Promise<Map<number, string>> {
  const all = await cluster.topology.api.getAll()
  return new Map(Object.values(all).map((p) => [portOf(p.listen), p.name]))
}

function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1))
}

/** A kafkajs socketFactory that connects to `routes[host:port]` instead of host:port when listed (the kafkajs adapter's). */
export const lineSocketFactory = routedSocketFactory

/** A toxic or a cut on the line's proxy in front of one node (see ProxyFault). */
export type LineFault = ProxyFault

function onLine(line: ClientLine): ProxySite {
  return {
    proxies: async (_cluster, node) => [await line.proxy(node)],
    describe: (label) => `${line.name}'s line to ${label}`,
  }
}

function lineFault(name: string, line: ClientLine, target: Target, what: string, toxic?: Toxic): LineFault {
  return new ProxyFault(name, target, onLine(line), what, toxic)
}

/**
 * The line's requests reach the broker, its answers never come back (a `timeout` toxic with
 * timeout 0 on the downstream side drops them); the connection stays open while the fault holds.
 * Healing closes the connections it held: Toxiproxy's timeout toxic closes its stub when it is
 * removed (toxics/timeout.go `Cleanup`), so the client sees "Closed connection" at the heal, not
 * a request timeout later. Other clients are untouched.
 */
export const dropResponsesOn = (line: ClientLine, target: Target): LineFault =>
  lineFault('line-drop-responses', line, target, 'responses dropped (downstream timeout toxic)', { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } })

/**
 * The line's connections to the node are closed and new ones refused until healed (the line's
 * proxy is disabled). Nothing sent while cut reaches the broker.
 */
export const cutLine = (line: ClientLine, target: Target): LineFault => lineFault('line-cut', line, target, 'connections closed and refused')

/**
 * The line's connections are reset (TCP RST) as soon as the client sends on them; the data that
 * triggered the reset is dropped, never delivered (Toxiproxy's reset_peer on the upstream side).
 */
export const resetPeerOn = (line: ClientLine, target: Target): LineFault =>
  lineFault('line-reset-peer', line, target, 'connections reset on the next request (reset_peer toxic)', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } })


/**
 * Each of the line's connections to the node may carry `bytes` bytes towards the broker; the
 * request that crosses the limit is cut short and the connection closed (Toxiproxy's limit_data
 * on the upstream side), so a request bigger than `bytes` can never arrive while smaller ones,
 * on fresh connections, still do.
 */
export const limitRequestBytesOn = (line: ClientLine, target: Target, bytes: number): LineFault =>
  lineFault('line-limit-data', line, target, `connections closed after ${bytes} request bytes (limit_data toxic)`, { type: 'limit_data', stream: 'upstream', attributes: { bytes } })
