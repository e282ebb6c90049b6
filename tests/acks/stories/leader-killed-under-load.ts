/**
 * The leader is SIGKILLed while every producer writes at a steady pace; the load goes on through
 * the failover and after the old leader is back (as a follower). acks=all loses nothing it
 * acknowledged; acks=0 never notices (see tests/acks/acks.test.ts).
 */
import { failoverThenLoad, STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { killNode } from '../../../harness/faults/index.js'

export function leaderKilledUnderLoad(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  return underSteadyLoad(lab, {
    scenario: 'leader SIGKILL under steady load',
    profiles,
    fault: (leader) => killNode(leader),
    during: failoverThenLoad,
    after: (load) => load.more(STEADY.after),
  })
}
