/**
 * The gate's verdicts on disk: reports/results/gate/verdicts.json (data, beside the rows of the
 * run, so the durability report shows the table too, and a new run starts without it) and
 * reports/gate.md (the table); the durability report (and so GITHUB_STEP_SUMMARY) leads with it. The CLI reads them back
 * after the battery's vitest run to print the table and choose its exit code.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { reportsDir } from '../report/store.js'
import { verdictTableMarkdown } from './table.js'
import type { ConfigVerdict } from './verdict.js'

export function gateReportFiles(dir = reportsDir()): { json: string; markdown: string } {
  return { json: join(dir, 'results', 'gate', 'verdicts.json'), markdown: join(dir, 'gate.md') }
}

export function saveGateVerdicts(verdicts: readonly ConfigVerdict[], dir = reportsDir()): { json: string; markdown: string } {
  const files = gateReportFiles(dir)
  mkdirSync(dirname(files.json), { recursive: true })
  writeFileSync(files.json, JSON.stringify({ writtenAt: new Date().toISOString(), verdicts }, null, 2))
  const md = verdictTableMarkdown(verdicts)
  writeFileSync(files.markdown, md)
  return files
}

/** The verdicts of the last gate run written under `dir`, or undefined if there is none. */
export function loadGateVerdicts(dir = reportsDir()): { writtenAt: string; verdicts: ConfigVerdict[] } | undefined {
  const { json } = gateReportFiles(dir)
  if (!existsSync(json)) return undefined
  return JSON.parse(readFileSync(json, 'utf8')) as { writtenAt: string; verdicts: ConfigVerdict[] }
}
