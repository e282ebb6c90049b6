/**
 * One round of exploration: every config a lane (its own producer, its own fresh topic, all led
 * by one node, all through one client line), a continuous keyed load with the send order
 * recorded, and a schedule run against it: each planned fault applied at its time (its role
 * resolved then), healed after its duration, never more nodes down at once than the rules allow
 * (a node fault waits until the previous one's node is back), never two of a kind at once (one
 * waits for the previous one's heal). After the schedule: the cluster is
 * healed to full ISR, the load stops, every lane is read back behind the barrier, reconciled,
 * judged against its config's claims, and its anomalies attributed to the faults.
 */
import type { Cluster } from '../cluster/index.js'
import { laneEndpoint, Lab, startLaneLoad, steadyRate, type LaneResult } from '../engines/index.js'
import type { FaultWindow } from '../faults/index.js'
import { profileOf } from '../gate/battery.js'
import type { Claim, GateConfig } from '../gate/config.js'
import { CLAIM_ANOMALY } from '../gate/verdict.js'
import type { AnomalyName } from '../reconcile/index.js'
import type { ResultsCollector, Timeline } from '../report/index.js'
import { now, pause } from '../workload/clock.js'
import { attribute, placeAnomalies, type AnomalyPoint, type Attribution, type WindowRef } from './attribute.js'
import { PlannedFaultOn } from './faults.js'
import { NODE_DOWN, type PlannedFault, type Schedule } from './schedule.js'

/** Records each lane has acknowledged (acks=0: sent) before the schedule's clock starts. */
export const WARM_RECORDS = 50

/** A planned fault as it happened: its window (times, description, the node it hit), or why it was skipped. */
export interface AppliedFault {
  planned: PlannedFault
  window?: FaultWindow
  node?: number
  skipped?: string
}

/** A claim a lane's config makes that the round broke. */
export interface Break {
  lane: string
  claim: Claim
  anomaly: AnomalyName | 'absent'
  count: number
}

export interface LaneSummary {
  lane: string
  acks: number
  totals: LaneResult['verdict']['totals']
  counts: LaneResult['row']['counts']
  unreconciled?: string
  timeline: Timeline
  points: AnomalyPoint[]
  attribution: Attribution[]
}

/** What a round showed: plain data (JSON). */
export interface RoundResult {
  schedule: Schedule
  /** When the schedule's clock started (the load warm): planned times are after it. */
  t0: number
  endedAt: number
  faults: AppliedFault[]
  lanes: LaneSummary[]
  breaks: Break[]
  /** Stopped early (Ctrl-C): faults not yet due were skipped. */
  aborted: boolean
}

export interface RoundOptions {
  schedule: Schedule
  configs: readonly GateConfig[]
  signal?: AbortSignal
  /** Each fault as it is applied or skipped. */
  onFault?: (f: AppliedFault) => void
  results?: ResultsCollector
}

/** The claims a lane's config makes that its verdict breaks (acks=0: loss is absent records, as the gate judges it). */
export function breaksOf(config: GateConfig, lane: LaneResult): Break[] {
  return (Object.keys(config.claims) as Claim[])
    .filter((claim) => config.claims[claim])
    .flatMap((claim): Break[] => {
      const anomaly = claim === 'noAcknowledgedLoss' && lane.acks === 0 ? 'absent' : CLAIM_ANOMALY[claim]
      const count = anomaly === 'absent' ? lane.absent : lane.verdict.anomalies[anomaly].count
      return count > 0 ? [{ lane: config.name, claim, anomaly, count }] : []
    })
}

/** At most `n` holders at once; acquire() waits for a release. */
function permits(n: number): { acquire: () => Promise<void>; release: () => void } {
  let free = n
  const waiting: Array<() => void> = []
  return {
    acquire: () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => waiting.push(r))),
    release: () => {
      const next = waiting.shift()
      if (next) next()
      else free++
    },
  }
}

export async function runRound(cluster: Cluster, o: RoundOptions): Promise<RoundResult> {
  const { schedule, configs, signal } = o
  // A round starts from a healed cluster: every node up, every partition with its full ISR.
  await cluster.heal()
  const lab = new Lab(cluster, { suite: 'explore', judged: true, ...(o.results ? { results: o.results } : {}) })
  try {
    const side = await lab.lanes({ scenario: `explore seed ${schedule.seed} round ${schedule.round}`, profiles: configs.map((c) => profileOf(c)) })
    const line = await lab.line('explore')
    const aim = { topic: side.topics[0] as string, partition: 0, line }
    const rate = steadyRate(side.lanes.length)
    const loads = side.lanes.map((lane) => startLaneLoad(lane, laneEndpoint(cluster, lane, line, { clientId: `explore-${lane.topic}` }), rate, { drainTimeoutMs: 20_000 }))
    const applied: AppliedFault[] = schedule.faults.map((planned) => ({ planned }))
    let t0 = now()
    try {
      await side.eachLane(
        side.lanes,
        (lane) => `${WARM_RECORDS} records ${lane.acks === 0 ? 'sent' : 'acknowledged'} before the schedule starts`,
        (lane) => {
          const p = loads[side.lanes.indexOf(lane)]?.progress()
          const n = lane.acks === 0 ? (p?.sent ?? 0) - (p?.inFlight ?? 0) : (p?.acknowledged ?? 0)
          if (n < WARM_RECORDS) throw new Error(`${n} so far`)
        },
        { timeoutMs: 60_000, maxIntervalMs: 50 },
      )
      t0 = now()
      const down = permits(Math.max(1, schedule.rules.maxDown))
      // One fault of a kind at a time also when a heal runs late (removing a toxic from every proxy of a path takes a while): two would collide on the toxic's name.
      const kinds = new Map(schedule.faults.map((f) => [f.kind, permits(1)]))
      await Promise.all(
        applied.map(async (a) => {
          const { planned } = a
          // The schedule's own clock: a fault is due at its planned time (not a wait on state).
          await pause(t0 + planned.atMs - now(), signal)
          if (signal?.aborted) return void (a.skipped = 'stopped before it was due')
          const isDown = NODE_DOWN.includes(planned.kind)
          const kind = kinds.get(planned.kind) as ReturnType<typeof permits>
          await kind.acquire()
          if (isDown) await down.acquire()
          const fault = new PlannedFaultOn(planned, aim)
          const at = side.faults.length
          try {
            await side.withFault(fault, () => pause(planned.forMs, signal))
          } catch (e) {
            a.skipped = `${(e as Error).name}: ${(e as Error).message.split('\n')[0]}`
          } finally {
            if (isDown) down.release()
            kind.release()
          }
          a.window = side.faults[at]
          if (fault.hit !== undefined) a.node = fault.hit
          o.onFault?.(a)
        }),
      )
      await pause(t0 + schedule.durationMs - now(), signal)
      await cluster.heal()
    } finally {
      for (const l of loads) l.stop()
    }
    const ledgers = await Promise.all(loads.map((l) => l.done))
    const outcome = await side.settle(ledgers.map((ledger) => ({ ledger })))
    const windows: WindowRef[] = applied.flatMap((a) => (a.window ? [{ id: a.planned.id, appliedAt: a.window.appliedAt, healedAt: a.window.healedAt ?? a.window.appliedAt }] : []))
    const lanes = outcome.lanes.map((lane): LaneSummary => {
      const points = placeAnomalies(lane.verdict, windows)
      return {
        lane: lane.variant,
        acks: lane.acks,
        totals: lane.verdict.totals,
        counts: lane.row.counts,
        ...(lane.unreconciled ? { unreconciled: lane.unreconciled } : {}),
        timeline: lane.row.timeline,
        points,
        attribution: attribute(lane.verdict, points),
      }
    })
    const breaks = configs.flatMap((c) => breaksOf(c, outcome.variant(c.name)))
    return { schedule, t0, endedAt: now(), faults: applied, lanes, breaks, aborted: signal?.aborted ?? false }
  } finally {
    await lab.tearDown()
  }
}
