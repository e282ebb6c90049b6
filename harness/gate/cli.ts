/**
 * npm run gate -- <config.json> [more.json ...]
 * npm run gate -- --compare kafkajs,confluent <config.json> [more.json ...]
 *
 * Validates each config (an invalid one stops here, exit 2, naming the field), prints the claims
 * its options already rule out, then runs the fault battery against all of them side by side on a
 * real cluster (`vitest run --project cluster tests/gate` with DURABILITY_CONFIG set), and ends
 * with the verdict table (config × claim), also written to reports/gate.md and, in GitHub
 * Actions, to the step summary.
 *
 * With --compare, each config is gated on each named client in the same run (lanes named
 * `<name>@<client>`; compare.ts), and a second table puts the clients side by side per claim. A
 * client whose adapter refuses the config (an option it cannot honour) shows REFUSED with the
 * field, and fails the gate.
 *
 * Exit codes: 0 every config kept every claim (on every client); 1 some claim broken, ruled out by
 * the options, or exercised by no scenario, or a client refused the config; 2 invalid input;
 * 3 the harness could not judge (a scenario could not run, a lane could not be read back, or no
 * verdict was written).
 */
import { statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { runOwned, vitestCommand } from '../cluster/index.js'
import { ConfigError } from '../errors.js'
import { compareTableText, loadCompared, parseClientList, writeLaneConfigs, type ComparedLane } from './compare.js'
import { contradictions, loadGateConfig, type GateConfig } from './config.js'
import { reportsDir } from '../report/store.js'
import { gateReportFiles, loadGateVerdicts } from './report.js'
import { verdictTableText } from './table.js'

const args = process.argv.slice(2).filter((a) => a !== '--')
const compareAt = args.indexOf('--compare')
const compareList = compareAt < 0 ? undefined : args[compareAt + 1]
const files = compareAt < 0 ? args : args.filter((_, i) => i !== compareAt && i !== compareAt + 1)
if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
  console.error('usage: npm run gate -- [--compare kafkajs,confluent] <config.json> [more.json ...]   (see README, "Gate a config")\nexit: 0 kept, 1 broken or refused, 2 invalid input, 3 environment')
  process.exit(files.length === 0 ? 2 : 0)
}
const names = new Set<string>()
const compared: ComparedLane[] = []
let gated: string[] = files.map((f) => resolve(f))
const announce = (f: string, c: GateConfig) => {
  if (names.has(c.name)) throw new ConfigError(`${f}: name`, "must differ from every other config's name (a config's name names its lane): rename one of them", c.name)
  names.add(c.name)
  const claimed = Object.entries(c.claims).filter(([, v]) => v).map(([k]) => k)
  console.log(`[gate] ${f}: '${c.name}' on ${c.client} claims ${claimed.join(', ')}`)
  for (const x of contradictions(c)) console.log(`[gate]   ruled out by its options: ${x.field}: ${x.message}`)
}
try {
  if (compareList === undefined) {
    for (const f of files) announce(f, loadGateConfig(f))
  } else {
    const clients = parseClientList(compareList)
    gated = []
    for (const f of files) {
      const lanes = loadCompared(f, clients)
      for (const l of lanes) if (l.config) announce(f, l.config)
      for (const l of lanes) if (l.refused !== undefined) console.log(`[gate] ${f}: '${l.base}' REFUSED by ${l.client}: ${l.refused}`)
      compared.push(...lanes)
      gated.push(...writeLaneConfigs(f, lanes, join(reportsDir(), 'gate-compare')))
    }
    if (gated.length === 0) throw new ConfigError('--compare', 'every client refused every config: nothing to run (the refusals above name the fields)', compareList)
  }
} catch (e) {
  console.error(`[gate] invalid config: ${(e as Error).message}`)
  process.exit(2)
}
const started = Date.now()
// vitest as a child this process owns: a signal here reaches it, and it ends if this process dies.
const code = await runOwned(...vitestCommand(['run', '--project', 'cluster', 'tests/gate']), {
  env: { ...process.env, DURABILITY_CONFIG: gated.join(',') },
})
if (code > 128) process.exit(code) // ended by a signal: no verdict to give
const saved = loadGateVerdicts()
if (!saved || statSync(gateReportFiles().json).mtimeMs < started) {
  console.error(`[gate] no verdict was written (vitest exited with ${code}); the harness could not judge. See the output above.`)
  process.exit(3)
}
console.log(`\n${verdictTableText(saved.verdicts)}\n\n[gate] table: ${gateReportFiles().markdown}`)
if (compared.length > 0) console.log(`\n[gate] the clients side by side:\n${compareTableText(compared, saved.verdicts)}`)
const statuses = saved.verdicts.flatMap((v) => v.claims.map((c) => c.status))
if (statuses.includes('unknown')) process.exit(3)
process.exit(saved.verdicts.every((v) => v.passed) && compared.every((l) => l.refused === undefined) ? 0 : 1)
