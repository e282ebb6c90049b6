/**
 * "The leader confirmed, the followers never had it": the followers cannot fetch, K records go to
 * the leader in one send call, the leader goes (SIGKILL, or a controlled shutdown, which moves
 * leadership first but does not hand over what the followers lack) while its followers are still
 * in the ISR, a follower takes over, and the old leader comes back and truncates its log. acks=1
 * was acknowledged by the leader alone: those records are lost, their offsets overwritten.
 */
import { burstInto, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { cutReplication, killNode, stopNode } from '../../../harness/faults/index.js'

/** Records each lane sends in the burst. */
export const K = 24

export function followersNeverHadIt(how: 'SIGKILL' | 'controlled shutdown') {
  return (lab: Lab, profiles: readonly Profile[]): Promise<Outcome> =>
    burstInto(lab, {
      scenario: `leader confirmed, followers never had it (${how})`,
      profiles,
      records: K,
      batchSize: K,
      fault: (leader) => cutReplication(leader),
      after: async (burst) => {
        await burst.expectFullIsr('the leader must go while its followers are still in the ISR')
        await burst.failover(how === 'SIGKILL' ? killNode(burst.leader) : stopNode(burst.leader))
      },
    })
}
