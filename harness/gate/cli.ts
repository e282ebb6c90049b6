/**
 * npm run gate -- <config.json> [more.json ...]
 *
 * Validates each config (an invalid one stops here, exit 2, naming the field), prints the claims
 * its options already rule out, then runs the fault battery against all of them side by side on a
 * real cluster (`vitest run --project cluster tests/gate` with DURABILITY_CONFIG set), and ends
 * with the verdict table (config × claim), also written to reports/gate.md and, in GitHub
 * Actions, to the step summary.
 *
 * Exit codes: 0 every config kept every claim; 1 some claim broken, ruled out by the options, or
 * exercised by no scenario; 2 invalid input; 3 the harness could not judge (a scenario could not
 * run, a lane could not be read back, or no verdict was written).
 */
import { statSync } from 'node:fs'
import { resolve } from 'node:path'
import { runOwned, vitestCommand } from '../cluster/index.js'
import { ConfigError } from '../errors.js'
import { contradictions, loadGateConfig } from './config.js'
import { gateReportFiles, loadGateVerdicts } from './report.js'
import { verdictTableText } from './table.js'

const files = process.argv.slice(2).filter((a) => a !== '--')
if (files.length === 0 || files.includes('--help') || files.includes('-h')) {
  console.error('usage: npm run gate -- <config.json> [more.json ...]   (see README, "Gate a config")\nexit: 0 kept, 1 broken, 2 invalid input, 3 environment')
  process.exit(files.length === 0 ? 2 : 0)
}
const names = new Set<string>()
for (const f of files) {
  try {
    const c = loadGateConfig(f)
    if (names.has(c.name)) throw new ConfigError(`${f}: name`, "must differ from every other config's name (a config's name names its lane): rename one of them", c.name)
    names.add(c.name)
    const claimed = Object.entries(c.claims).filter(([, v]) => v).map(([k]) => k)
    console.log(`[gate] ${f}: '${c.name}' claims ${claimed.join(', ')}`)
    for (const x of contradictions(c)) console.log(`[gate]   ruled out by its options: ${x.field}: ${x.message}`)
  } catch (e) {
    console.error(`[gate] invalid config: ${(e as Error).message}`)
    process.exit(2)
  }
}
const started = Date.now()
// vitest as a child this process owns: a signal here reaches it, and it ends if this process dies.
const code = await runOwned(...vitestCommand(['run', '--project', 'cluster', 'tests/gate']), {
  env: { ...process.env, DURABILITY_CONFIG: files.map((f) => resolve(f)).join(',') },
})
if (code > 128) process.exit(code) // ended by a signal: no verdict to give
const saved = loadGateVerdicts()
if (!saved || statSync(gateReportFiles().json).mtimeMs < started) {
  console.error(`[gate] no verdict was written (vitest exited with ${code}); the harness could not judge. See the output above.`)
  process.exit(3)
}
console.log(`\n${verdictTableText(saved.verdicts)}\n\n[gate] table: ${gateReportFiles().markdown}`)
const statuses = saved.verdicts.flatMap((v) => v.claims.map((c) => c.status))
if (statuses.includes('unknown')) process.exit(3)
process.exit(saved.verdicts.every((v) => v.passed) ? 0 : 1)
