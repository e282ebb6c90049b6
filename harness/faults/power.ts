import type { Cluster } from '../cluster/index.js'
import type { PowerCutReport } from '../cluster/powerfs.js'
import { ConfigError } from '../errors.js'
import { resolveTarget, type Fault, type Target } from './fault.js'

/**
 * A power cut (docs/power-loss.md): the nodes stop at one instant (SIGSTOP), their disks drop
 * every write not yet fsynced (powerfs), and they die (SIGKILL), as machines whose power fails.
 * Heal powers them on together: each disk is mounted again (with what was fsynced), each JVM
 * restarts on it and recovers, and the heal waits until every partition of every topic is led
 * with its full ISR. Needs a native cluster started with `startCluster({ powerfs: true })`.
 */
export class PowerLoss implements Fault {
  private hit: { nodes: number[]; label: string } | undefined
  /** What each node's disk dropped, once applied. */
  readonly cuts: PowerCutReport[] = []

  constructor(
    readonly name: string,
    private readonly target: Target | 'all',
  ) {}

  get nodes(): readonly number[] {
    return this.hit?.nodes ?? []
  }

  describe(): string {
    const what = this.hit?.label ?? (this.target === 'all' ? 'every node' : JSON.stringify(this.target))
    if (!this.cuts.length) return `power cut of ${what}`
    const lost = this.cuts.map((c) => `node ${c.node}: ${c.files.length} files, ${c.bytesWritten} bytes written since their last fsync`).join('; ')
    return `power cut of ${what}, JVMs SIGKILLed; dropped from the disks (${lost})`
  }

  async apply(cluster: Cluster): Promise<void> {
    const cut = cluster.control.powerCut?.bind(cluster.control)
    if (!cut) throw new ConfigError('powerLoss', `needs a native cluster started with powerfs (startCluster({ powerfs: true })); this one is ${cluster.descriptor.provider} without it`)
    if (this.target === 'all') this.hit = { nodes: [...cluster.nodeIds], label: `every node (${cluster.nodeIds.join(', ')})` }
    else {
      const { node, label } = await resolveTarget(cluster, this.target)
      this.hit = { nodes: [node], label }
    }
    const at = Date.now()
    for (const node of this.hit.nodes) cluster.events.push({ at, node, action: 'kill' })
    this.cuts.push(...(await cut(this.hit.nodes)))
  }

  async heal(cluster: Cluster): Promise<void> {
    if (!this.hit) return
    const off: number[] = []
    for (const id of this.hit.nodes) if ((await cluster.state(id)) === 'stopped') off.push(id)
    // Together: a node finishes starting only once a quorum of controllers is up.
    await Promise.all(off.map((id) => cluster.start(id)))
    for (const topic of await cluster.topics()) await cluster.waitForIsr(topic, 'full')
  }
}

/** The power of one node fails (its disk drops what was not fsynced, its JVM dies). Heal powers it on. */
export const powerLoss = (target: Target): PowerLoss => new PowerLoss('power-loss', target)
/** The power of every node fails at once: a correlated failure (one rack, one zone). Heal powers them all on. */
export const powerLossAll = (): PowerLoss => new PowerLoss('power-loss-all', 'all')
