/**
 * An exploration: rounds of seeded schedules against every config's lane, each broken claim
 * shrunk to a minimal schedule (rerunning only the lane that broke) and the minimal schedule
 * repeated to measure how often it reproduces. A plain function over a live cluster (cli.ts and
 * tests/explore/ call it), which reports progress and stops cleanly on its signal: the fault in
 * force heals, the round is read back and reconciled, and what was found so far is returned.
 */
import type { Cluster } from '../cluster/index.js'
import { contradictions, type Claim, type GateConfig } from '../gate/config.js'
import type { ResultsCollector } from '../report/index.js'
import { runRound, type AppliedFault, type Break, type RoundResult } from './run.js'
import { DEFAULT_RULES, drawSchedule, type Schedule, type ScheduleRules } from './schedule.js'
import { DEFAULT_SHRINK_RUNS, originsOf, shrinkStrongest, strongestFirst, type Origin, type ShrinkResult } from './shrink.js'

export interface ExploreOptions {
  seed: number
  /** Schedule time in all, split into rounds of `roundMs` (the last one shorter). */
  minutes: number
  roundMs?: number
  rules?: ScheduleRules
  configs: readonly GateConfig[]
  /** Reruns the shrinker may make per broken claim, its checks included (0: no shrinking; default DEFAULT_SHRINK_RUNS). */
  shrinkRuns?: number
  /** Runs of each minimal schedule, for its reproduction rate (0: none). */
  repeat?: number
  /** Shrink only these broken claims (lane/claim); default every one. */
  shrinkOnly?: ReadonlyArray<{ lane: string; claim: Claim }>
  signal?: AbortSignal
  onProgress?: (p: Progress) => void
  results?: ResultsCollector
}

export interface Progress {
  phase: 'round' | 'shrink' | 'repeat'
  what: string
  faults: number
  anomalies: number
  /** Schedule time left in the exploration's budget (rounds only). */
  leftMs: number
  fault?: AppliedFault
}

/** A claim a lane broke, what the shrinker made of it and how often the minimal schedule reproduced. */
export interface Finding {
  lane: string
  claim: Claim
  anomaly: Break['anomaly']
  /** The round that broke it first (its index in the report's rounds), and how many records. */
  round: number
  count: number
  /** Every round that broke it (its index in the report's rounds) and how many records, in round order. */
  rounds: Array<{ round: number; count: number }>
  /** The shrink: from the strongest round that reproduced (shrunk.origin), the stronger ones given up (shrunk.abandoned). */
  shrunk?: ShrinkResult
  /** The minimal schedule rerun (the strongest round's, when it was not shrunk or did not reproduce): times it broke the claim, of runs. */
  reproduced?: { times: number; of: number }
  /** The config's options already rule the claim out (the gate's contradictions): the mechanism, known before any fault. */
  ruledOut?: string
}

export interface ExploreReport {
  seed: number
  configs: string[]
  startedAt: number
  endedAt: number
  rounds: RoundResult[]
  findings: Finding[]
  aborted: boolean
}

/** The rounds an exploration of `minutes` runs: each a schedule drawn from (seed, round). Same seed, same rounds. */
export function planRounds(seed: number, minutes: number, roundMs = 60_000, rules: ScheduleRules = DEFAULT_RULES): Schedule[] {
  const total = Math.round(minutes * 60_000)
  const out: Schedule[] = []
  for (let at = 0, round = 0; at < total; at += roundMs, round++) out.push(drawSchedule(seed, Math.max(Math.min(roundMs, total - at), rules.leadMs + rules.forMs[0] + rules.tailMs), rules, round))
  return out
}

function findingOf(b: Break, round: number, configs: readonly GateConfig[]): Finding {
  const config = configs.find((c) => c.name === b.lane)
  const ruledOut = config && contradictions(config).find((c) => c.field.replace(/^claims\./, '') === b.claim)?.message
  return { lane: b.lane, claim: b.claim, anomaly: b.anomaly, round, count: b.count, rounds: [], ...(ruledOut ? { ruledOut } : {}) }
}

const brokeIt = (r: RoundResult, lane: string, claim: Claim): boolean => r.breaks.some((b) => b.lane === lane && b.claim === claim)

/** What explore() and replay() share: the report as it grows, the counts the progress line shows, and running a round. */
class Search {
  readonly report: ExploreReport
  faults = 0
  leftMs = 0

  constructor(
    private readonly cluster: Cluster,
    seed: number,
    private readonly configs: readonly GateConfig[],
    private readonly o: Pick<ExploreOptions, 'signal' | 'onProgress' | 'results'>,
  ) {
    this.report = { seed, configs: configs.map((c) => c.name), startedAt: Date.now(), endedAt: 0, rounds: [], findings: [], aborted: false }
  }

  get aborted(): boolean {
    return this.o.signal?.aborted ?? false
  }

  /** Anomalous records of broken claims, over the rounds so far. */
  private anomalies(): number {
    return this.report.rounds.reduce((t, r) => t + r.breaks.reduce((u, b) => u + b.count, 0), 0)
  }

  progress(phase: Progress['phase'], what: string, fault?: AppliedFault): void {
    this.o.onProgress?.({ phase, what, faults: this.faults, anomalies: this.anomalies(), leftMs: this.leftMs, ...(fault ? { fault } : {}) })
  }

  round(schedule: Schedule, configs: readonly GateConfig[], phase: Progress['phase'], what: string): Promise<RoundResult> {
    return runRound(this.cluster, {
      schedule,
      configs,
      ...(this.o.signal ? { signal: this.o.signal } : {}),
      ...(this.o.results ? { results: this.o.results } : {}),
      onFault: (f) => {
        if (f.window) this.faults++
        this.progress(phase, what, f)
      },
    })
  }

  /** Keeps a round of the search (not a shrink candidate's): a finding for each claim it broke first, and the round among the finding's rounds. */
  keep(r: RoundResult): void {
    this.report.rounds.push(r)
    const round = this.report.rounds.length - 1
    for (const b of r.breaks) {
      let f = this.report.findings.find((x) => x.lane === b.lane && x.claim === b.claim)
      if (!f) this.report.findings.push((f = findingOf(b, round, this.configs)))
      f.rounds.push({ round, count: b.count })
    }
  }

  end(): ExploreReport {
    this.report.aborted = this.aborted
    this.report.endedAt = Date.now()
    return this.report
  }
}

export async function explore(cluster: Cluster, o: ExploreOptions): Promise<ExploreReport> {
  const search = new Search(cluster, o.seed, o.configs, o)
  const { report } = search
  const plan = planRounds(o.seed, o.minutes, o.roundMs, o.rules)
  search.leftMs = plan.reduce((t, s) => t + s.durationMs, 0)

  for (const schedule of plan) {
    if (search.aborted) break
    const what = `round ${schedule.round + 1} of ${plan.length}`
    search.progress('round', `${what}: ${schedule.faults.length} faults over ${(schedule.durationMs / 1000).toFixed(0)} s`)
    const r = await search.round(schedule, o.configs, 'round', what)
    search.keep(r)
    search.leftMs -= schedule.durationMs
    search.progress('round', `${what} done: ${r.breaks.map((b) => `${b.lane} broke ${b.claim} (${b.anomaly} ${b.count})`).join('; ') || 'every claim kept'}`)
  }

  for (const f of report.findings) {
    if (search.aborted) break
    if (o.shrinkOnly && !o.shrinkOnly.some((s) => s.lane === f.lane && s.claim === f.claim)) continue
    const config = o.configs.find((c) => c.name === f.lane) as GateConfig
    const origins = originsOf(report.rounds, f.rounds)
    const strongest = strongestFirst(origins)[0] as Origin
    const what = `${f.lane} / ${f.claim}`
    const budget = o.shrinkRuns ?? DEFAULT_SHRINK_RUNS
    if (budget > 0) {
      search.progress('shrink', `${what}: from round ${strongest.round + 1} (${f.anomaly} ${strongest.count}), the strongest of ${origins.length} that broke it; at most ${budget} reruns`)
      let n = 0
      f.shrunk = await shrinkStrongest(
        origins,
        async (candidate) => {
          n++
          const step = `${what}: candidate ${n} of at most ${budget}, from round ${candidate.round + 1} (${candidate.faults.map((x) => x.id).join(', ')})`
          search.progress('shrink', step)
          return brokeIt(await search.round(candidate, [config], 'shrink', step), f.lane, f.claim)
        },
        { maxRuns: budget, ...(o.signal ? { signal: o.signal } : {}) },
      )
    }
    const minimal = f.shrunk?.minimal ?? strongest.schedule
    const times = o.repeat ?? 5
    let hit = 0
    let of = 0
    for (let i = 0; i < times && !search.aborted; i++) {
      const step = `${what}: minimal schedule, run ${i + 1} of ${times}`
      search.progress('repeat', step)
      const r = await search.round(minimal, [config], 'repeat', step)
      if (r.aborted) break
      of++
      if (brokeIt(r, f.lane, f.claim)) hit++
    }
    if (of > 0) f.reproduced = { times: hit, of }
  }
  return search.end()
}

/**
 * A replay: the schedule of a replay file run `repeat` times against its lanes. Its report has a
 * round per run and a finding per broken claim, reproduced (times it broke, of runs).
 */
export async function replay(cluster: Cluster, schedule: Schedule, configs: readonly GateConfig[], o: Pick<ExploreOptions, 'repeat' | 'signal' | 'onProgress' | 'results'> = {}): Promise<ExploreReport> {
  const search = new Search(cluster, schedule.seed, configs, o)
  const times = Math.max(1, o.repeat ?? 1)
  for (let i = 0; i < times && !search.aborted; i++) {
    const what = `replay run ${i + 1} of ${times}`
    search.progress('repeat', what)
    search.keep(await search.round(schedule, configs, 'repeat', what))
  }
  const complete = search.report.rounds.filter((r) => !r.aborted)
  for (const f of search.report.findings) f.reproduced = { times: complete.filter((r) => brokeIt(r, f.lane, f.claim)).length, of: complete.length }
  return search.end()
}
