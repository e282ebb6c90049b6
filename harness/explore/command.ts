/**
 * npm run explore -- --seed S --minutes M [--config a.json ...] [--max-down N] [--repeat R]
 *                    [--shrink-runs N] [--round-seconds S]
 * npm run explore -- --replay reports/explore/seed-S-<lane>-<claim>.replay.json [--repeat R]
 *
 * Starts a cluster of its own, explores (explore.ts) or replays, prints a progress line as it
 * goes, then the findings: each broken claim attributed to its faults, its minimal schedule as
 * JSON and as a replay command, and its reproduction rate; writes reports/explore/. Ctrl-C once
 * stops the exploration: the faults in force heal, the round is read back and reconciled, and what
 * was found so far is reported; a second Ctrl-C ends the run at once.
 *
 * Exit codes: 0 every claim kept; 1 a claim broken; 2 invalid input; 3 the exploration could not run.
 */
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { startCluster } from '../cluster/index.js'
import { EXIT } from '../cli/exit.js'
import { ConfigError } from '../errors.js'
import { loadGateConfig, type GateConfig } from '../gate/config.js'
import { explore, replay, type ExploreReport, type Progress } from './explore.js'
import { findingsText, loadReplay, writeExploration } from './files.js'
import { DEFAULT_RULES, describePlanned, type Schedule } from './schedule.js'
import { DEFAULT_SHRINK_RUNS } from './shrink.js'

const USAGE = `usage: npm run explore -- --seed S --minutes M [--config a.json ...] [--max-down N] [--repeat R] [--shrink-runs N] [--round-seconds S]
       npm run explore -- --replay file.replay.json [--repeat R]
exit: 0 every claim kept, 1 a claim broken, 2 invalid input, 3 the exploration could not run (see docs/exploration.md)`

interface Args {
  seed?: number
  minutes: number
  configs: string[]
  maxDown: number
  repeat?: number
  shrinkRuns: number
  roundSeconds: number
  replay?: string
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { minutes: 1, configs: [], maxDown: DEFAULT_RULES.maxDown, shrinkRuns: DEFAULT_SHRINK_RUNS, roundSeconds: 60 }
  const num = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v)
    if (v === undefined || !Number.isFinite(n) || n < min) throw new ConfigError(flag, `needs a number >= ${min}`, v ?? null)
    return n
  }
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] as string
    const v = argv[i + 1]
    if (flag === '--') continue
    i++
    if (flag === '--seed') a.seed = Math.floor(num(flag, v, 0))
    else if (flag === '--minutes') a.minutes = num(flag, v, 0.1)
    else if (flag === '--config') a.configs.push(v ?? '')
    else if (flag === '--max-down') a.maxDown = Math.floor(num(flag, v, 0))
    else if (flag === '--repeat') a.repeat = Math.floor(num(flag, v, 0))
    else if (flag === '--shrink-runs') a.shrinkRuns = Math.floor(num(flag, v, 0))
    else if (flag === '--round-seconds') a.roundSeconds = num(flag, v, 10)
    else if (flag === '--replay') a.replay = v
    else throw new ConfigError(flag, `is not an option of explore\n${USAGE}`)
  }
  if (a.seed === undefined && a.replay === undefined) throw new ConfigError('--seed', `is required (or --replay file)\n${USAGE}`)
  return a
}

const EXAMPLES = 'examples/configs'

function configsOf(files: readonly string[]): GateConfig[] {
  if (files.length === 0 && !existsSync(EXAMPLES)) throw new ConfigError('--config', `names the gate configs to explore (there is no ${EXAMPLES}/ here to take the examples from): --config a.json --config b.json`)
  const paths = files.length ? files : readdirSync(EXAMPLES).filter((f) => f.endsWith('.json')).sort().map((f) => join(EXAMPLES, f))
  const configs = paths.map((f) => loadGateConfig(f))
  const names = configs.map((c) => c.name)
  const twice = names.find((n, i) => names.indexOf(n) !== i)
  if (twice) throw new ConfigError('--config', "each config's name must differ (it names its lane): rename one", twice)
  return configs
}

function progressLine(p: Progress): string {
  if (p.fault) {
    const f = p.fault
    return `[explore]   ${describePlanned(f.planned)}${f.node === undefined ? '' : ` → node ${f.node}`}${f.skipped ? ` — skipped: ${f.skipped}` : ''}`
  }
  return `[explore] ${p.what} · faults so far ${p.faults} · anomalous records so far ${p.anomalies} · schedule time left ${(p.leftMs / 60_000).toFixed(1)} min`
}

/**
 * `kafka-durability explore <args>` (and `npm run explore`): returns the exit code. The cluster is
 * this command's own, stopped before it returns.
 */
export async function exploreCommand(argv: readonly string[]): Promise<number> {
  let args: Args
  let plan: { replay?: { schedule: Schedule; configs: GateConfig[] }; configs: GateConfig[] }
  try {
    args = parseArgs(argv)
    if (args.replay) {
      const r = loadReplay(args.replay)
      plan = { replay: r, configs: r.configs }
    } else plan = { configs: configsOf(args.configs) }
  } catch (e) {
    console.error(`[explore] invalid input: ${(e as Error).message}`)
    return EXIT.invalidInput
  }
  const before = new Set(process.listeners('SIGINT'))
  let owned: Awaited<ReturnType<typeof startCluster>>
  try {
    owned = await startCluster({ keepRunDir: true }, (l) => console.error(`[cluster] ${l}`))
  } catch (e) {
    console.error(`[explore] the cluster could not start: ${(e as Error).message}`)
    return EXIT.environment
  }
  // The first Ctrl-C stops the exploration gracefully; the run's own ending (stop the cluster, exit) waits for a second.
  // One keypress can arrive twice: the terminal signals the process group, and npm passes its own SIGINT on to this
  // process. A SIGINT within a second of the first is that same keypress.
  const hardStop = process.listeners('SIGINT').filter((l) => !before.has(l))
  for (const l of hardStop) process.off('SIGINT', l)
  const stop = new AbortController()
  let firstAt = 0
  const onSigint = (): void => {
    if (!stop.signal.aborted) {
      firstAt = Date.now()
      console.error('[explore] Ctrl-C: healing the faults in force, reading back and reporting what was found so far (Ctrl-C again ends at once)')
      stop.abort()
    } else if (Date.now() - firstAt > 1_000) for (const l of hardStop) (l as (s: NodeJS.Signals) => void)('SIGINT')
  }
  process.on('SIGINT', onSigint)
  const started = Date.now()
  try {
    let report: ExploreReport
    try {
      const common = { signal: stop.signal, onProgress: (p: Progress) => console.log(`${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s ${progressLine(p)}`) }
      report = plan.replay
        ? await replay(owned.cluster, plan.replay.schedule, plan.configs, { ...common, repeat: args.repeat ?? 1 })
        : await explore(owned.cluster, {
            ...common,
            seed: args.seed as number,
            minutes: args.minutes,
            roundMs: args.roundSeconds * 1000,
            rules: { ...DEFAULT_RULES, maxDown: args.maxDown },
            configs: plan.configs,
            shrinkRuns: args.shrinkRuns,
            repeat: args.repeat ?? 5,
          })
    } catch (e) {
      console.error(`[explore] the exploration could not run: ${(e as Error).stack ?? e}\n${owned.cluster.logTails()}`)
      await owned.stop({ keepRunDir: true, ending: { reason: 'failed', detail: (e as Error).message.split('\n')[0] } })
      return EXIT.environment
    }
    try {
      const out = writeExploration(report, plan.configs)
      console.log(`\n${findingsText(report, out.replays)}\n\n[explore] ${((Date.now() - started) / 1000).toFixed(0)} s; report ${out.html}, data ${out.json}`)
    } finally {
      await owned.stop(report.aborted ? { ending: { reason: 'SIGINT' } } : {})
    }
    return report.findings.length ? EXIT.broken : EXIT.kept
  } finally {
    process.off('SIGINT', onSigint)
  }
}
