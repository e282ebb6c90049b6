/**
 * What the partition stories observe besides the lanes: when the majority's metadata showed the
 * cut-off node fenced (read from a majority node only, never the minority's stale metadata), and
 * what the quorum did (quorum.ts), drawn on every lane's timeline.
 */
import { waitFor, type Cluster } from '../../harness/cluster/index.js'
import { Outcome, type LaneResult } from '../../harness/engines/index.js'
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
