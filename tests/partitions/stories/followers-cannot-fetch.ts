/**
 * The followers cannot reach the leader: one way. Node 1 leads every lane; the connections the
 * two followers open to it are cut (oneWayCut 2 → 1 and 3 → 1, one fault), while node 1 still
 * reaches them and the active controller, which is placed on a follower first (controller.ts), so
 * the cut stops only their fetches from node 1: their brokers still heartbeat and their voters
 * still fetch from the controller. The followers fall behind; after replica.lag.time.max.ms node 1
 * shrinks every lane's ISR to itself, through the controller it still reaches. acks=all writes
 * then wait or are refused (the ISR is below min.insync.replicas=2) and are retried; acks=1 writes
 * go on being acknowledged with one copy. No broker is fenced and no leader changes, so at the
 * heal the followers fetch again, catch up and rejoin the ISR, and the records node 1 had alone
 * are kept. The other direction, node 1 unable to reach the others, cuts it from the controller:
 * it is fenced and leads alone, as in the bridge story (bridge.ts).
 */
import { STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { PartitionFault } from '../../../harness/faults/index.js'
import { controllerAwayFrom } from '../controller.js'
import { acknowledgedMore, isrBecomes, PartitionOutcome } from '../observed.js'
import { QuorumLog, type QuorumEvent } from '../quorum.js'

/** Records the acks=1 producer gets acknowledged after the ISR shrank to the leader alone. */
export const ALONE = 50

/** `followers` cannot reach `leader` (their connections to it dropped); it still reaches them. */
function followersCutFrom(leader: number, followers: readonly number[]): PartitionFault {
  const cuts = followers.map((from) => ({ from, to: leader }))
  const what = `nodes ${followers.join(', ')} cannot reach node ${leader} (their connections to it dropped); node ${leader} still reaches them`
  return new PartitionFault('one-way-cut', () => Promise.resolve({ cuts, label: what }), what)
}

export class OneWayOutcome extends PartitionOutcome {
  constructor(
    o: Outcome,
    view: number,
    /** The active controller throughout (a follower). */
    readonly controller: number,
    /** When the metadata first showed every lane's ISR shrunk to the leader, and the partitions then. */
    readonly shrunk: { at: number; seen: string[] },
      /** The same after the heal, the ISR full again. */
    readonly rejoined: { at: number; seen: string[] },
    quorum: readonly QuorumEvent[],
  ) {
    super(o, o.leader, view, Number.NaN, quorum) // nobody is fenced
  }
}

export async function followersCannotFetch(lab: Lab, profiles: readonly Profile[]): Promise<OneWayOutcome> {
  const nodes = lab.cluster.nodeIds
  const controller = await controllerAwayFrom(lab.cluster, nodes[0] as number)
  const quorum = new QuorumLog(lab.cluster, [`${lab.suite}-`])
  let shrunk = { at: Number.NaN, seen: [] as string[] }
  let rejoined = shrunk
  const outcome = await underSteadyLoad(lab, {
    scenario: 'followers cannot reach the leader (one way)',
    profiles,
    fault: (leader) => followersCutFrom(leader, nodes.filter((n) => n !== leader)),
    during: async (load) => {
      // A follower leaves the ISR only once the leader has records it lacks: the acks=1 lane's
      // every partition does; an acks=all lane's stalled sends touch only some of its partitions.
      const [one, others] = [load.lanes.filter((l) => l.acks === 1), load.lanes.filter((l) => l.acks !== 1)]
      await isrBecomes(lab.cluster, one.map((l) => l.topic), [load.leader])
      shrunk = await isrBecomes(lab.cluster, others.map((l) => l.topic), [load.leader], 'some')
      await acknowledgedMore(load.lanes.filter((l) => l.acks === 1), ALONE, `node ${load.leader} with the ISR itself alone`)
    },
    after: async (load) => {
      rejoined = await isrBecomes(lab.cluster, load.lanes.map((l) => l.topic), nodes)
      await load.more(STEADY.after)
    },
  })
  return new OneWayOutcome(outcome, controller, controller, shrunk, rejoined, quorum.events())
}
