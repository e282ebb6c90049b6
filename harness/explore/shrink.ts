/**
 * Shrinking a schedule that broke a claim: delta debugging (Zeller's ddmin) over its faults, each
 * candidate rerun on the cluster with only the lane that broke, until no single fault can be
 * removed without the anomaly going away; then each remaining window is halved while the anomaly
 * still shows. A candidate keeps the faults' relative timing and drops the empty time before the
 * first one and after the last (compact), so reruns are short.
 *
 * Pure but for `trial` (the rerun), which the caller gives: unit tests give a stand-in.
 */
import { ruleViolations, SHORTEST_MS, type PlannedFault, type Schedule } from './schedule.js'

/** Reruns a candidate schedule; true when the claim broke again. */
export type Trial = (candidate: Schedule) => Promise<boolean>

export interface ShrinkStep {
  phase: 'drop' | 'shorten'
  /** The candidate's faults (id: forMs). */
  faults: string[]
  reproduced: boolean
}

export interface ShrinkResult {
  from: Schedule
  minimal: Schedule
  steps: ShrinkStep[]
  /** ddmin ran to the end: no single fault of `minimal` can be removed (each removal was rerun and did not reproduce). False when the run budget ran out first. */
  oneMinimal: boolean
}

export interface ShrinkOptions {
  /** Reruns at most (default 12). */
  maxRuns?: number
  /** Try halving the windows of the minimal schedule (default true). */
  shorten?: boolean
  signal?: AbortSignal
}

/** The schedule of `faults`, their relative timing kept: the first starts at the lead, the schedule ends a tail after the last heals. */
export function compact(s: Schedule, faults: readonly PlannedFault[]): Schedule {
  if (faults.length === 0) return { ...s, faults: [], durationMs: s.rules.leadMs + s.rules.tailMs }
  const shift = Math.min(...faults.map((f) => f.atMs)) - s.rules.leadMs
  const moved = faults.map((f) => ({ ...f, atMs: f.atMs - shift }))
  return { ...s, faults: moved, durationMs: Math.max(...moved.map((f) => f.atMs + f.forMs)) + s.rules.tailMs }
}

const label = (s: Schedule): string[] => s.faults.map((f) => `${f.id}:${f.forMs}`)

function chunks<T>(xs: readonly T[], n: number): T[][] {
  const out: T[][] = []
  const size = Math.ceil(xs.length / n)
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size))
  return out
}

export async function shrink(from: Schedule, trial: Trial, o: ShrinkOptions = {}): Promise<ShrinkResult> {
  const maxRuns = o.maxRuns ?? 12
  const steps: ShrinkStep[] = []
  const run = async (phase: ShrinkStep['phase'], faults: readonly PlannedFault[]): Promise<boolean | undefined> => {
    if (steps.length >= maxRuns || o.signal?.aborted) return undefined
    const candidate = compact(from, faults)
    const bad = ruleViolations(candidate)
    if (bad.length) throw new Error(`internal: a shrink candidate broke the rules (${bad.join('; ')})`)
    const reproduced = await trial(candidate)
    steps.push({ phase, faults: label(candidate), reproduced })
    return reproduced
  }

  // ddmin: try each chunk alone, then each complement; on success restart coarse, else refine.
  let faults = [...from.faults]
  let n = 2
  let exhausted = false
  ddmin: while (faults.length >= 2) {
    const parts = chunks(faults, n)
    const candidates = [...parts, ...(parts.length > 2 ? parts.map((p) => faults.filter((f) => !p.includes(f))) : [])]
    for (const [i, c] of candidates.entries()) {
      const r = await run('drop', c)
      if (r === undefined) {
        exhausted = true
        break ddmin
      }
      if (r) {
        faults = c
        n = i < parts.length ? 2 : Math.max(2, n - 1)
        continue ddmin
      }
    }
    if (n >= faults.length) break
    n = Math.min(faults.length, n * 2)
  }

  const oneMinimal = !exhausted
  // Shorten: halve each window while the anomaly still shows.
  if (o.shorten ?? true) {
    for (let i = 0; i < faults.length; i++) {
      for (;;) {
        const f = faults[i] as PlannedFault
        const shorter = Math.max(SHORTEST_MS, Math.round(f.forMs / 2 / 100) * 100)
        if (shorter >= f.forMs) break
        const c = faults.map((g, j) => (j === i ? { ...g, forMs: shorter } : g))
        const r = await run('shorten', c)
        if (!r) break
        faults = c
      }
    }
  }
  return { from, minimal: compact(from, faults), steps, oneMinimal }
}
