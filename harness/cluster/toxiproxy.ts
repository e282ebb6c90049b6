import { Toxiproxy, type Proxy } from 'toxiproxy-node-client'
import type { NodeDescriptor, PathName } from './types.js'
import { waitFor } from './wait.js'

/**
 * The Toxiproxy topology: one proxy per node and path. The client proxy is what clients are
 * given; the replication proxy is what followers fetch from; the controller proxy is what the
 * quorum and the brokers' heartbeats use. A proxy fronts inbound traffic to its node: cutting
 * kafka-1-replication stops followers fetching from node 1, not node 1 fetching from others.
 */
export class Topology {
  readonly api: Toxiproxy
  constructor(readonly url: string) {
    this.api = new Toxiproxy(url)
  }

  async waitReady(timeoutMs = 10_000): Promise<string> {
    return waitFor(`Toxiproxy API at ${this.url} to answer`, () => this.api.getVersion(), { timeoutMs })
  }

  async create(nodes: NodeDescriptor[]): Promise<void> {
    for (const n of nodes) {
      for (const p of Object.values(n.proxies)) {
        await this.api.createProxy({ name: p.name, listen: p.listen, upstream: p.upstream, enabled: true })
      }
    }
  }

  proxy(node: NodeDescriptor, path: PathName): Promise<Proxy> {
    return this.api.get(node.proxies[path].name)
  }

  /** Removes every toxic and re-enables every proxy (Toxiproxy's POST /reset). */
  reset(): Promise<void> {
    return this.api.reset()
  }

  /** Proxies that are disabled or carry toxics right now, for reports and heal checks. */
  async faulty(): Promise<string[]> {
    const res = await fetch(`${this.url}/proxies`)
    const all = (await res.json()) as Record<string, { name: string; enabled: boolean; toxics: Array<{ type: string; stream: string }> }>
    return Object.values(all)
      .filter((p) => !p.enabled || p.toxics.length > 0)
      .map((p) => `${p.name}${p.enabled ? '' : ' (disabled)'}${p.toxics.map((t) => ` +${t.type}/${t.stream}`).join('')}`)
  }
}

export function proxyName(nodeId: number, path: PathName): string {
  return `kafka-${nodeId}-${path}`
}
