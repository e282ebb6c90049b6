import type { ScenarioResult } from './result.js'

const COLUMNS: Array<{ head: string; cell: (r: ScenarioResult) => string }> = [
  { head: 'scenario', cell: (r) => r.scenario },
  { head: 'variant', cell: (r) => r.variant },
  { head: 'sent', cell: (r) => String(r.totals.sent) },
  { head: 'acked', cell: (r) => String(r.totals.acknowledged) },
  { head: 'failed', cell: (r) => String(r.totals.failed) },
  { head: 'unknown', cell: (r) => String(r.totals.unknown) },
  { head: 'lost', cell: (r) => String(r.counts.lost) },
  { head: 'absent', cell: (r) => String(r.counts.absent) },
  { head: 'duplicated', cell: (r) => String(r.counts.duplicated) },
  { head: 'reordered', cell: (r) => String(r.counts.reordered) },
  { head: 'out of send order', cell: (r) => String(r.counts.outOfSendOrder) },
  { head: 'overwritten', cell: (r) => String(r.counts.overwritten) },
  { head: 'new leader', cell: (r) => (r.timeToNewLeaderMs === undefined ? '-' : `${(r.timeToNewLeaderMs / 1000).toFixed(1)} s`) },
]

/** The matrix as aligned text, for the terminal. */
export function matrixText(rows: readonly ScenarioResult[]): string {
  const table = [COLUMNS.map((c) => c.head), ...rows.map((r) => COLUMNS.map((c) => c.cell(r)))]
  const widths = COLUMNS.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)))
  return table.map((row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n')
}

/** The matrix as a Markdown table, for reports and the GitHub step summary. */
export function matrixMarkdown(rows: readonly ScenarioResult[]): string {
  return [
    `| ${COLUMNS.map((c) => c.head).join(' | ')} |`,
    `|${COLUMNS.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${COLUMNS.map((c) => c.cell(r).replace(/\|/g, '\\|')).join(' | ')} |`),
  ].join('\n')
}
