/**
 * What the partition stories observe besides the lanes: when the majority's metadata showed the
 * cut-off node fenced (read from a majority node only, never the minority's stale metadata), and
 * what the quorum did (quorum.ts), drawn on every lane's timeline.
 */
import { describePartition, waitFor, type Cluster, type PartitionState } from '../../harness/cluster/index.js'
import { Outcome, type LaneResult, type LoadedLane } from '../../harness/engines/index.js'
import type { LedgerEntry } from '../../harness/workload/index.js'
import { describeQuorumEvent, type QuorumEvent } from './quorum.js'

export class PartitionOutcome extends Outcome {
  constructor(
    o: Outcome,
    /** The node cut off from the others. */
    readonly cutOff: number,
    /** The majority's node whose metadata the story read. */
    readonly view: number,
    /** When the majority's metadata first showed the cut-off node fenced and nothing led by it. */
    readonly fencedAt: number,
    /** What the quorum did, from the moment the story began. */
    readonly quorum: readonly QuorumEvent[],
  ) {
    super(o.scenario, o.leader, o.lanes, o.faults)
    for (const row of o.rows) row.clusterEvents = onTimeline(quorum).map((e) => ({ at: e.at, node: e.node, label: describeQuorumEvent(e) }))
  }

  /** When the partition healed. */
  get healedAt(): number {
    return this.faults[0]?.healedAt ?? Number.POSITIVE_INFINITY
  }

  /** The quorum's events while the partition was in force, and after its heal. */
  get during(): QuorumEvent[] {
    return this.quorum.filter((e) => e.at >= this.faultAt && e.at < this.healedAt)
  }
  get afterHeal(): QuorumEvent[] {
    return this.quorum.filter((e) => e.at >= this.healedAt)
  }

  /** A lane's records acknowledged after the majority had fenced the cut-off node that are not in the log. */
  lostAfterFence(lane: LaneResult): LedgerEntry[] {
    const inLog = new Set(lane.log.records.map((r) => r.id))
    return lane.ledger.entries.filter((e) => e.outcome === 'ok' && e.end >= this.fencedAt && !inLog.has(e.id))
  }
}

/**
 * Waits until the metadata of node `view` (a client bootstrapped on it alone) shows broker
 * `cutOff` fenced and no partition of `topics` led by it; returns when it first did.
 */
export async function majorityFenced(cluster: Cluster, view: number, cutOff: number, topics: readonly string[]): Promise<number> {
  const admin = cluster.kafka({ clientId: `majority-view-${view}`, brokers: [cluster.node(view).proxies.client.listen], retry: { retries: 0 } }).admin()
  await admin.connect()
  try {
    return await waitFor(
      `node ${view}'s metadata to show broker ${cutOff} fenced and no lane led by it`,
      async () => {
        const { brokers } = await admin.describeCluster()
        const md = await admin.fetchTopicMetadata({ topics: [...topics] })
        const stale = md.topics.flatMap((t) => t.partitions.filter((p) => p.leader === cutOff || p.leader < 0).map((p) => `${t.name}-${p.partitionId} led by ${p.leader}`))
        if (brokers.some((b) => b.nodeId === cutOff) || stale.length) throw new Error(`brokers [${brokers.map((b) => b.nodeId).join(', ')}]; ${stale.join(', ') || 'no lane led by it'}`)
        return Date.now()
      },
      { timeoutMs: 30_000, maxIntervalMs: 100 },
    )
  } finally {
    await admin.disconnect()
  }
}

/** Waits until each lane has `n` more records acknowledged than now (`by`: who acknowledges them, for the message). */
export async function acknowledgedMore(lanes: readonly LoadedLane[], n: number, by = 'the minority leader after the majority fenced it'): Promise<void> {
  const base = lanes.map((l) => l.workload.progress().acknowledged)
  await waitFor(
    `${lanes.map((l) => l.variant).join(', ')}: ${n} more records acknowledged by ${by}`,
    () => {
      const short = lanes.filter((l, i) => l.workload.progress().acknowledged < (base[i] ?? 0) + n)
      if (short.length) throw new Error(short.map((l) => `${l.variant}: ${JSON.stringify(l.workload.progress())}`).join('; '))
    },
    { timeoutMs: 30_000, maxIntervalMs: 50 },
  )
}

/**
 * Waits until every partition of `topics` (with `some`: at least one partition of each topic) has
 * the ISR `isr`, as the metadata says; returns when it first did, and every partition then, as
 * `describePartition` writes it.
 */
export async function isrBecomes(cluster: Cluster, topics: readonly string[], isr: readonly number[], which: 'every' | 'some' = 'every'): Promise<{ at: number; seen: string[] }> {
  const want = [...isr].sort((a, b) => a - b).join(',')
  return waitFor(
    `the ISR of ${which} partition of ${topics.join(', ')} to be [${want}]`,
    async () => {
      const parts: PartitionState[] = (await Promise.all(topics.map((t) => cluster.partitions(t)))).flat()
      const off = parts.filter((p) => p.isr.join(',') !== want)
      const short = which === 'every' ? off : topics.filter((t) => parts.every((p) => p.topic !== t || p.isr.join(',') !== want)).flatMap((t) => off.filter((p) => p.topic === t))
      if (short.length) throw new Error(short.map(describePartition).join('; '))
      return { at: Date.now(), seen: parts.map(describePartition) }
    },
    { timeoutMs: 30_000, maxIntervalMs: 100 },
  )
}

/** Every partition of `topics` as node `view`'s metadata has it (a client bootstrapped on it alone): `topic-p: leader L, ISR [...]`. */
export async function partitionsSeenBy(cluster: Cluster, view: number, topics: readonly string[]): Promise<string[]> {
  const admin = cluster.kafka({ clientId: `view-${view}`, brokers: [cluster.node(view).proxies.client.listen], retry: { retries: 0 } }).admin()
  await admin.connect()
  try {
    const md = await admin.fetchTopicMetadata({ topics: [...topics] })
    return md.topics.flatMap((t) => t.partitions.map((p) => `${t.name}-${p.partitionId}: leader ${p.leader}, ISR [${[...p.isr].sort((a, b) => a - b).join(', ')}]`)).sort()
  } finally {
    await admin.disconnect()
  }
}

/** The events worth drawing: every transition but repeated pre-votes, each fence and truncation once. */
function onTimeline(events: readonly QuorumEvent[]): QuorumEvent[] {
  const seen = new Set<string>()
  return events.filter((e) => {
    const key = e.kind === 'prospective' || e.kind === 'unattached' ? `${e.node} ${e.kind} ${e.epoch}` : e.kind === 'fenced' || e.kind === 'unfenced' ? `${e.kind} ${e.broker}` : e.kind === 'log truncated' ? `${e.node} ${e.partition}` : undefined
    if (key === undefined) return true
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
