/**
 * A leader partitioned into the minority. Node 1 leads every lane; `partition([[1], [2, 3]])`
 * cuts it from the other two nodes both ways (replication, the KRaft quorum, heartbeats), while
 * the producers, on every side, still reach it. The majority keeps a quorum: its active controller
 * fences broker 1 once its session times out and makes the followers the leaders. Node 1 hears
 * nothing of it and goes on leading: it acknowledges every acks=1 write, which no follower will
 * ever fetch, while acks=all writes wait for followers that never come. The partition holds until
 * the majority's metadata shows every lane led elsewhere and broker 1 fenced, and the acks=1
 * producer has had AFTER_FENCE more records acknowledged after that. Then it heals: node 1 learns
 * the new leader epoch, becomes a follower and truncates its log to the new leader's, and the
 * records only it had are gone. What the quorum did is read from the nodes' logs.
 */
import { waitFor, type Cluster } from '../../../harness/cluster/index.js'
import { Outcome, STEADY, underSteadyLoad, type Lab, type LaneResult, type LoadedLane, type Profile } from '../../../harness/engines/index.js'
import { partition } from '../../../harness/faults/index.js'
import type { LedgerEntry } from '../../../harness/workload/index.js'
import { describeQuorumEvent, QuorumLog, type QuorumEvent } from '../quorum.js'

/** Records the acks=1 producer gets acknowledged by the minority leader after the majority fenced it. */
export const AFTER_FENCE = 50

export class PartitionOutcome extends Outcome {
  constructor(
    o: Outcome,
    /** The majority's node whose metadata the story read. */
    readonly view: number,
    /** When the majority's metadata first showed the minority leader fenced and every lane led elsewhere. */
    readonly fencedAt: number,
    /** What the quorum did, from the moment the story began (quorum.ts). */
    readonly quorum: readonly QuorumEvent[],
  ) {
    super(o.scenario, o.leader, o.lanes, o.faults)
  }

  /** When the partition healed. */
  get healedAt(): number {
    return this.faults[0]?.healedAt ?? Number.POSITIVE_INFINITY
  }

  /** A lane's records acknowledged after the majority had fenced the leader that are not in the log. */
  lostAfterFence(lane: LaneResult): LedgerEntry[] {
    const inLog = new Set(lane.log.records.map((r) => r.id))
    return lane.ledger.entries.filter((e) => e.outcome === 'ok' && e.end >= this.fencedAt && !inLog.has(e.id))
  }
}

export async function leaderInTheMinority(lab: Lab, profiles: readonly Profile[]): Promise<PartitionOutcome> {
  const quorum = new QuorumLog(lab.cluster, [`${lab.suite}-`])
  const since = Date.now()
  let fencedAt = Number.NaN
  let view = Number.NaN
  const outcome = await underSteadyLoad(lab, {
    scenario: 'leader partitioned into the minority',
    profiles,
    fault: (leader) => partition([[leader], lab.cluster.nodeIds.filter((n) => n !== leader)]),
    during: async (load) => {
      view = lab.cluster.nodeIds.find((n) => n !== load.leader) as number
      fencedAt = await majorityMovedOn(lab.cluster, view, load.leader, load.lanes.map((l) => l.topic))
      await acknowledgedMore(load.lanes.filter((l) => l.acks === 1), AFTER_FENCE)
    },
    after: (load) => load.more(STEADY.after),
  })
  const events = quorum.events().filter((e) => e.at >= since)
  for (const row of outcome.rows) row.clusterEvents = onTimeline(events).map((e) => ({ at: e.at, node: e.node, label: describeQuorumEvent(e) }))
  return new PartitionOutcome(outcome, view, fencedAt, events)
}

/**
 * Waits until the metadata of node `view` (a client bootstrapped on it alone, so the minority's
 * stale metadata is never read) shows broker `minority` fenced and every partition of `topics`
 * led by another node; returns when it first did.
 */
async function majorityMovedOn(cluster: Cluster, view: number, minority: number, topics: readonly string[]): Promise<number> {
  const admin = cluster.kafka({ clientId: `majority-view-${view}`, brokers: [cluster.node(view).proxies.client.listen], retry: { retries: 0 } }).admin()
  await admin.connect()
  try {
    return await waitFor(
      `node ${view}'s metadata to show broker ${minority} fenced and every lane led by another node`,
      async () => {
        const { brokers } = await admin.describeCluster()
        const md = await admin.fetchTopicMetadata({ topics: [...topics] })
        const stale = md.topics.flatMap((t) => t.partitions.filter((p) => p.leader === minority || p.leader < 0).map((p) => `${t.name}-${p.partitionId} led by ${p.leader}`))
        if (brokers.some((b) => b.nodeId === minority) || stale.length) throw new Error(`brokers [${brokers.map((b) => b.nodeId).join(', ')}]; ${stale.join(', ') || 'every lane led elsewhere'}`)
        return Date.now()
      },
      { timeoutMs: 30_000, maxIntervalMs: 100 },
    )
  } finally {
    await admin.disconnect()
  }
}

/** Waits until each lane has `n` more records acknowledged than now. */
async function acknowledgedMore(lanes: readonly LoadedLane[], n: number): Promise<void> {
  const base = lanes.map((l) => l.workload.progress().acknowledged)
  await waitFor(
    `${lanes.map((l) => l.variant).join(', ')}: ${n} more records acknowledged by the minority leader after the majority fenced it`,
    () => {
      const short = lanes.filter((l, i) => l.workload.progress().acknowledged < (base[i] ?? 0) + n)
      if (short.length) throw new Error(short.map((l) => `${l.variant}: ${JSON.stringify(l.workload.progress())}`).join('; '))
    },
    { timeoutMs: 30_000, maxIntervalMs: 50 },
  )
}

/** The events worth drawing: every transition but the minority's repeated pre-votes, each fence once. */
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
