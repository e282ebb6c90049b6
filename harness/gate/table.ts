/**
 * The gate's verdict table: config × claim, read in ten seconds. A cell says kept (in how many of
 * the scenarios), BROKEN (the count and the scenario), not exercised, unknown, or ruled out by the
 * options; a claim the config does not make is a dash. Under the table, one line per cell that is
 * not kept: the reason, and a breach's first evidence line.
 */
import { alignedLines } from '../report/text.js'
import { CLAIMS, type Claim } from './config.js'
import type { ClaimVerdict, ConfigVerdict } from './verdict.js'

/** A claim's cell: kept (in how many scenarios), BROKEN, RULED OUT, NOT EXERCISED, UNKNOWN; '-' if not claimed. */
export function cell(c: ClaimVerdict | undefined): string {
  if (!c) return '-'
  const ran = c.scenarios.length
  switch (c.status) {
    case 'kept':
      return `kept (${c.scenarios.filter((s) => s.status === 'kept').length}/${ran})`
    case 'broken':
      return `BROKEN: ${c.breach?.count} ${c.breach?.anomaly} (${c.breach?.scenario})`
    case 'ruledOut':
      return c.breach ? `RULED OUT; shown: ${c.breach.count} ${c.breach.anomaly} (${c.breach.scenario})` : 'RULED OUT by options'
    case 'notExercised':
      return 'NOT EXERCISED'
    case 'unknown':
      return 'UNKNOWN'
  }
}

function details(v: ConfigVerdict): string[] {
  return v.claims
    .filter((c) => c.status !== 'kept')
    .map((c) => {
      const first = c.breach?.evidence?.[0]
      const shown = c.status === 'ruledOut' && c.breach ? ` Shown under "${c.breach.scenario}": ${c.breach.count} ${c.breach.anomaly}.` : ''
      return `${v.config} / ${c.claim}: ${c.reason}.${shown}${first ? ` First evidence: ${first}` : ''}`
    })
}

function rows(verdicts: readonly ConfigVerdict[]): string[][] {
  return verdicts.map((v) => [v.config, v.passed ? 'PASS' : 'FAIL', ...CLAIMS.map((claim: Claim) => cell(v.claims.find((c) => c.claim === claim)))])
}

const HEAD = ['config', 'gate', ...CLAIMS]

/** Plain text, aligned columns, then the details. */
export function verdictTableText(verdicts: readonly ConfigVerdict[]): string {
  const notes = verdicts.flatMap(details)
  return [...alignedLines(HEAD, rows(verdicts)), ...(notes.length ? ['', ...notes] : [])].join('\n')
}

/** Markdown (GITHUB_STEP_SUMMARY, the report). */
export function verdictTableMarkdown(verdicts: readonly ConfigVerdict[]): string {
  const esc = (t: string) => t.replace(/\|/g, '\\|').replace(/\n/g, ' ')
  const md = (r: string[]) => `| ${r.map(esc).join(' | ')} |`
  const notes = verdicts.flatMap(details)
  return [
    `## Gate: ${verdicts.filter((v) => v.passed).length} of ${verdicts.length} configs kept their claims`,
    '',
    md(HEAD),
    md(HEAD.map(() => '---')),
    ...rows(verdicts).map(md),
    ...(notes.length ? ['', ...notes.map((n) => `- ${esc(n)}`)] : []),
    '',
  ].join('\n')
}
