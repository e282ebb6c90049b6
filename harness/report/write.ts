import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { clientTableMarkdown } from './clients.js'
import { reportHtml } from './html.js'
import { matrixMarkdown } from './matrix.js'
import type { ScenarioResult } from './result.js'
import { reportsDir } from './store.js'
import { loadGateVerdicts } from '../gate/report.js'
import { verdictTableMarkdown } from '../gate/table.js'

export interface WrittenReport {
  json: string
  markdown: string
  html: string
}

/** The Markdown report: the matrix, then each violating run's facts. */
export function reportMarkdown(rows: readonly ScenarioResult[], title = 'Kafka producer durability', gate?: string): string {
  const bad = rows.filter((r) => r.violations.length)
  return [
    `# ${title}`,
    '',
    ...(gate ? [gate, ''] : []),
    `${rows.length} scenario runs; ${bad.length} with violations.`,
    '',
    matrixMarkdown(rows),
    '',
    clientTableMarkdown(rows),
    ...bad.flatMap((r) => [
      `### ${r.scenario} — ${r.variant}`,
      '',
      `violations: ${r.violations.join(', ')}; faults: ${r.faults.map((f) => f.description).join('; ') || 'none'}`,
      '',
    ]),
  ].join('\n')
}

/**
 * Writes reports/durability.json, durability.md and durability.html for these rows (JUnit XML
 * comes from vitest's junit reporter). With GITHUB_STEP_SUMMARY set, the Markdown goes there too.
 */
export function writeReport(rows: readonly ScenarioResult[], dir = reportsDir()): WrittenReport {
  mkdirSync(dir, { recursive: true })
  const out = { json: join(dir, 'durability.json'), markdown: join(dir, 'durability.md'), html: join(dir, 'durability.html') }
  writeFileSync(out.json, JSON.stringify({ generatedAt: new Date().toISOString(), rows }, null, 2))
  const gate = loadGateVerdicts(dir)
  const md = reportMarkdown(rows, undefined, gate ? verdictTableMarkdown(gate.verdicts) : undefined)
  writeFileSync(out.markdown, md)
  writeFileSync(out.html, reportHtml(rows, undefined, loadSections(dir)))
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, `${md}\n`)
  return out
}

/** HTML sections engines saved for this run's report under reports/sections/ (an exploration's timeline: harness/explore/files.ts), by file name. */
export function loadSections(dir = reportsDir()): string[] {
  const at = join(dir, 'sections')
  if (!existsSync(at)) return []
  return readdirSync(at).filter((f) => f.endsWith('.html')).sort().map((f) => readFileSync(join(at, f), 'utf8'))
}
