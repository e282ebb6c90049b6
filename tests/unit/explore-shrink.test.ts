import { describe, expect, test } from 'vitest'
import { attribute, describeAttribution, linksOf, placeAnomalies } from '../../harness/explore/attribute.js'
import { parseReplay, replayJson } from '../../harness/explore/files.js'
import { DEFAULT_RULES, drawSchedule, ruleViolations, type Schedule } from '../../harness/explore/schedule.js'
import { compact, shrinkStrongest, type ShrinkOptions, type Trial } from '../../harness/explore/shrink.js'
import { parseGateConfig } from '../../harness/gate/config.js'
import { reconcile } from '../../harness/reconcile/index.js'

/** One schedule shrunk (the only round that broke the claim). */
const shrink = (from: Schedule, trial: Trial, o: ShrinkOptions) => shrinkStrongest([{ round: from.round, count: 1, schedule: from }], trial, o)
/** A stand-in for a rerun: the claim breaks when the candidate holds every fault of `needed` lasting at least `minMs`. */
const needs = (needed: string[], minMs = 0) => async (s: Schedule) => needed.every((id) => s.faults.some((f) => f.id === id && f.forMs >= minMs))

describe('explore: shrinking a schedule (delta debugging) against a stand-in rerun', () => {
  const from = drawSchedule(3, 120_000)

  test('one fault that matters: shrunk to it, each removal tried, the window halved down to what it needs', async () => {
    const culprit = from.faults[4]?.id as string
    const r = await shrink(from, needs([culprit], 1_000), { maxRuns: 40 })
    expect(r.minimal.faults.map((f) => f.id)).toEqual([culprit])
    expect(r.oneMinimal).toBe(true)
    expect(r.minimal.faults[0]?.forMs).toBeGreaterThanOrEqual(1_000)
    expect(r.minimal.faults[0]?.forMs).toBeLessThan(2_000)
    expect(r.steps.length).toBeLessThanOrEqual(40)
    expect(ruleViolations(r.minimal)).toEqual([])
  })

  test('two faults that matter together (a replication cut, then a leader kill): both kept, their spacing too', async () => {
    const [a, b] = [from.faults[1], from.faults[6]] as const
    if (!a || !b) throw new Error('schedule 3 has fewer than 7 faults')
    const r = await shrink(from, needs([a.id, b.id]), { maxRuns: 60, shorten: false })
    expect(r.minimal.faults.map((f) => f.id)).toEqual([a.id, b.id])
    expect(r.oneMinimal).toBe(true)
    const [ma, mb] = r.minimal.faults
    expect((mb?.atMs ?? 0) - (ma?.atMs ?? 0)).toBe(b.atMs - a.atMs)
    expect(ma?.atMs).toBe(DEFAULT_RULES.leadMs)
  })

  test('a run budget ends the shrinking, says so, and never exceeds it', async () => {
    const r = await shrink(from, needs([from.faults[2]?.id as string, from.faults[5]?.id as string]), { maxRuns: 2 })
    expect(r.steps).toHaveLength(2)
    expect(r.oneMinimal).toBe(false)
  })

  test('compact drops the empty time around the faults and keeps their spacing', () => {
    const s = compact(from, [from.faults[3], from.faults[5]].filter((f) => f !== undefined))
    expect(s.faults[0]?.atMs).toBe(DEFAULT_RULES.leadMs)
    expect(s.durationMs).toBe(Math.max(...s.faults.map((f) => f.atMs + f.forMs)) + DEFAULT_RULES.tailMs)
  })
})

describe('explore: anomalies attributed to fault windows', () => {
  const windows = [
    { id: 'f1', appliedAt: 10_000, healedAt: 14_000 },
    { id: 'f2', appliedAt: 20_000, healedAt: 21_000 },
  ]

  test('a record is linked to the windows it was sent in, follows, or was acknowledged just before', () => {
    expect(linksOf(11_000, 11_100, windows)).toEqual([{ fault: 'f1', relation: 'during' }])
    expect(linksOf(14_500, 14_600, windows)).toEqual([{ fault: 'f1', relation: 'after' }])
    expect(linksOf(19_000, 19_500, windows)).toEqual([{ fault: 'f1', relation: 'after' }, { fault: 'f2', relation: 'before' }])
    expect(linksOf(1_000, 1_100, windows)).toEqual([])
  })

  test('lost records are placed at their send and summed per fault', () => {
    const entry = (id: string, t: number, offset: number) => ({ id, key: 'k', start: t, end: t + 10, outcome: 'ok' as const, partition: 0, offset })
    const ledger = { entries: [entry('a', 9_000, 0), entry('b', 19_800, 1), entry('c', 30_000, 2)] }
    const verdict = reconcile(ledger, { records: [{ partition: 0, offset: 0, id: 'a', key: 'k' }, { partition: 0, offset: 2, id: 'c', key: 'k' }] })
    const points = placeAnomalies(verdict, windows)
    expect(points.map((p) => [p.anomaly, p.id])).toEqual([['lost', 'b'], ['overwritten', 'b']])
    const [lost] = attribute(verdict, points)
    expect(lost).toMatchObject({ anomaly: 'lost', count: 1, placed: 1, unlinked: 0 })
    expect(describeAttribution(lost as NonNullable<typeof lost>)).toBe('lost 1: f2: 1 acknowledged just before it')
  })
})

describe('explore: replay files', () => {
  test('a replay file reads back to the same schedule and configs', () => {
    const config = parseGateConfig({ name: 'acks1', producer: { acks: 1, retries: 5 }, claims: { noAcknowledgedLoss: true } })
    const schedule = drawSchedule(5, 30_000)
    const back = parseReplay(JSON.parse(replayJson({ schedule, configs: [config], target: { lane: 'acks1', claim: 'noAcknowledgedLoss' } })), 'r.json')
    expect(back.schedule).toEqual(schedule)
    expect(back.configs[0]?.producer).toEqual(config.producer)
    expect(back.configs[0]?.claims).toEqual(config.claims)
    expect(() => parseReplay({ schedule }, 'r.json')).toThrow(/r.json: must be a replay file/)
  })
})
