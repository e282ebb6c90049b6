import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { reconcile } from '../../harness/reconcile/index.js'
import { renderPage } from './support/chromium.js'
import { clientTableMarkdown, clientTableText, matrixMarkdown, scenarioResult, writeReport, type ScenarioResult } from '../../harness/report/index.js'

const T0 = 1_700_000_000_000

/** A hand-built run: 40 sends, #5 acknowledged then lost, #9 written twice, a kill in the middle. */
function sampleRow(variant: string, withAnomalies: boolean): ScenarioResult {
  const entries = Array.from({ length: 40 }, (_, i) => ({
    id: `r-${i}`,
    key: `k${i % 4}`,
    start: T0 + i * 100,
    end: T0 + i * 100 + 20,
    outcome: (i >= 20 && i < 24 ? 'unknown' : i === 30 ? 'failed' : 'ok') as 'ok' | 'failed' | 'unknown',
    partition: i >= 20 && i < 24 ? null : 0,
    offset: i >= 20 && i < 24 ? null : i,
  }))
  const records = entries
    .filter((e) => e.outcome === 'ok' && !(withAnomalies && e.id === 'r-5'))
    .map((e) => ({ partition: 0, offset: e.offset as number, id: e.id, key: e.key }))
  if (withAnomalies) records.push({ partition: 0, offset: 100, id: 'r-9', key: 'k1' })
  const ledger = {
    topic: 't',
    startedAt: T0,
    entries,
    events: [{ at: T0 + 2300, type: 'leader-change', detail: { partition: 0, from: 2, to: 3 } }],
  }
  const verdict = reconcile(ledger, { topic: 't', records })
  return scenarioResult({
    suite: 'sample',
    scenario: 'leader SIGKILL under steady load',
    variant,
    ledger,
    verdict,
    faults: [{ name: 'kill', description: 'SIGKILL node 2 (leader of t-0)', appliedAt: T0 + 2000, healedAt: T0 + 2600 }],
    nodeEvents: [{ at: T0 + 2000, node: 2, action: 'kill' }, { at: T0 + 2600, node: 2, action: 'start' }],
    timeToNewLeaderMs: 2300,
  })
}

describe('the durability report', () => {
  const rows = [sampleRow('acks=1', true), sampleRow('acks=all', false)]

  test('the Markdown matrix has one line per run with its counts', () => {
    const md = matrixMarkdown(rows)
    expect(md.split('\n')).toHaveLength(2 + rows.length)
    expect(md).toContain('| leader SIGKILL under steady load | acks=1 | 40 | 35 | 1 | 4 | 1 | 6 | 1 | 0 |')
    expect(md).toContain('| 2.3 s |')
    expect(md.split('\n')[0]).toContain('| duplicated | reordered | out of send order | overwritten |')
  })

  test('the HTML page, rendered in headless Chromium, draws one timeline per run with faults, leader changes, loss and duplicates marked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-report-'))
    const out = writeReport(rows, dir)
    const shot = join(dir, 'durability.png')
    const dom = await renderPage(out.html, { screenshot: shot })
    expect(dom).toContain('data-rendered="2"')
    expect(dom).toContain('<th>reordered</th><th>out of send order</th>')
    const svgs = dom.match(/<svg [^>]*class="timeline"[^>]*>/g) ?? []
    expect(svgs).toHaveLength(2)
    expect(svgs[0]).toContain('data-variant="acks=1"')
    const sections = dom.split('<section').slice(1)
    expect(sections).toHaveLength(2)
    const count = (s: string, cls: string) => (s.match(new RegExp(`class="${cls}"`, 'g')) ?? []).length
    expect(count(sections[0] as string, 'fault')).toBe(1)
    expect(count(sections[0] as string, 'leader-change')).toBe(1)
    expect(count(sections[0] as string, 'node-event')).toBe(2)
    expect(count(sections[0] as string, 'marker-lost')).toBe(1)
    expect(count(sections[0] as string, 'marker-duplicated')).toBe(1)
    expect(count(sections[1] as string, 'marker-lost')).toBe(0)
    expect(count(sections[0] as string, 'sends-ok')).toBeGreaterThan(0)
    expect(count(sections[0] as string, 'sends-unknown')).toBeGreaterThan(0)
    expect(count(sections[0] as string, 'sends-failed')).toBe(1)
    expect(existsSync(shot) && statSync(shot).size).toBeGreaterThan(10_000)
    expect(JSON.parse(readFileSync(out.json, 'utf8')).rows).toHaveLength(2)
  }, 90_000)
})

describe('the client × scenario × anomaly table', () => {
  test('a scenario with lanes of two clients gets a row per lane; one with a single client none', () => {
    const row = (variant: string, client: string, anomalies: boolean) => ({ ...sampleRow(variant, anomalies), client })
    const rows = [row('java idempotent', 'java', false), row('kafkajs idempotent', 'kafkajs', true), { ...row('acks=all', 'kafkajs', false), scenario: 'only kafkajs here' }]
    const md = clientTableMarkdown(rows)
    expect(md).toContain('| java | java idempotent | 0 / 0 / 0 |')
    expect(md).toContain('| kafkajs | kafkajs idempotent | 1 / 1 / ')
    expect(md).not.toContain('only kafkajs here')
    expect(clientTableMarkdown(rows.slice(2))).toBe('')
    expect(clientTableText(rows)).toMatch(/^client × scenario × anomaly/)
  })
})
