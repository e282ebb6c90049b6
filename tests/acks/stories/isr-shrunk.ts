/**
 * min.insync.replicas=2 with the ISR shrunk to the leader. Not by killing the followers: the nodes
 * are combined broker+controller, so killing two of three loses the KRaft quorum and no ISR change
 * can be committed. Instead the followers cannot fetch, and the leader drops them from the ISR
 * after replica.lag.time.max.ms (5 s) through the controller, which is intact. Then K records
 * each: acks=all is refused (NOT_ENOUGH_REPLICAS), acks=1 is still acknowledged.
 */
import { burstInto, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { cutReplication } from '../../../harness/faults/index.js'
import { K } from './followers-never-had-it.js'

export function isrShrunkToLeader(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  return burstInto(lab, {
    scenario: 'ISR shrunk to the leader (min.insync.replicas=2)',
    profiles,
    records: K,
    fault: (leader) => cutReplication(leader),
    before: (burst) => burst.leaveFollowersBehind(),
  })
}
