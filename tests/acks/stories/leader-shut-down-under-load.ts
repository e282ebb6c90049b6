/**
 * Clean shutdown of the leader under steady load (the hard kill is leader-killed-under-load). A
 * controlled shutdown moves leadership to a follower before the process exits, but it does not
 * hand over what the followers do not have: the old leader acknowledges acks=1 writes until it
 * learns it is no longer the leader, and truncates them once it is a follower.
 */
import { failoverThenLoad, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { stopNode } from '../../../harness/faults/index.js'

export function leaderShutDownUnderLoad(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  return underSteadyLoad(lab, {
    scenario: 'leader controlled shutdown (SIGTERM) under steady load',
    profiles,
    fault: (leader) => stopNode(leader),
    during: failoverThenLoad,
  })
}
