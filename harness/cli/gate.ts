/**
 * `kafka-durability gate [--compare a,b] [--scenarios ids] <config.json...>` (and `npm run gate`).
 *
 * Validates each config (an invalid one stops here, exit 2, naming the field), prints the claims
 * its options already rule out, then runs the fault battery against all of them side by side on a
 * real cluster (the gate's test file, tests/gate/gate.test.ts, with DURABILITY_CONFIG set),
 * showing each scenario as it starts and ends, and ends with the verdict table (config × claim),
 * also written to reports/gate.md and, in GitHub Actions, to the step summary.
 *
 * With --compare, each config is gated on each named client in the same run (lanes named
 * `<name>@<client>`; compare.ts), and a second table puts the clients side by side per claim. A
 * client whose adapter refuses the config (an option it cannot honour) shows REFUSED with the
 * field, and fails the gate.
 *
 * Exit codes (exit.ts): 0 every config kept every claim (on every client); 1 some claim broken,
 * ruled out by the options, or exercised by no scenario, or a client refused the config; 2 invalid
 * input; 3 the harness could not judge (a prerequisite missing, a scenario could not run, a lane
 * could not be read back, or no verdict was written).
 */
import { existsSync, readFileSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ConfigError } from '../errors.js'
import { scenariosNamed } from '../gate/battery.js'
import { compareTableText, loadCompared, parseClientList, writeLaneConfigs, type ComparedLane } from '../gate/compare.js'
import { contradictions, loadGateConfig, type GateConfig } from '../gate/config.js'
import { gateReportFiles, loadGateVerdicts } from '../gate/report.js'
import { verdictTableText } from '../gate/table.js'
import { reportsDir } from '../report/store.js'
import type { Command } from './args.js'
import { EXIT, gateExitCode, type ExitCode } from './exit.js'
import { preflight, runSuite } from './suite.js'

type GateCommand = Extract<Command, { kind: 'gate' }>

/** The configs' files to run as lanes, and the compared lanes; throws ConfigError (exit 2) on bad input. */
function validate(cmd: GateCommand, log: (line: string) => void): { gated: string[]; compared: ComparedLane[] } {
  const names = new Set<string>()
  const announce = (f: string, c: GateConfig) => {
    if (names.has(c.name)) throw new ConfigError(`${f}: name`, "must differ from every other config's name (a config's name names its lane): rename one of them", c.name)
    names.add(c.name)
    const claimed = Object.entries(c.claims).filter(([, v]) => v).map(([k]) => k)
    log(`[gate] ${f}: '${c.name}' on ${c.client} claims ${claimed.join(', ')}`)
    for (const x of contradictions(c)) log(`[gate]   ruled out by its options: ${x.field}: ${x.message}`)
  }
  for (const f of cmd.configs) if (!existsSync(f)) throw new ConfigError(f, 'no such file: give the path of a producer config (JSON, docs/gate.md)')
  const scenarios = scenariosNamed(cmd.scenarios)
  if (cmd.scenarios) log(`[gate] scenarios: ${scenarios.map((s) => s.name).join('; ')} (${scenarios.length} of the battery's)`)
  if (cmd.compare === undefined) {
    for (const f of cmd.configs) announce(f, loadGateConfig(f))
    return { gated: cmd.configs.map((f) => resolve(f)), compared: [] }
  }
  const clients = parseClientList(cmd.compare)
  const gated: string[] = []
  const compared: ComparedLane[] = []
  for (const f of cmd.configs) {
    const lanes = loadCompared(f, clients)
    for (const l of lanes) if (l.config) announce(f, l.config)
    for (const l of lanes) if (l.refused !== undefined) log(`[gate] ${f}: '${l.base}' REFUSED by ${l.client}: ${l.refused}`)
    compared.push(...lanes)
    gated.push(...writeLaneConfigs(f, lanes, join(reportsDir(), 'gate-compare')))
  }
  if (gated.length === 0) throw new ConfigError('--compare', 'every client refused every config: nothing to run (the refusals above name the fields)', cmd.compare)
  return { gated, compared }
}

const PROGRESS = /^\[(gate|cluster|runtime|report)\]/
const TAIL_LINES = 40

/** Runs the gate; ConfigError and RuntimeRequirementError propagate (the caller maps them to 2 and 3). */
export async function gate(cmd: GateCommand, log: (line: string) => void = console.log): Promise<ExitCode | number> {
  const { gated, compared } = validate(cmd, log)
  const started = Date.now()
  const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`
  await preflight((l) => log(`[runtime] ${l}`))
  const logFile = join(reportsDir(), 'gate-vitest.log')
  let last = Date.now()
  let current = 'booting the cluster'
  // Live progress: every line of the battery and the cluster as it comes, and every 30 s without one, where it is.
  const heartbeat = setInterval(() => {
    if (Date.now() - last >= 30_000) log(`[gate] ${elapsed()}: ${current}`)
  }, 30_000)
  let code: number
  try {
    code = await runSuite({
      filters: ['tests/gate/'],
      env: { DURABILITY_CONFIG: gated.join(','), ...(cmd.scenarios ? { GATE_SCENARIOS: cmd.scenarios.join(',') } : {}) },
      log: {
        file: logFile,
        echo: cmd.verbose,
        onLine: (line) => {
          if (cmd.verbose || !PROGRESS.test(line)) return
          last = Date.now()
          const scenario = /^\[gate\] (scenario \d+ of \d+ \(\d+ lanes?\)) (start|done|failed): ([^;]*)/.exec(line)
          if (scenario) current = `${scenario[1]}: ${scenario[3]} (${scenario[2] === 'start' ? 'running' : scenario[2]})`
          log(`${line} [${elapsed()}]`)
        },
      },
    })
  } finally {
    clearInterval(heartbeat)
  }
  if (code > 128) return code // ended by a signal: no verdict to give
  const saved = loadGateVerdicts()
  if (!saved || statSync(gateReportFiles().json).mtimeMs < started) {
    const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES).join('\n')
    log(`${tail}\n[gate] no verdict was written (vitest exited with ${code}); the harness could not judge. Its output is in ${logFile} (last ${TAIL_LINES} lines above).`)
    return EXIT.environment
  }
  log(`\n${verdictTableText(saved.verdicts)}\n\n[gate] ${elapsed()}; table: ${gateReportFiles().markdown}; vitest's output: ${logFile}`)
  if (compared.length > 0) log(`\n[gate] the clients side by side:\n${compareTableText(compared, saved.verdicts)}`)
  return gateExitCode(saved.verdicts, compared.filter((l) => l.refused !== undefined).length)
}
