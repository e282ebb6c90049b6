import type { Cluster, PathName } from '../cluster/index.js'
import { resolveTarget, type Fault, type Target } from './fault.js'

/**
 * Network faults act on a node's Toxiproxy proxies, which front its inbound traffic: the client
 * path (producers, consumers, admin), the replication path (followers fetching from it) and the
 * controller path (quorum and heartbeats to its controller).
 */
class ProxyFault implements Fault {
  private hit: { node: number; label: string } | undefined
  private readonly added: Array<{ proxy: string; toxic: string }> = []
  private readonly disabled: string[] = []

  constructor(
    readonly name: string,
    private readonly target: Target,
    private readonly paths: readonly PathName[],
    private readonly what: string,
    private readonly toxic?: { type: string; stream: 'upstream' | 'downstream'; attributes: Record<string, number> },
  ) {}

  get node(): number | undefined {
    return this.hit?.node
  }

  describe(): string {
    return `${this.what} on the ${this.paths.join(' + ')} path${this.paths.length > 1 ? 's' : ''} of ${this.hit?.label ?? JSON.stringify(this.target)}`
  }

  async apply(cluster: Cluster): Promise<void> {
    this.hit = await resolveTarget(cluster, this.target)
    for (const path of this.paths) {
      const proxy = await cluster.proxy(this.hit.node, path)
      if (this.toxic) {
        const name = `${this.name}-${this.toxic.stream}`
        await proxy.addToxic({ name, type: this.toxic.type as never, stream: this.toxic.stream, toxicity: 1, attributes: this.toxic.attributes })
        this.added.push({ proxy: proxy.name, toxic: name })
      } else {
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream })
        this.disabled.push(proxy.name)
      }
    }
  }

  async heal(cluster: Cluster): Promise<void> {
    for (const { proxy, toxic } of this.added.splice(0)) {
      const p = await cluster.topology.api.get(proxy)
      await p.getToxic(toxic).then((t) => t.remove()).catch(() => {})
    }
    for (const name of this.disabled.splice(0)) {
      const p = await cluster.topology.api.get(name)
      await p.update({ enabled: true, listen: p.listen, upstream: p.upstream })
    }
  }
}

/** Disables the proxies of the given paths: connections are closed and new ones refused. */
export const cutPaths = (target: Target, paths: readonly PathName[]): ProxyFault =>
  new ProxyFault(`cut-${paths.join('-')}`, target, paths, 'connections cut')
/** Followers cannot fetch from the node (its replication path is cut). */
export const cutReplication = (target: Target): ProxyFault => cutPaths(target, ['replication'])
/** Clients, followers and controllers can reach the node no more: the cable yanked (inbound). */
export const isolate = (target: Target): ProxyFault =>
  new ProxyFault('isolate', target, ['client', 'replication', 'controller'], 'connections cut')
/**
 * Requests reach the broker but its answers never come back: a `timeout` toxic (timeout 0 holds
 * the data) on the downstream side of the client path.
 */
export const dropResponses = (target: Target): ProxyFault =>
  new ProxyFault('drop-responses', target, ['client'], 'responses dropped (downstream timeout toxic)', { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } })
/** Connections through the client path are reset (TCP RST) after `afterMs` of data. */
export const resetPeer = (target: Target, afterMs = 0): ProxyFault =>
  new ProxyFault('reset-peer', target, ['client'], `connections reset after ${afterMs} ms (reset_peer toxic)`, { type: 'reset_peer', stream: 'upstream', attributes: { timeout: afterMs } })
/** Adds latency to a path. */
export const latency = (target: Target, path: PathName, ms: number, jitterMs = 0): ProxyFault =>
  new ProxyFault(`latency-${path}`, target, [path], `${ms}±${jitterMs} ms latency`, { type: 'latency', stream: 'downstream', attributes: { latency: ms, jitter: jitterMs } })

export type { ProxyFault }
