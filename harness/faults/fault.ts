import type { Cluster } from '../cluster/index.js'
import { HarnessError } from '../errors.js'

/**
 * A fault is a value: it can be applied, healed and described. `heal` is idempotent and safe to
 * call whether or not `apply` ran or finished, so it always goes in a `finally`.
 */
export interface Fault {
  /** Short stable name for reports, e.g. "kill-leader". */
  readonly name: string
  /** What it does, resolved to concrete nodes once applied, e.g. "SIGKILL node 2 (leader of t-0)". */
  describe(): string
  apply(cluster: Cluster): Promise<void>
  heal(cluster: Cluster): Promise<void>
}

/** When a fault was in force: the shaded window on a timeline. */
export interface FaultWindow {
  name: string
  description: string
  /** When apply() began (the signal sent, the toxic requested). */
  appliedAt: number
  /** When apply() returned: the fault is observably in force (a killed process is gone). */
  inForceAt?: number
  healedAt?: number
}

/** Which node a fault hits: a fixed id, or the node that leads a partition when it is applied. */
export type Target = number | { leaderOf: { topic: string; partition: number } } | { followerOf: { topic: string; partition: number } }

export async function resolveTarget(cluster: Cluster, target: Target): Promise<{ node: number; label: string }> {
  if (typeof target === 'number') return { node: target, label: `node ${target}` }
  if ('leaderOf' in target) {
    const { topic, partition } = target.leaderOf
    const node = await cluster.waitForLeader(topic, partition)
    return { node, label: `node ${node} (leader of ${topic}-${partition})` }
  }
  const { topic, partition } = target.followerOf
  const p = await cluster.partition(topic, partition)
  const node = p.isr.find((r) => r !== p.leader)
  if (node === undefined) throw new HarnessError(`a fault aimed at a follower of ${topic}-${partition} found none: its ISR is [${p.isr.join(', ')}]. Aim it once the ISR is full (cluster.waitForIsr(topic, 'full'))`)
  return { node, label: `node ${node} (follower of ${topic}-${partition})` }
}

/**
 * Applies the fault, runs `body`, and heals the fault whatever happens; records the window.
 * Returns what `body` returned. `body` may heal it earlier itself (`heal()`, e.g. with another
 * fault already in force that must outlive this one): the window closes then, and the heal at
 * the end does nothing more.
 */
export async function withFault<T>(cluster: Cluster, fault: Fault, body: (heal: () => Promise<void>) => Promise<T>, windows?: FaultWindow[]): Promise<T> {
  const w: FaultWindow = { name: fault.name, description: fault.name, appliedAt: Date.now() }
  windows?.push(w)
  const heal = async (): Promise<void> => {
    if (w.healedAt !== undefined) return
    await fault.heal(cluster)
    w.healedAt = Date.now()
  }
  try {
    await fault.apply(cluster)
    w.inForceAt = Date.now()
    w.description = fault.describe()
    return await body(heal)
  } finally {
    await heal()
  }
}
