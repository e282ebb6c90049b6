import { beforeAll, describe, expect, test } from 'vitest'
import { judgeBattery, runBattery, scenariosNamed, type BatteryRun } from '../../harness/gate/battery.js'
import { loadGateConfig, type GateConfig } from '../../harness/gate/config.js'
import { LOST_ANSWER } from '../idempotency/stories/response-lost.js'
import { saveGateVerdicts } from '../../harness/gate/report.js'
import { verdictTableText } from '../../harness/gate/table.js'
import { claimStatuses, describeConfigVerdict, type ConfigVerdict } from '../../harness/gate/verdict.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * The CI gate. With DURABILITY_CONFIG=<a.json>[,<b.json>] (what `npm run gate -- <file>` sets),
 * the battery runs those configs side by side and each config's test fails unless every claim it
 * makes was kept. Without it, the battery runs the verdict table below, every config at once, and
 * each must get exactly the verdict written beside it, for the reason written beside it.
 * GATE_SCENARIOS=<id>,<id> runs only those scenarios of the battery, for DURABILITY_CONFIG only
 * (the table's verdicts are the whole battery's).
 */
const teamFiles = process.env.DURABILITY_CONFIG?.split(',').filter(Boolean)
const scenarioIds = process.env.GATE_SCENARIOS?.split(',').filter(Boolean)
if (scenarioIds?.length && !teamFiles) throw new Error('GATE_SCENARIOS needs DURABILITY_CONFIG: the verdict table is asserted on the whole battery')
const scenarios = scenariosNamed(scenarioIds)
// The table's configs are read from the repo's examples/ (not shipped): only when it is the table that runs.
const { TABLE } = teamFiles ? { TABLE: [] } : await import('./verdict-table.js')

/** GATE_TABLE_ROWS=a,b: only those rows of the table (scripts/containers-ci.sh runs three on containers); unset or empty: all. */
const listedRows = process.env.GATE_TABLE_ROWS?.split(',').filter(Boolean) ?? []
const rowNames = listedRows.length ? listedRows : undefined
const rows = rowNames ? TABLE.filter((r) => rowNames.includes(r.config.name)) : TABLE
if (rowNames && rows.length !== rowNames.length) throw new Error(`GATE_TABLE_ROWS names rows the table does not have: ${rowNames.filter((n) => !TABLE.some((r) => r.config.name === n)).join(', ')}`)
const configs: GateConfig[] = teamFiles ? teamFiles.map((f) => loadGateConfig(f)) : rows.map((r) => r.config)
const results = new ResultsCollector('gate')
let battery: BatteryRun
let verdicts: ConfigVerdict[]
const verdictOf = (name: string): ConfigVerdict => verdicts.find((v) => v.config === name) as ConfigVerdict

beforeAll(async () => {
  battery = await runBattery(cluster(), configs, (p) =>
    console.log(`[gate] scenario ${p.index} of ${p.of} (${p.lanes} lanes) ${p.phase}: ${p.scenario}; ${(p.elapsedMs / 1000).toFixed(0)} s${p.error ? `\n  ${p.error}` : ''}`),
    scenarios,
  )
  for (const { outcome } of battery.scenarios) for (const row of outcome?.rows ?? []) results.add(row)
  results.print('gate: scenario × config')
  results.save()
  verdicts = judgeBattery(battery, configs)
  saveGateVerdicts(verdicts)
  console.log(`\n${verdictTableText(verdicts)}\n`)
}, 30 * 60_000)

test('every scenario of the battery ran (a harness failure is not a verdict)', () => {
  expect(battery.scenarios.filter((s) => s.error !== undefined).map((s) => `${s.scenario.name}: ${s.error}`)).toEqual([])
})

if (teamFiles) {
  describe('gate: every claim of every config kept under the fault battery', () => {
    test.each(configs.map((c) => c.name))('%s keeps its claims', (name) => {
      const v = verdictOf(name)
      expect(v.passed, describeConfigVerdict(v)).toBe(true)
    })
  })
} else {
  describe('the gate gives every config of the verdict table its verdict', () => {
    test.each(rows.map((r) => [r.config.name, r] as const))('%s', (name, row) => {
      const v = verdictOf(name)
      expect(claimStatuses(v), `${row.why}\n${describeConfigVerdict(v)}`).toEqual(row.expected)
      expect(v.passed).toBe(Object.values(row.expected).every((s) => s === 'kept'))
    })
  })

  describe('verdicts carry their evidence', () => {
    /** A test of one row's evidence: skipped, naming the row, when GATE_TABLE_ROWS leaves that row out. */
    const evidence = (row: string, title: string, fn: () => void) =>
      rows.some((r) => r.config.name === row) ? test(title, fn) : test.skip(`${title} (skipped: GATE_TABLE_ROWS=${rowNames?.join(',')} leaves out the row ${row})`, fn)

    evidence('safe', 'safe: no acknowledged loss ruled out by the give-up contradiction; its other claims kept in every scenario that exercised them, broken nowhere', () => {
      const [loss, others] = [verdictOf('safe').claims.filter((c) => c.claim === 'noAcknowledgedLoss'), verdictOf('safe').claims.filter((c) => c.claim !== 'noAcknowledgedLoss')]
      expect(loss[0]).toMatchObject({ status: 'ruledOut' })
      expect(loss[0]?.reason).toMatch(/contradicts producer\.idempotent=true with 5 retries: when a send call gives up/)
      for (const c of others) {
        expect(c.scenarios.filter((s) => s.status === 'broken')).toEqual([])
        expect(c.scenarios.filter((s) => s.status === 'kept').length).toBeGreaterThan(0)
      }
    })

    evidence('acks1', 'acks1: ruled out, and shown: records acknowledged at an offset, absent after the replication cut and leader kill', () => {
      const loss = verdictOf('acks1').claims.find((c) => c.claim === 'noAcknowledgedLoss')
      expect(loss?.reason).toMatch(/contradicts send\.acks=1/)
      const shown = loss?.scenarios.find((s) => s.scenario === 'replication cut, then leader kill')
      expect(shown).toMatchObject({ status: 'broken', anomaly: 'lost' })
      expect(shown?.count).toBeGreaterThan(0)
      expect(shown?.evidence?.[0]).toMatch(/^id=\S+ key=order-\d+ seq=\d+ ok ack p\d+@\d+ sent [+-]\d+\.\d{3}s\.\.[+-]\d+\.\d{3}s; that position holds /)
    })

    evidence('non-idempotent', `non-idempotent: ruled out, and shown: the ${LOST_ANSWER} records of the lost answer each at two offsets`, () => {
      const dup = verdictOf('non-idempotent').claims.find((c) => c.claim === 'noDuplicates')
      const shown = dup?.scenarios.find((s) => s.scenario === 'response lost after the append')
      expect(shown).toMatchObject({ status: 'broken', anomaly: 'duplicated', count: LOST_ANSWER })
      for (const line of shown?.evidence ?? []) expect(line).toMatch(/^id=answer-lost-\d key=order-\d .*; at p0@\d+, p0@\d+$/)
    })

    evidence('never-retries', 'never-retries: the reset step does not apply, said so, and its claims are kept elsewhere', () => {
      const dup = verdictOf('never-retries').claims.find((c) => c.claim === 'noDuplicates')
      expect(dup?.scenarios.find((s) => s.scenario === 'response lost after the append')).toMatchObject({ status: 'kept' })
      const lane = battery.scenarios.find((s) => s.scenario.name === 'connections reset mid-produce')?.outcome?.variant('never-retries')
      expect(lane?.steps.find((s) => s.what.startsWith('its producer to retry into the resets'))?.notApplicable).toMatch(/never retries/)
    })

    evidence('acks0', 'acks0: judged on records sent and absent (kafkajs at acks=0 never notices the new leader), never passed', () => {
      const loss = verdictOf('acks0').claims.find((c) => c.claim === 'noAcknowledgedLoss')
      // shown under whichever leader kill left more of its records absent: the two swap from run to run
      expect(loss).toMatchObject({ status: 'ruledOut', breach: { anomaly: 'unknownAbsent' } })
      expect(['leader kill under load', 'replication cut, then leader kill']).toContain(loss?.breach?.scenario)
      expect(loss?.breach?.count).toBeGreaterThan(0)
      expect(loss?.breach?.evidence?.[0]).toMatch(/^id=\S+ key=order-\d+ seq=\d+ unknown \(acks=0\) sent /)
      expect(verdictOf('acks0').passed).toBe(false)
    })
  })
}
