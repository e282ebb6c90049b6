/**
 * Replication cut, then leader kill, under steady load: followers cannot fetch from the leader
 * while producers write; the leader is SIGKILLed while they are still in the ISR; a follower that
 * lacks the latest writes takes over. The steady-load form of followers-never-had-it
 * (tests/acks/stories/), for configs that retry and drive many calls.
 */
import { STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { cutReplication, killNode } from '../../../harness/faults/index.js'

export function replicationCutThenKill(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  return underSteadyLoad(lab, {
    scenario: 'replication cut, then leader kill',
    profiles,
    fault: (leader) => cutReplication(leader),
    during: async (load) => {
      await load.pressed(40)
      await load.expectFullIsr('the leader must be killed while its followers are still in the ISR')
      await load.failover(killNode(load.leader))
    },
    after: (load) => load.more(STEADY.after),
  })
}
