/**
 * The cable is yanked: nobody (no client, no follower) reaches the leader for a few seconds, but
 * it keeps its link to the controller, so it is not fenced and stays the leader. The fault is
 * held until every producer has retried one send 6 times through the cut: about 2.5 s.
 */
import { STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { cutPaths } from '../../../harness/faults/index.js'

export function cableYanked(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  return underSteadyLoad(lab, {
    scenario: 'cable yanked (client and replication paths cut)',
    profiles,
    fault: (leader) => cutPaths(leader, ['client', 'replication']),
    during: (load) => load.retried(6),
    after: (load) => load.more(STEADY.after),
  })
}
