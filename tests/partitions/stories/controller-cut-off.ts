/**
 * The active controller cut off. The node that is the KRaft quorum's leader (read from the
 * brokers' logs) is isolated from the other two both ways while an acks=all producer writes. The
 * two others are a majority: they stop hearing from their leader, elect one of themselves at a
 * higher epoch and, as the new active controller, fence the cut-off broker. The old controller
 * cannot reach a majority: it resigns, and its pre-votes (KIP-996) fail without raising the
 * epoch. What it appended to the metadata log on its own, never committed, is truncated when it
 * rejoins as a follower of the new controller. The partition holds until the majority's metadata
 * shows the old controller's broker fenced.
 */
import { Outcome, STEADY, underSteadyLoad, type Lab, type Profile } from '../../../harness/engines/index.js'
import { isolateFully } from '../../../harness/faults/index.js'
import { majorityFenced, PartitionOutcome } from '../observed.js'
import { activeController, QuorumLog, type QuorumEvent } from '../quorum.js'

export class ControllerOutcome extends PartitionOutcome {
  constructor(
    o: Outcome,
    cutOff: number,
    view: number,
    fencedAt: number,
    quorum: readonly QuorumEvent[],
    /** The epoch of the controller that was cut off. */
    readonly epochBefore: number,
  ) {
    super(o, cutOff, view, fencedAt, quorum)
  }
}

export async function controllerCutOff(lab: Lab, profiles: readonly Profile[]): Promise<ControllerOutcome> {
  const quorum = new QuorumLog(lab.cluster, [`${lab.suite}-`])
  const before = activeController(lab.cluster)
  let fencedAt = Number.NaN
  const view = lab.cluster.nodeIds.find((n) => n !== before.node) as number
  const outcome = await underSteadyLoad(lab, {
    scenario: 'active controller cut off',
    profiles,
    fault: () => isolateFully(before.node),
    during: async (load) => {
      fencedAt = await majorityFenced(lab.cluster, view, before.node, load.lanes.map((l) => l.topic))
    },
    after: (load) => load.more(STEADY.after),
  })
  return new ControllerOutcome(outcome, before.node, view, fencedAt, quorum.events(), before.epoch)
}
