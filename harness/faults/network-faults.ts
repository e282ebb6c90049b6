import type { Proxy } from 'toxiproxy-node-client'
import type { Cluster, PathName } from '../cluster/index.js'
import { resolveTarget, type Fault, type Target } from './fault.js'

/**
 * Network faults act on a node's Toxiproxy proxies, which front its inbound traffic: the client
 * path (producers, consumers, admin: the client proxy and every client line's proxy), the
 * replication path (followers fetching from it) and the controller path (quorum and heartbeats to
 * its controller).
 */
export interface Toxic {
  type: string
  stream: 'upstream' | 'downstream'
  attributes: Record<string, number>
}

/** Where a proxy fault acts: the proxies in front of the node it hits, and how to say so. */
export interface ProxySite {
  proxies(cluster: Cluster, node: number): Promise<Proxy[]>
  describe(nodeLabel: string): string
}

/** The node's own proxies of the given paths (the client path: the client proxy and every line's). */
export function nodePaths(paths: readonly PathName[]): ProxySite {
  return {
    proxies: async (cluster, node) => (await Promise.all(paths.map((p) => cluster.pathProxies(node, p)))).flat(),
    describe: (label) => `the ${paths.join(' + ')} path${paths.length > 1 ? 's' : ''} of ${label}`,
  }
}

/**
 * A toxic on, or a cut of, the proxies a site names in front of the node the target resolves to.
 * Heal removes exactly what apply added and re-enables what it disabled: a proxy disabled
 * already (by another fault, or a client line nobody holds) is not its to enable, and a line
 * closed in between stays disabled.
 */
export class ProxyFault implements Fault {
  private hit: { node: number; label: string } | undefined
  private readonly added: Array<{ proxy: string; toxic: string }> = []
  private readonly disabled: string[] = []

  constructor(
    readonly name: string,
    private readonly target: Target,
    private readonly site: ProxySite,
    private readonly what: string,
    private readonly toxic?: Toxic,
  ) {}

  get node(): number | undefined {
    return this.hit?.node
  }

  describe(): string {
    return `${this.what} on ${this.site.describe(this.hit?.label ?? JSON.stringify(this.target))}`
  }

  async apply(cluster: Cluster): Promise<void> {
    this.hit = await resolveTarget(cluster, this.target)
    for (const proxy of await this.site.proxies(cluster, this.hit.node)) {
      if (this.toxic) {
        const name = `${this.name}-${this.toxic.stream}`
        await proxy.addToxic({ name, type: this.toxic.type as never, stream: this.toxic.stream, toxicity: 1, attributes: this.toxic.attributes })
        this.added.push({ proxy: proxy.name, toxic: name })
      } else if (proxy.enabled) {
        await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream })
        this.disabled.push(proxy.name)
      }
    }
  }

  async heal(cluster: Cluster): Promise<void> {
    for (const { proxy, toxic } of this.added.splice(0)) {
      const p = await cluster.topology.api.get(proxy).catch(() => undefined)
      await p?.getToxic(toxic).then((t) => t.remove()).catch(() => undefined)
    }
    const free = this.disabled.length ? cluster.lines.freeProxies() : new Set<string>()
    for (const name of this.disabled.splice(0)) {
      if (free.has(name)) continue
      const p = await cluster.topology.api.get(name).catch(() => undefined)
      if (p && !p.enabled) await p.update({ enabled: true, listen: p.listen, upstream: p.upstream })
    }
  }
}

/** Disables the proxies of the given paths: connections are closed and new ones refused. */
export const cutPaths = (target: Target, paths: readonly PathName[]): ProxyFault =>
  new ProxyFault(`cut-${paths.join('-')}`, target, nodePaths(paths), 'connections cut')
/** Followers cannot fetch from the node (its replication path is cut). */
export const cutReplication = (target: Target): ProxyFault => cutPaths(target, ['replication'])
