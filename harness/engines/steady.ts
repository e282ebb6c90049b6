/**
 * Steady load through a fault: every lane's producer writes at a steady pace; once each lane has
 * STEADY.before records acknowledged, the fault is applied to the node leading every lane, the
 * scenario's `during` runs while it is in force, the fault heals, `after` runs, and the load
 * stops. acks=0 has no acknowledgements: for it "acknowledged" means "send resolved".
 */
import { clientEndpoint, type ClientEndpoint } from '../clients/index.js'
import type { Fault } from '../faults/index.js'
import { startWorkload, type WorkloadRun } from '../workload/index.js'
import type { Lab } from './lab.js'
import { ORDER_KEYS, type FaultScenario, type Lane, type LaneScene, type Outcome, type SideBySide } from './lanes.js'

/** Records per second per lane (at most), and how many are acknowledged before the fault and after the new leader. */
export const STEADY = { rate: 100, before: 150, after: 150 }

/** Records per second per lane: STEADY.rate, less when many lanes share two cores with three brokers. */
export function steadyRate(lanes: number): number {
  return Math.min(STEADY.rate, Math.max(25, Math.floor(600 / lanes)))
}

export interface LoadedLane extends Lane {
  workload: WorkloadRun
}

/** What `during` and `after` can do. */
export interface SteadyLoad extends LaneScene {
  readonly lanes: readonly LoadedLane[]
  /** Waits until every lane's partitions are led elsewhere; the time it took goes in the matrix. */
  newLeader(): Promise<void>
  /** Waits until every lane has `n` more records acknowledged (acks=0: sent) than now. */
  more(n: number): Promise<void>
  /** Waits until every lane's producer has made attempt `attempt` of a send call since the fault began. */
  retried(attempt: number): Promise<void>
  /**
   * Waits until every acks=0/1 lane has handed `n` more records to its producer, and every
   * acks=all lane has all its send slots taken (with the followers cut off, they cannot complete).
   */
  pressed(n: number): Promise<void>
  /** Throws PreconditionError unless every partition of every lane still has its full ISR. */
  expectFullIsr(why: string): Promise<void>
  /** Applies `fault`, waits for a new leader of every lane (timed), heals it. */
  failover(fault: Fault): Promise<void>
}

export interface SteadyLoadScenario extends FaultScenario {
  /** While the fault is in force; it heals when this returns. */
  during: (load: SteadyLoad) => Promise<void>
  /** After the fault healed, before the load stops. */
  after?: (load: SteadyLoad) => Promise<void>
}

/** Records acknowledged so far (acks=0: send calls resolved, as it has no acknowledgements). */
function counted(lane: LoadedLane): number {
  const p = lane.workload.progress()
  return lane.acks === 0 ? p.sent - p.inFlight : p.acknowledged
}

/** Waits until every lane has `target(lane)` records acknowledged (acks=0: sent); see SideBySide.eachLane for a lane that never does. */
function reach(side: SideBySide, lanes: readonly LoadedLane[], target: (lane: LoadedLane) => number): Promise<LoadedLane[]> {
  return side.eachLane(
    lanes,
    (lane) => `${target(lane)} records ${lane.acks === 0 ? 'sent' : 'acknowledged'} on ${lane.topic}`,
    (lane) => {
      if (counted(lane) < target(lane)) throw new Error(`${counted(lane)} so far; progress ${JSON.stringify(lane.workload.progress())}`)
    },
    { timeoutMs: 60_000, maxIntervalMs: 50 },
  )
}

/** Send calls in flight at once per lane, unless the lane's profile says otherwise. */
const CONCURRENCY = 2
const callsInFlight = (lane: Lane): number => lane.profile.producer.callsInFlight ?? CONCURRENCY

/**
 * A lane's load: its profile's producer writing the order keys round-robin at `rate` records per
 * second, driven as the profile says (records per call, send calls in flight), through `endpoint`.
 */
export function startLaneLoad(lane: Lane, endpoint: ClientEndpoint, rate: number, opts: { durationMs?: number; drainTimeoutMs: number }): WorkloadRun {
  return startWorkload({
    endpoint,
    topic: lane.topic,
    client: lane.profile.client,
    producer: lane.profile.producer,
    keys: ORDER_KEYS,
    rate,
    batchSize: lane.profile.producer.recordsPerCall ?? 1,
    concurrency: callsInFlight(lane),
    ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }),
    drainTimeoutMs: opts.drainTimeoutMs,
  })
}

export async function underSteadyLoad(lab: Lab, s: SteadyLoadScenario): Promise<Outcome> {
  const cluster = lab.cluster
  const side = await lab.lanes(s)
  const rate = steadyRate(side.lanes.length)
  const lanes: LoadedLane[] = side.lanes.map((lane) => ({
    ...lane,
    workload: startLaneLoad(lane, clientEndpoint(cluster, { clientId: `${lane.variant}-${lane.topic}` }), rate, { durationMs: 120_000, drainTimeoutMs: 15_000 }),
  }))
  const load: SteadyLoad = {
    cluster,
    leader: side.leader,
    lanes,
    newLeader: () => side.newLeader(),
    more: async (n) => {
      const base = new Map(lanes.map((l) => [l, counted(l)]))
      await reach(side, lanes, (l) => (base.get(l) ?? 0) + n)
    },
    retried: async (attempt) => {
      const since = side.faults.at(-1)?.appliedAt ?? side.since
      await side.eachLane(
        lanes,
        () => `its producer to make attempt ${attempt} of a send since the fault`,
        (lane) => {
          const retries = lane.workload.ledger().events.filter((e) => e.type === 'retry' && e.at >= since)
          const top = Math.max(0, ...retries.map((e) => Number(e.detail?.attempt ?? 0)))
          if (top < attempt) throw new Error(`attempt ${top} so far`)
        },
        { timeoutMs: 30_000, maxIntervalMs: 100 },
      )
    },
    pressed: async (n) => {
      const base = new Map(lanes.map((l) => [l, l.workload.progress().sent]))
      await side.eachLane(
        lanes,
        (lane) => (lane.acks === -1 ? `all ${callsInFlight(lane)} send slots waiting for acknowledgements` : `${n} more records sent`),
        (lane) => {
          const p = lane.workload.progress()
          const more = p.sent - (base.get(lane) ?? 0)
          if (lane.acks === -1 ? p.inFlight < callsInFlight(lane) * (lane.profile.producer.recordsPerCall ?? 1) : more < n) throw new Error(`${more} more sent, ${p.inFlight} in flight`)
        },
        { timeoutMs: 30_000, maxIntervalMs: 50 },
      )
    },
    expectFullIsr: (why) => side.expectFullIsr(why),
    failover: (fault) => side.failover(fault),
  }
  try {
    await reach(side, lanes, () => STEADY.before)
    await side.withFault(s.fault(side.leader), () => s.during(load))
    await s.after?.(load)
  } finally {
    for (const lane of lanes) lane.workload.stop()
  }
  const ledgers = await Promise.all(lanes.map((l) => l.workload.done))
  return side.settle(ledgers.map((ledger) => ({ ledger })))
}

/** The `during` of a leader fault: a new leader, then STEADY.after records acknowledged by it. */
export async function failoverThenLoad(load: SteadyLoad): Promise<void> {
  await load.newLeader()
  await load.more(STEADY.after)
}
