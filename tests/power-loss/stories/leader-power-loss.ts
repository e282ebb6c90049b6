/**
 * The leader's power fails while every producer writes at a steady pace: its disk drops every
 * write it had not fsynced (with Kafka's defaults, all it wrote to the lanes' logs) and it dies. A
 * follower takes over; the load goes on through the failover and after the old leader is powered
 * on again, recovers what its disk kept and fetches the rest from the new leader. acks=all loses
 * nothing it acknowledged: the followers had every acknowledged record in memory.
 */
import { failoverThenLoad, STEADY, underSteadyLoad, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { powerLoss, type PowerLoss } from '../../../harness/faults/index.js'

export interface PowerLossOutcome {
  outcome: Outcome
  /** The fault, with what the leader's disk dropped (`cuts`). */
  fault: PowerLoss
}

export async function leaderPowerLoss(lab: Lab, profiles: readonly Profile[]): Promise<PowerLossOutcome> {
  let fault: PowerLoss | undefined
  const outcome = await underSteadyLoad(lab, {
    scenario: 'leader power loss under steady load',
    profiles,
    fault: (leader) => (fault = powerLoss(leader)),
    during: failoverThenLoad,
    after: (load) => load.more(STEADY.after),
  })
  if (!fault) throw new Error('internal: the story ran without its fault')
  return { outcome, fault }
}
