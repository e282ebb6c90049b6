/**
 * npm run gate -- <config.json> [more.json ...]
 *
 * Validates each config (an invalid one stops here, exit 2, naming the field), prints the claims
 * its options already rule out, then runs the fault battery against it on a real cluster
 * (`vitest run --project cluster tests/gate` with DURABILITY_CONFIG set) and exits with vitest's
 * code: non-zero when a claimed guarantee was violated, with the evidence in the output and in
 * reports/.
 */
import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { contradictions, loadGateConfig } from './config.js'

const files = process.argv.slice(2).filter((a) => a !== '--')
if (files.length === 0) {
  console.error('usage: npm run gate -- <config.json> [more.json ...]   (see README, "Gate")')
  process.exit(2)
}
for (const f of files) {
  try {
    const c = loadGateConfig(f)
    const claimed = Object.entries(c.claims).filter(([, v]) => v).map(([k]) => k)
    console.log(`[gate] ${f}: '${c.name}' claims ${claimed.join(', ')}`)
    for (const x of contradictions(c)) console.log(`[gate]   ${x.field}: ${x.message}`)
  } catch (e) {
    console.error(`[gate] invalid config: ${(e as Error).message}`)
    process.exit(2)
  }
}
const r = spawnSync('npx', ['vitest', 'run', '--project', 'cluster', 'tests/gate'], {
  stdio: 'inherit',
  env: { ...process.env, DURABILITY_CONFIG: files.map((f) => resolve(f)).join(',') },
})
process.exit(r.status ?? 1)
