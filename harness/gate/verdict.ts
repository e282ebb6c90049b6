/**
 * The gate's verdicts, as data.
 *
 * Per (config, scenario, claim), from the config's lane in that scenario:
 * - broken: the claim's anomaly is in the lane's log (count > 0), with the evidence. Evidence is
 *   evidence: a lane whose scenario steps did not all happen can still break a claim. Only a
 *   claim the scenario is exempt from for this config (it shows the anomaly whatever the config,
 *   e.g. duplicates across producer sessions) is not judged there.
 * - kept: the fault hit what the claim is about in this lane (the claim's exercise rule below
 *   holds), and the anomaly is absent.
 * - not exercised: the anomaly is absent, but the fault never put the claim at risk in this lane;
 *   the reason says what did not happen (and which of the scenario's steps this lane never
 *   reached, or why they do not apply to it).
 * - unknown: the lane could not be read back and reconciled, or the scenario could not run. A
 *   checker that could not look is never a pass.
 *
 * Per (config, claim), over the battery:
 * - ruled out: the options make the claim untrue (config.ts `contradictions`), whatever the
 *   battery happened to show. Fails.
 * - unknown: some scenario could not judge it. Fails.
 * - broken: broken in some scenario. Fails.
 * - kept: kept in at least one scenario that exercised it, broken in none. Passes.
 * - not exercised: no scenario could exercise it for this config. Fails, saying so.
 * A config passes when every claim it makes is kept.
 *
 * Exercise rules (what "the fault hit this lane's traffic" means, per claim):
 * - noAcknowledgedLoss: records were acknowledged (acks=0: sent) before the fault was in force,
 *   and sends were in flight while it was: acknowledged data sat on the faulted path and the
 *   producer kept writing through the fault.
 * - noDuplicates: the leader wrote records whose answer never reached the producer (measured by
 *   the scenario: the lost answer, the held answers before the resets), or the log holds records
 *   the producer was told failed or never learned of: the situation in which a retry writes twice.
 * - perKeyOrder: a send of some key was disturbed by the fault (retried, failed, left unknown, or
 *   in flight while the fault was in force), and a later send of the same key was written: the
 *   situation in which a retried earlier record can land after a later one.
 */
import type { AnomalyName } from '../reconcile/index.js'
import { describeEvidence } from '../reconcile/index.js'
import type { LaneResult, LaneStep } from '../engines/index.js'
import type { FaultWindow } from '../faults/index.js'
import { contradictions, productionRetry, type Claim, type GateConfig } from './config.js'

/** The anomaly that breaks each claim. acks=0 lanes are judged on absent records for noAcknowledgedLoss (see lossOf). */
export const CLAIM_ANOMALY: Record<Claim, AnomalyName> = { noAcknowledgedLoss: 'lost', noDuplicates: 'duplicated', perKeyOrder: 'outOfSendOrder' }

export type ScenarioStatus = 'kept' | 'broken' | 'notExercised' | 'unknown'
export type ClaimStatus = ScenarioStatus | 'ruledOut'

export interface ScenarioClaimVerdict {
  scenario: string
  claim: Claim
  status: ScenarioStatus
  /** kept: how the fault hit the claim; not exercised / unknown: why not; broken: what was found. */
  reason: string
  /** broken: the anomaly and its exact count, the faults in force, and the first evidence lines. */
  anomaly?: AnomalyName
  count?: number
  faults?: string
  evidence?: string[]
}

export interface ClaimVerdict {
  claim: Claim
  status: ClaimStatus
  /** One line: the contradiction, the first breach, where it was kept, or why nothing exercised it. */
  reason: string
  /** Also set when ruled out: what the battery showed. */
  breach?: ScenarioClaimVerdict
  scenarios: ScenarioClaimVerdict[]
}

export interface ConfigVerdict {
  config: string
  passed: boolean
  /** Only the claims the config makes. */
  claims: ClaimVerdict[]
  /** The retry settings its lanes ran with (kafkajs production defaults under the config's own). */
  retry: ReturnType<typeof productionRetry>
}

/** What a scenario gives the judge for one config: its lane, the scenario's faults, or why it could not run. */
export interface ScenarioRun {
  scenario: string
  /** Claims this scenario cannot test for this config, with the reason. */
  exempt?: Partial<Record<Claim, string>>
  lane?: LaneResult
  faults?: readonly FaultWindow[]
  /** The scenario failed as a whole (a harness failure, not a verdict). */
  error?: string
}

/** The claim's anomaly count and evidence in a lane. acks=0 acknowledges nothing: its loss is records sent and absent. */
function anomalyOf(claim: Claim, lane: LaneResult): { anomaly: AnomalyName; count: number } {
  if (claim === 'noAcknowledgedLoss' && lane.acks === 0) {
    return { anomaly: 'unknownAbsent', count: lane.verdict.anomalies.unknownAbsent.count + lane.verdict.anomalies.lost.count }
  }
  const anomaly = CLAIM_ANOMALY[claim]
  return { anomaly, count: lane.verdict.anomalies[anomaly].count }
}

/** Whether the fault put the claim at risk in this lane: a reason either way. */
export function exercised(claim: Claim, lane: LaneResult, faults: readonly FaultWindow[]): { exercised: boolean; reason: string } {
  const entries = lane.ledger.entries
  const windows = faults.map((f) => ({ from: f.appliedAt, to: f.healedAt ?? Infinity, inForce: f.inForceAt ?? f.appliedAt }))
  const duringFault = (e: { start: number; end: number }) => windows.some((w) => e.start <= w.to && e.end >= w.from)
  if (claim === 'noAcknowledgedLoss') {
    const first = windows[0]
    if (!first) return { exercised: false, reason: 'no fault was applied' }
    const atRisk = entries.filter((e) => (lane.acks === 0 ? e.end < first.inForce : e.outcome === 'ok' && e.end < first.inForce)).length
    const hit = entries.filter(duringFault).length
    const what = lane.acks === 0 ? 'sent' : 'acknowledged'
    if (atRisk === 0) return { exercised: false, reason: `no record was ${what} before the fault was in force` }
    if (hit === 0) return { exercised: false, reason: 'no send was in flight while the fault was in force' }
    return { exercised: true, reason: `${atRisk} records ${what} before the fault, ${hit} sent through it` }
  }
  if (claim === 'noDuplicates') {
    const unanswered = lane.facts.writtenUnanswered ?? 0
    const a = lane.verdict.anomalies
    const unaware = a.failedButWritten.count + (lane.acks === 0 ? 0 : a.unknownWritten.count)
    if (unanswered > 0) return { exercised: true, reason: `${unanswered} records written by the leader without their answer reaching the producer` }
    if (unaware > 0) return { exercised: true, reason: `${unaware} records written though the producer was told they failed or never learned their outcome` }
    return { exercised: false, reason: 'no record was written without the producer learning so' }
  }
  // perKeyOrder
  const present = new Set(lane.log.records.map((r) => r.id))
  const disturbedKeys = new Set<string>()
  let after = 0
  for (const e of entries) {
    if (disturbedKeys.has(e.key) && present.has(e.id)) after++
    const disturbed = e.attempts > 1 || (e.outcome !== 'ok' && e.reason !== 'acks=0') || duringFault(e)
    if (disturbed) disturbedKeys.add(e.key)
  }
  if (after > 0) return { exercised: true, reason: `${after} records written after an earlier send of their key was disturbed by the fault (retried, failed, or in flight in it)` }
  return { exercised: false, reason: 'no record was sent after an earlier send of its key was disturbed by the fault' }
}

function unmet(steps: readonly LaneStep[]): string {
  const missed = steps.filter((s) => !s.met)
  if (missed.length === 0) return ''
  return `; ${missed.map((s) => (s.notApplicable !== undefined ? `${s.what}: does not apply: ${s.notApplicable}` : `${s.what}: never happened (${s.observed ?? 'no observation'})`)).join('; ')}`
}

/** One claim in one scenario for one config. */
export function judgeScenario(claim: Claim, run: ScenarioRun): ScenarioClaimVerdict {
  const base = { scenario: run.scenario, claim }
  if (run.error !== undefined) return { ...base, status: 'unknown', reason: `the scenario could not run: ${run.error}` }
  const lane = run.lane
  if (!lane) return { ...base, status: 'unknown', reason: 'the scenario ran no lane for this config' }
  if (lane.unreconciled !== undefined) return { ...base, status: 'unknown', reason: `this config's lane ${lane.unreconciled}` }
  const { anomaly, count } = anomalyOf(claim, lane)
  const faults = (run.faults ?? []).map((f) => f.description).join('; ')
  // An exempt claim is one this scenario cannot test for this config: what it shows is expected whatever the config.
  const exempt = run.exempt?.[claim]
  if (exempt !== undefined) return { ...base, status: 'notExercised', reason: `exempt here: ${exempt}${count > 0 ? ` (${count} ${anomaly} here, as expected)` : ''}` }
  if (count > 0) {
    const evidence = describeEvidence(lane.verdict, anomaly, '').slice(0, 10)
    return { ...base, status: 'broken', reason: `${count} ${anomaly}`, anomaly, count, faults, evidence }
  }
  const x = exercised(claim, lane, run.faults ?? [])
  if (x.exercised) return { ...base, status: 'kept', reason: x.reason }
  return { ...base, status: 'notExercised', reason: `${x.reason}${unmet(lane.steps)}` }
}

/** A config's verdict over the battery. */
export function judgeConfig(config: GateConfig, runs: readonly ScenarioRun[]): ConfigVerdict {
  const ruledOut = new Map(contradictions(config).map((c) => [c.field.replace(/^claims\./, '') as Claim, c.message]))
  const claims = (Object.keys(config.claims) as Claim[])
    .filter((claim) => config.claims[claim])
    .map((claim): ClaimVerdict => {
      const scenarios = runs.map((r) => judgeScenario(claim, r))
      // The breach shown: the largest count (the clearest evidence), the first scenario on a tie.
      const breach = scenarios.filter((s) => s.status === 'broken').reduce<ScenarioClaimVerdict | undefined>((best, s) => (best === undefined || (s.count ?? 0) > (best.count ?? 0) ? s : best), undefined)
      const contradiction = ruledOut.get(claim)
      if (contradiction !== undefined) return { claim, status: 'ruledOut', reason: contradiction, ...(breach ? { breach } : {}), scenarios }
      const unknown = scenarios.filter((s) => s.status === 'unknown')
      if (unknown.length) return { claim, status: 'unknown', reason: unknown.map((s) => `${s.scenario}: ${s.reason}`).join('; '), scenarios }
      if (breach) return { claim, status: 'broken', reason: `${breach.count} ${breach.anomaly} under "${breach.scenario}"`, breach, scenarios }
      const kept = scenarios.filter((s) => s.status === 'kept')
      if (kept.length) return { claim, status: 'kept', reason: `kept under ${kept.map((s) => `"${s.scenario}"`).join(', ')}`, scenarios }
      return { claim, status: 'notExercised', reason: `no scenario exercised it: ${scenarios.map((s) => `${s.scenario}: ${s.reason}`).join('; ')}`, scenarios }
    })
  return { config: config.name, passed: claims.every((c) => c.status === 'kept'), claims, retry: productionRetry(config) }
}

/** The status of each claim the config makes, e.g. for an exact assertion. */
export function claimStatuses(v: ConfigVerdict): Partial<Record<Claim, ClaimStatus>> {
  return Object.fromEntries(v.claims.map((c) => [c.claim, c.status]))
}

/** The verdict a person reads: one block per config, one line per claim, the evidence of a breach under it. */
export function describeConfigVerdict(v: ConfigVerdict): string {
  const lines = [`'${v.config}': ${v.passed ? 'KEPT its claims' : 'FAILED the gate'} (retries ${v.retry.retries} from ${v.retry.initialMs} ms)`]
  for (const c of v.claims) {
    lines.push(`  ${c.claim}: ${STATUS_TEXT[c.status]}: ${c.reason}`)
    const b = c.breach
    if (b) lines.push(`    under "${b.scenario}" (${b.faults}): ${b.count} ${b.anomaly}`, ...(b.evidence ?? []).slice(0, 5).map((e) => `      ${e}`))
  }
  return lines.join('\n')
}

export const STATUS_TEXT: Record<ClaimStatus, string> = {
  kept: 'kept',
  broken: 'BROKEN',
  notExercised: 'NOT EXERCISED',
  unknown: 'UNKNOWN',
  ruledOut: 'RULED OUT by its options',
}
