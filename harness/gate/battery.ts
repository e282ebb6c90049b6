/**
 * The fault battery a producer config is gated on. Each scenario runs every config under test
 * side by side (one lane each: its own producer, its own fresh topic, all led by one node, one
 * fault at one moment for all), then reads back and reconciles each lane. The gate's verdict per
 * claim is computed from the lanes: a claim is broken in a scenario when the reconciler found
 * its violation there, with the evidence.
 */
import type { Cluster } from '../cluster/index.js'
import { cutReplication, killNode } from '../faults/index.js'
import { describeEvidence, type AnomalyName } from '../reconcile/index.js'
import type { AcksOutcome, LaneResult, Profile } from '../scenarios/acks.js'
import { failoverThenLoad, STEADY, underSteadyLoad } from '../scenarios/acks-steady.js'
import { toKafkajs, type Claim, type GateConfig } from './config.js'
import { producerRestart, resetsMidProduce, responseLost } from './line-scenarios.js'

export function profileOf(c: GateConfig): Profile {
  const k = toKafkajs(c)
  return { variant: c.name, producer: k.producer, send: k.send, callsInFlight: c.send.callsInFlight, recordsPerCall: c.send.recordsPerCall }
}

export interface GateScenario {
  name: string
  /** What it does, for the report. */
  story: string
  /** Claims this scenario does not test, with the reason (e.g. duplicates across producer sessions). */
  exempt?: Partial<Record<Claim, string>>
  run(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome>
}

export const BATTERY: readonly GateScenario[] = [
  {
    name: 'leader kill under load',
    story: 'SIGKILL the leader while every producer writes at a steady pace; load goes on through the failover and after the old leader is back',
    run: (cluster, profiles) =>
      underSteadyLoad(cluster, {
        scenario: 'leader kill under load',
        suite: 'gate',
        profiles,
        fault: (leader) => killNode(leader),
        during: failoverThenLoad,
        after: (load) => load.more(STEADY.after),
      }),
  },
  {
    name: 'replication cut, then leader kill',
    story: 'followers cannot fetch from the leader while producers write; the leader is SIGKILLed while they are still in the ISR; a follower that lacks the latest writes takes over',
    run: (cluster, profiles) =>
      underSteadyLoad(cluster, {
        scenario: 'replication cut, then leader kill',
        suite: 'gate',
        profiles,
        fault: (leader) => cutReplication(leader),
        during: async (load) => {
          await load.pressed(40)
          await load.expectFullIsr('the leader must be killed while its followers are still in the ISR')
          await load.failover(killNode(load.leader))
        },
        after: (load) => load.more(STEADY.after),
      }),
  },
  {
    name: 'response lost after the append',
    story: "the leader writes a send call's records but its answer never reaches the producer; the connection closes and the producer retries",
    run: responseLost,
  },
  {
    name: 'connections reset mid-produce',
    story: 'under steady load, answers are held until every call in flight is written, then every connection is reset as it is used; the producers retry into the resets',
    run: resetsMidProduce,
  },
  {
    name: 'producer restart after the write',
    story: 'the producer process dies after the broker wrote its records and before it learned so; a new producer (new producer id) sends them again',
    exempt: { noDuplicates: 'idempotence is per producer session: a record resent by a new producer is written again whatever the config; deduplicate downstream by a business id, or write transactionally from a transactional source' },
    run: producerRestart,
  },
]

/** The anomaly that breaks each claim. */
export const CLAIM_ANOMALY: Record<Claim, AnomalyName> = { noAcknowledgedLoss: 'lost', noDuplicates: 'duplicated', perKeyOrder: 'reordered' }

export interface Breach {
  claim: Claim
  scenario: string
  count: number
  faults: string
  evidence: string
}

/** The claims of `config` its lane broke in one scenario, with the evidence. */
export function breaches(config: GateConfig, scenario: GateScenario, lane: LaneResult, faults: readonly { description: string }[]): Breach[] {
  return (Object.keys(CLAIM_ANOMALY) as Claim[])
    .filter((claim) => config.claims[claim] && !scenario.exempt?.[claim])
    .flatMap((claim) => {
      const anomaly = CLAIM_ANOMALY[claim]
      const count = lane.verdict.anomalies[anomaly].count
      if (count === 0) return []
      return [{ claim, scenario: scenario.name, count, faults: faults.map((f) => f.description).join('; '), evidence: describeEvidence(lane.verdict, anomaly).slice(0, 12).join('\n') }]
    })
}

export function describeBreach(config: GateConfig, b: Breach): string {
  return `'${config.name}' claims ${b.claim}, but under "${b.scenario}" (${b.faults}) the reconciler found ${b.count} ${CLAIM_ANOMALY[b.claim]}:\n${b.evidence}`
}
