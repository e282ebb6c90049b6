import type { Cluster } from '../cluster/index.js'
import { resolveTarget, type Fault, type Target } from './fault.js'

type NodeAction = 'kill' | 'stop' | 'pause'
const VERB: Record<NodeAction, string> = { kill: 'SIGKILL', stop: 'SIGTERM (controlled shutdown of)', pause: 'SIGSTOP' }

class NodeFault implements Fault {
  private hit: { node: number; label: string } | undefined
  constructor(
    readonly name: string,
    private readonly action: NodeAction,
    private readonly target: Target,
  ) {}

  /** The node this fault hit, once applied. */
  get node(): number | undefined {
    return this.hit?.node
  }

  describe(): string {
    return `${VERB[this.action]} ${this.hit?.label ?? JSON.stringify(this.target)}`
  }

  async apply(cluster: Cluster): Promise<void> {
    this.hit = await resolveTarget(cluster, this.target)
    await cluster[this.action](this.hit.node)
  }

  async heal(cluster: Cluster): Promise<void> {
    if (!this.hit) return
    const state = await cluster.state(this.hit.node)
    if (state === 'paused') await cluster.resume(this.hit.node)
    if (state === 'stopped') await cluster.start(this.hit.node)
  }
}

/** SIGKILL a node: no controlled shutdown, nothing flushed. Heal restarts it on its data. */
export const killNode = (target: Target): NodeFault => new NodeFault('kill', 'kill', target)
/** SIGTERM a node: controlled shutdown moves its leaderships away first. Heal restarts it. */
export const stopNode = (target: Target): NodeFault => new NodeFault('stop', 'stop', target)
/** SIGSTOP a node: frozen with its sockets open, as in a long GC pause. Heal resumes it. */
export const pauseNode = (target: Target): NodeFault => new NodeFault('pause', 'pause', target)

export type { NodeFault }
