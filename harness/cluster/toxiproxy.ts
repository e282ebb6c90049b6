import { Toxiproxy, type Proxy } from 'toxiproxy-node-client'
import type { NodeDescriptor, PathName } from './types.js'
import { waitFor } from './wait.js'

/**
 * The Toxiproxy topology: one proxy per node and path. The client proxy is what clients are
 * given; the replication proxy is what followers fetch from; the controller proxy is what the
 * quorum and the brokers' heartbeats use. A proxy fronts inbound traffic to its node: cutting
 * kafka-1-replication stops followers fetching from node 1, not node 1 fetching from others.
 * Besides, one proxy per node and client line (kafka-<id>-line-<k>, in front of the node's LINEk
 * listener), created disabled: a line's proxies are enabled while a line holds them (lines.ts).
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
      for (const p of n.lines) await this.api.createProxy({ name: p.name, listen: p.listen, upstream: p.upstream, enabled: false })
    }
  }

  /** The proxies in front of `path` of the node: for the client path, its client proxy and every line's. */
  pathProxies(node: NodeDescriptor, path: PathName): Promise<Proxy[]> {
    const names = [node.proxies[path].name, ...(path === 'client' ? node.lines.map((l) => l.name) : [])]
    return Promise.all(names.map((name) => this.api.get(name)))
  }

  proxy(node: NodeDescriptor, path: PathName): Promise<Proxy> {
    return this.api.get(node.proxies[path].name)
  }

  /** Removes every toxic of proxy `name`. */
  async removeToxics(name: string): Promise<void> {
    const path = `${this.url}/proxies/${encodeURIComponent(name)}/toxics`
    const listed = await fetch(path)
    if (!listed.ok) throw new Error(`Toxiproxy at ${this.url} cannot list the toxics of ${name}: HTTP ${listed.status} ${await listed.text()}`)
    const toxics = (await listed.json()) as Array<{ name: string }>
    for (const t of toxics) {
      const res = await fetch(`${path}/${encodeURIComponent(t.name)}`, { method: 'DELETE' })
      if (!res.ok && res.status !== 404) throw new Error(`Toxiproxy at ${this.url} refused to remove toxic ${t.name} of ${name}: HTTP ${res.status} ${await res.text()}`)
    }
  }

  /** Removes every toxic and re-enables every proxy (Toxiproxy's POST /reset). */
  reset(): Promise<void> {
    return this.api.reset()
  }
}

export function proxyName(nodeId: number, path: PathName): string {
  return `kafka-${nodeId}-${path}`
}

/** The proxy of client line k (1-based) in front of node `nodeId`. */
export function lineProxyName(nodeId: number, k: number): string {
  return `kafka-${nodeId}-line-${k}`
}
