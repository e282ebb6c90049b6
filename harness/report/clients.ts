/**
 * The client × scenario × anomaly table: for every scenario that ran lanes of two or more client
 * libraries, each lane's acknowledged-but-lost / duplicated / written-though-not-acknowledged counts,
 * a row per lane (its client and variant), a column per scenario.
 */
import type { ScenarioResult } from './result.js'
import { alignedLines } from './text.js'

const cellOf = (r: ScenarioResult) => `${r.counts.lost} / ${r.counts.duplicated} / ${r.counts.failedButWritten + r.counts.unknownWritten}`

function pivot(rows: readonly ScenarioResult[]): { scenarios: string[]; lanes: { client: string; variant: string; cells: string[] }[] } {
  const compared = [...new Set(rows.map((r) => r.scenario))].filter((s) => new Set(rows.filter((r) => r.scenario === s).map((r) => r.client ?? 'kafkajs')).size > 1)
  const lanes: { client: string; variant: string; cells: string[] }[] = []
  for (const r of rows.filter((x) => compared.includes(x.scenario))) {
    if (lanes.some((l) => l.variant === r.variant)) continue
    lanes.push({ client: r.client ?? 'kafkajs', variant: r.variant, cells: compared.map((s) => { const hit = rows.find((x) => x.scenario === s && x.variant === r.variant); return hit ? cellOf(hit) : '-' }) })
  }
  return { scenarios: compared, lanes }
}

const HEADING = 'lost / duplicated / written though not acknowledged, per lane'

/** Aligned text ('' when no scenario compared clients). */
export function clientTableText(rows: readonly ScenarioResult[]): string {
  const { scenarios, lanes } = pivot(rows)
  if (scenarios.length === 0) return ''
  const table = alignedLines(['client', 'lane', ...scenarios], lanes.map((l) => [l.client, l.variant, ...l.cells]), { rule: false })
  return [`client × scenario × anomaly (${HEADING}):`, ...table].join('\n')
}

/** Markdown ('' when no scenario compared clients). */
export function clientTableMarkdown(rows: readonly ScenarioResult[]): string {
  const { scenarios, lanes } = pivot(rows)
  if (scenarios.length === 0) return ''
  const esc = (t: string) => t.replace(/\|/g, '\\|')
  return [
    '## Clients side by side',
    '',
    `${HEADING}; every scenario that ran two or more client libraries.`,
    '',
    `| client | lane | ${scenarios.map(esc).join(' | ')} |`,
    `|---|---|${scenarios.map(() => '---').join('|')}|`,
    ...lanes.map((l) => `| ${l.client} | ${esc(l.variant)} | ${l.cells.join(' | ')} |`),
    '',
  ].join('\n')
}
