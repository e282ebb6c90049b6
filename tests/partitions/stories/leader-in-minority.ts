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
import { STEADY, underSteadyLoad, type Lab, type Profile } from '../../../harness/engines/index.js'
import { partition } from '../../../harness/faults/index.js'
import { acknowledgedMore, majorityFenced, PartitionOutcome } from '../observed.js'
import { QuorumLog } from '../quorum.js'

/** Records the acks=1 producer gets acknowledged by the minority leader after the majority fenced it. */
export const AFTER_FENCE = 50

export async function leaderInTheMinority(lab: Lab, profiles: readonly Profile[]): Promise<PartitionOutcome> {
  const quorum = new QuorumLog(lab.cluster, [`${lab.suite}-`])
  let fencedAt = Number.NaN
  let view = Number.NaN
  const outcome = await underSteadyLoad(lab, {
    scenario: 'leader partitioned into the minority',
    profiles,
    fault: (leader) => partition([[leader], lab.cluster.nodeIds.filter((n) => n !== leader)]),
    during: async (load) => {
      view = lab.cluster.nodeIds.find((n) => n !== load.leader) as number
      fencedAt = await majorityFenced(lab.cluster, view, load.leader, load.lanes.map((l) => l.topic))
      await acknowledgedMore(load.lanes.filter((l) => l.acks === 1), AFTER_FENCE)
    },
    after: (load) => load.more(STEADY.after),
  })
  return new PartitionOutcome(outcome, outcome.leader, view, fencedAt, quorum.events())
}
