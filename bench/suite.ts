/** Wall time of the whole `npx vitest run` and of each test file, from vitest's JSON reporter. */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { runOwned, vitestCommand } from '../harness/cluster/index.js'

export async function benchSuite(): Promise<void> {
  const out = join(mkdtempSync(join(tmpdir(), 'kd-suite-')), 'vitest.json')
  const t0 = performance.now()
  const status = await runOwned(...vitestCommand(['run', '--reporter=json', `--outputFile.json=${out}`]), { stdio: ['ignore', 'ignore', 'inherit'] })
  if (status > 128) process.exit(status) // ended by a signal
  const wall = (performance.now() - t0) / 1000
  const json = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; testResults: Array<{ name: string; startTime: number; endTime: number }> }
  for (const f of json.testResults) console.log(`  ${relative(process.cwd(), f.name).padEnd(48)} ${((f.endTime - f.startTime) / 1000).toFixed(1).padStart(6)} s`)
  console.log(`  whole run (cluster boot and teardown included): ${wall.toFixed(0)} s; ${json.numPassedTests} passed, ${json.numFailedTests} failed; exit ${status}  (target ≤ 300 s: ${wall <= 300 ? 'met' : 'MISSED'})`)
}
