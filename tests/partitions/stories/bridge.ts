/**
 * A bridge (Jepsen's): node 1, leading every lane, and the active controller (placed on another
 * node first, controller.ts) are cut from each other both ways; the third node reaches both.
 * {1, bridge} and {controller, bridge} are both majorities, yet the bridge relays nothing: a
 * broker heartbeats to the active controller itself, and a voter fetches from it itself. So
 * broker 1's session times out and the controller fences it and moves every lane to a node that
 * is still in sync; node 1's voter cannot fetch from the controller, and its pre-votes, which the
 * bridge node does answer, are refused, since the bridge node hears from its controller. Node 1
 * hears nothing of its fence: it goes on leading for the producers, which still reach it, and
 * acknowledges every acks=1 write, while its acks=all writes wait for followers that fetch from
 * the new leader. At the heal it learns the new leader epoch and truncates its log to the new
 * leader's: what only it had is gone. The partition holds until the bridge node's metadata shows
 * broker 1 fenced and no lane led by it, and the acks=1 producer has had AFTER_FENCE more records
 * acknowledged after that.
 */
import { STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { bridge } from '../../../harness/faults/index.js'
import { controllerAwayFrom } from '../controller.js'
import { acknowledgedMore, majorityFenced, PartitionOutcome, partitionsSeenBy } from '../observed.js'
import { QuorumLog, type QuorumEvent } from '../quorum.js'
import { AFTER_FENCE } from './leader-in-minority.js'

export class BridgeOutcome extends PartitionOutcome {
  constructor(
    o: Outcome,
    via: number,
    fencedAt: number,
    quorum: readonly QuorumEvent[],
    /** The active controller, on the side opposite the leader. */
    readonly controller: number,
    /** The lanes' partitions as the bridge node's metadata had them once it showed broker 1 fenced. */
    readonly ledDuring: readonly string[],
  ) {
    super(o, o.leader, via, fencedAt, quorum)
  }

  /** The node both sides reach. */
  get via(): number {
    return this.view
  }
}

export async function leaderBridgedFromController(lab: Lab, profiles: readonly Profile[]): Promise<BridgeOutcome> {
  const nodes = lab.cluster.nodeIds
  const controller = await controllerAwayFrom(lab.cluster, nodes[0] as number)
  const via = nodes.find((n) => n !== nodes[0] && n !== controller) as number
  const quorum = new QuorumLog(lab.cluster, [`${lab.suite}-`])
  let fencedAt = Number.NaN
  let ledDuring: string[] = []
  const outcome = await underSteadyLoad(lab, {
    scenario: 'bridge: leader and controller apart',
    profiles,
    fault: (leader) => bridge([leader], [controller], via),
    during: async (load) => {
      const topics = load.lanes.map((l) => l.topic)
      fencedAt = await majorityFenced(lab.cluster, via, load.leader, topics)
      ledDuring = await partitionsSeenBy(lab.cluster, via, topics)
      await acknowledgedMore(load.lanes.filter((l) => l.acks === 1), AFTER_FENCE, `node ${load.leader} after the controller fenced it`)
    },
    after: (load) => load.more(STEADY.after),
  })
  return new BridgeOutcome(outcome, via, fencedAt, quorum.events(), controller, ledDuring)
}
