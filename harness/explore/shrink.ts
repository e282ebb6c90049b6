/**
 * Shrinking a claim an exploration broke: delta debugging (Zeller's ddmin) over the faults of a
 * round that broke it, each candidate rerun on the cluster with only the lane that broke, until no
 * single fault can be removed without the anomaly going away; then each remaining window is halved
 * while the anomaly still shows. A candidate keeps the faults' relative timing and drops the empty
 * time before the first one and after the last (compact), so reruns are short.
 *
 * Which round: every round that broke the claim is an origin; the shrink starts from the strongest
 * (most anomalous records; ties: the shorter schedule, then fewer faults, then the earlier round),
 * the likeliest to break it again. An origin whose first two candidates both keep the claim (or
 * that ends with no candidate breaking it) is rerun whole once; if that check keeps the claim too,
 * the origin does not reproduce and the shrink falls back to the next strongest, from scratch.
 *
 * The budget: one count of reruns for all of it (checks, drops, halvings). A candidate already
 * rerun is never rerun (its outcome is remembered), and the shrink stops as soon as nothing smaller
 * can be tried. Deterministic: given the origins and the outcomes `trial` reports, the same
 * candidates in the same order.
 *
 * Pure but for `trial` (the rerun), which the caller gives: unit tests give a stand-in.
 */
import { ruleViolations, SHORTEST_MS, type PlannedFault, type Schedule } from './schedule.js'

/** Reruns a candidate schedule; true when the claim broke again. */
export type Trial = (candidate: Schedule) => Promise<boolean>

/** A round that broke the claim: its index in the exploration's rounds, its anomalous records for the claim, its schedule. */
export interface Origin {
  round: number
  count: number
  schedule: Schedule
}

export interface ShrinkStep {
  /** check: an origin rerun whole; drop: ddmin's candidate; shorten: a window halved. */
  phase: 'check' | 'drop' | 'shorten'
  /** The origin's round the candidate came from. */
  round: number
  /** The candidate's faults (id: forMs). */
  faults: string[]
  reproduced: boolean
}

export interface ShrinkResult {
  /** The schedule shrunk: the origin's (or, when no origin reproduced, the strongest's). */
  from: Schedule
  /** The origin it was shrunk from (round, records), and the stronger ones given up because their check kept the claim. */
  origin: { round: number; count: number }
  abandoned: Array<{ round: number; count: number }>
  minimal: Schedule
  steps: ShrinkStep[]
  /** ddmin ran to the end: no single fault of `minimal` can be removed (each removal was rerun and did not reproduce). False when the run budget ran out first. */
  oneMinimal: boolean
  /** No rerun of any origin tried broke the claim: `minimal` is the strongest origin untouched. */
  notReproduced: boolean
  /** The budget it had. */
  maxRuns: number
}

export interface ShrinkOptions {
  /** Reruns at most, checks included (default DEFAULT_SHRINK_RUNS). */
  maxRuns?: number
  /** Origins tried at most, the strongest first (default 3). */
  maxOrigins?: number
  /** Try halving the windows of the minimal schedule (default true). */
  shorten?: boolean
  signal?: AbortSignal
}

/**
 * The default budget, sized for the default 60-s round (about 13 faults). Measured with a stand-in
 * rerun over 300-400 drawn 60-s rounds: one culprit fault is found and its window halved to what it
 * needs in 7 reruns (median; at most 11); two culprits need 17 for ddmin alone (median; 90% within
 * 25): 24 finishes ddmin for 89% of them, and leaves a single culprit room for a fallback or two.
 * docs/exploration.md, "Shrinking".
 */
export const DEFAULT_SHRINK_RUNS = 24

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

/** The rounds (of an exploration's `rounds`) that broke a claim, as origins. */
export function originsOf(rounds: ReadonlyArray<{ schedule: Schedule }>, broken: ReadonlyArray<{ round: number; count: number }>): Origin[] {
  return broken.flatMap(({ round, count }) => {
    const schedule = rounds[round]?.schedule
    return schedule ? [{ round, count, schedule }] : []
  })
}

/** The origins strongest first: most records, then the shorter schedule, fewer faults, the earlier round. */
export function strongestFirst(origins: readonly Origin[]): Origin[] {
  return [...origins].sort((a, b) => b.count - a.count || a.schedule.durationMs - b.schedule.durationMs || a.schedule.faults.length - b.schedule.faults.length || a.round - b.round)
}

/** The budget ran out or the signal came: the shrink ends with what it has. */
class Spent extends Error {}
/** The origin's check kept the claim: it does not reproduce. */
class Unreproduced extends Error {}

/** The window `f` halved (to 100 ms), not below SHORTEST_MS; `f.forMs` itself when it cannot be shorter. */
const halved = (f: PlannedFault): number => Math.max(SHORTEST_MS, Math.round(f.forMs / 2 / 100) * 100)

/**
 * Shrinks `origins` (the rounds that broke a claim; at least one) against `trial`, the strongest
 * that reproduces first, within `maxRuns` reruns in all.
 */
export async function shrinkStrongest(origins: readonly Origin[], trial: Trial, o: ShrinkOptions = {}): Promise<ShrinkResult> {
  const maxRuns = o.maxRuns ?? DEFAULT_SHRINK_RUNS
  const ordered = strongestFirst(origins).slice(0, Math.max(1, o.maxOrigins ?? 3))
  const strongest = ordered[0]
  if (!strongest) throw new Error('internal: shrink needs at least one round that broke the claim')
  const steps: ShrinkStep[] = []
  const abandoned: ShrinkResult['abandoned'] = []
  const end = (origin: Origin, faults: readonly PlannedFault[], oneMinimal: boolean, notReproduced = false): ShrinkResult => ({
    from: origin.schedule,
    origin: { round: origin.round, count: origin.count },
    abandoned,
    minimal: compact(origin.schedule, faults),
    steps,
    oneMinimal,
    notReproduced,
    maxRuns,
  })

  for (const origin of ordered) {
    const from = origin.schedule
    const seen = new Map<string, boolean>()
    let hits = 0
    let misses = 0
    let checked = false
    const rerun = async (phase: ShrinkStep['phase'], faults: readonly PlannedFault[]): Promise<boolean> => {
      const candidate = compact(from, faults)
      const key = label(candidate).join()
      const known = seen.get(key)
      if (known !== undefined) return known
      if (steps.length >= maxRuns || o.signal?.aborted) throw new Spent()
      const bad = ruleViolations(candidate)
      if (bad.length) throw new Error(`internal: a shrink candidate broke the rules (${bad.join('; ')})`)
      const reproduced = await trial(candidate)
      steps.push({ phase, round: origin.round, faults: label(candidate), reproduced })
      seen.set(key, reproduced)
      if (reproduced) hits++
      else misses++
      return reproduced
    }
    // The origin rerun whole, once: when it keeps the claim, the origin does not reproduce.
    const check = async (): Promise<void> => {
      if (checked || hits > 0) return
      checked = true
      if (!(await rerun('check', from.faults))) throw new Unreproduced()
    }
    const candidate = async (phase: ShrinkStep['phase'], faults: readonly PlannedFault[]): Promise<boolean> => {
      if (hits === 0 && misses >= 2) await check()
      return rerun(phase, faults)
    }

    let faults = [...from.faults]
    let oneMinimal = false
    try {
      // ddmin: try each chunk alone, then each complement; on success restart coarse, else refine.
      let n = 2
      ddmin: while (faults.length >= 2) {
        const parts = chunks(faults, n)
        const candidates = [...parts, ...(parts.length > 2 ? parts.map((p) => faults.filter((f) => !p.includes(f))) : [])]
        for (const [i, c] of candidates.entries()) {
          if (await candidate('drop', c)) {
            faults = c
            n = i < parts.length ? 2 : Math.max(2, n - 1)
            continue ddmin
          }
        }
        if (n >= faults.length) break
        n = Math.min(faults.length, n * 2)
      }
      oneMinimal = true
      // Shorten: halve each window while the anomaly still shows.
      if (o.shorten ?? true) {
        for (let i = 0; i < faults.length; i++) {
          for (let f = faults[i] as PlannedFault; halved(f) < f.forMs; f = faults[i] as PlannedFault) {
            const c = faults.map((g, j) => (j === i ? { ...g, forMs: halved(f) } : g))
            if (!(await candidate('shorten', c))) break
            faults = c
          }
        }
      }
      // Nothing broke the claim: the origin is checked whole before it is taken as the minimal schedule.
      if (hits === 0) await check()
      return end(origin, faults, oneMinimal)
    } catch (e) {
      if (e instanceof Unreproduced) {
        abandoned.push({ round: origin.round, count: origin.count })
        continue
      }
      if (e instanceof Spent) return hits > 0 ? end(origin, faults, oneMinimal) : end(strongest, strongest.schedule.faults, false, true)
      throw e
    }
  }
  return end(strongest, strongest.schedule.faults, false, true)
}
