import type { NodeEvent } from '../cluster/index.js'
import type { FaultWindow } from '../faults/index.js'
import type { LedgerLike, Verdict } from '../reconcile/index.js'

/** One row of a matrix: one scenario run with one producer variant, and what it showed. */
export interface ScenarioResult {
  /** The scenario file's theme, e.g. "acks", "idempotency", "gate". */
  suite: string
  /** The story, e.g. "leader SIGKILL under steady load". */
  scenario: string
  /** The producer variant or config under test, e.g. "acks=all", "non-idempotent, retries 5". */
  variant: string
  /** The client library whose producer ran (a name in harness/clients/registry.ts), if the scenario says. */
  client?: string
  topic: string | null
  startedAt: number
  endedAt: number
  totals: Verdict['totals']
  /** Exact counts per anomaly class. */
  counts: {
    /** Sent minus found: records absent from the log whatever the producer was told (acks=0's only measure of loss). */
    absent: number
    lost: number
    duplicated: number
    overwritten: number
    reordered: number
    outOfSendOrder: number
    phantom: number
    keySplit: number
    failedButWritten: number
    unknownWritten: number
    unknownAbsent: number
  }
  violations: Verdict['violations']
  /** Time from the leader's fault to a new leader being observed, when the scenario measured it. */
  timeToNewLeaderMs?: number
  faults: FaultWindow[]
  nodeEvents: NodeEvent[]
  /**
   * What the cluster itself did, as a scenario observed it (e.g. from the brokers' logs: the KRaft
   * quorum's active controller and epoch, a broker fenced, a log truncated), drawn on the timeline.
   */
  clusterEvents?: Array<{ at: number; node: number; label: string }>
  /** Leader changes the producer saw in its metadata. */
  leaderChanges: Array<{ at: number; partition: number; from: number; to: number }>
  timeline: Timeline
  /** Free-form facts the scenario wants in the report (e.g. the error code seen). */
  notes?: Record<string, string | number | boolean>
}

/** Sends over time in fixed-width bins, plus the moments of loss and duplication: for pictures. */
export interface Timeline {
  t0: number
  binMs: number
  bins: Array<{ ok: number; failed: number; unknown: number }>
  /** ms after t0 at which a later-lost record was acknowledged (from the verdict's evidence). */
  lost: number[]
  duplicated: number[]
}

export function timeline(ledger: LedgerLike, verdict: Verdict, t0: number, t1: number, binCount = 120): Timeline {
  const span = Math.max(1, t1 - t0)
  const binMs = Math.max(1, Math.ceil(span / binCount))
  const bins = Array.from({ length: Math.ceil(span / binMs) + 1 }, () => ({ ok: 0, failed: 0, unknown: 0 }))
  for (const e of ledger.entries) {
    const b = bins[Math.min(bins.length - 1, Math.max(0, Math.floor((e.end - t0) / binMs)))]
    if (b) b[e.outcome]++
  }
  return {
    t0,
    binMs,
    bins,
    lost: verdict.anomalies.lost.evidence.map((x) => x.sendEnd - t0),
    duplicated: verdict.anomalies.duplicated.evidence.map((x) => x.sendEnd - t0),
  }
}

/** Builds the row from what a scenario has at its end. */
export function scenarioResult(input: {
  suite: string
  scenario: string
  variant: string
  client?: string
  ledger: LedgerLike & { events?: ReadonlyArray<{ at: number; type: string; detail?: Record<string, unknown> }> }
  verdict: Verdict
  faults?: FaultWindow[]
  nodeEvents?: NodeEvent[]
  timeToNewLeaderMs?: number
  notes?: Record<string, string | number | boolean>
}): ScenarioResult {
  const { ledger, verdict } = input
  let t0 = ledger.startedAt ?? Infinity
  let t1 = -Infinity
  for (const e of ledger.entries) {
    if (e.start < t0) t0 = e.start
    if (e.end > t1) t1 = e.end
  }
  for (const f of input.faults ?? []) {
    t0 = Math.min(t0, f.appliedAt)
    t1 = Math.max(t1, f.healedAt ?? f.appliedAt)
  }
  t1 = Math.max(t1, t0 + 1)
  const a = verdict.anomalies
  return {
    suite: input.suite,
    scenario: input.scenario,
    variant: input.variant,
    ...(input.client === undefined ? {} : { client: input.client }),
    topic: verdict.topic,
    startedAt: Number.isFinite(t0) ? t0 : Date.now(),
    endedAt: t1,
    totals: verdict.totals,
    counts: {
      absent: verdict.totals.sent - (verdict.totals.acknowledged - a.lost.count + a.failedButWritten.count + a.unknownWritten.count),
      lost: a.lost.count,
      duplicated: a.duplicated.count,
      overwritten: a.overwritten.count,
      reordered: a.reordered.count,
      outOfSendOrder: a.outOfSendOrder.count,
      phantom: a.phantom.count,
      keySplit: a.keySplit.count,
      failedButWritten: a.failedButWritten.count,
      unknownWritten: a.unknownWritten.count,
      unknownAbsent: a.unknownAbsent.count,
    },
    violations: verdict.violations,
    ...(input.timeToNewLeaderMs === undefined ? {} : { timeToNewLeaderMs: input.timeToNewLeaderMs }),
    faults: input.faults ?? [],
    nodeEvents: (input.nodeEvents ?? []).filter((e) => e.at >= t0 && e.at <= t1 + 60_000),
    leaderChanges: (ledger.events ?? [])
      .filter((e) => e.type === 'leader-change')
      .map((e) => ({ at: e.at, partition: Number(e.detail?.partition), from: Number(e.detail?.from), to: Number(e.detail?.to) })),
    timeline: timeline(ledger, verdict, Number.isFinite(t0) ? t0 : Date.now(), t1),
    ...(input.notes ? { notes: input.notes } : {}),
  }
}
