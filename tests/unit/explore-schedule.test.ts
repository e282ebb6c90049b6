import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { ConfigError } from '../../harness/errors.js'
import { planRounds } from '../../harness/explore/explore.js'
import { prng } from '../../harness/explore/prng.js'
import { DEFAULT_RULES, NODE_DOWN, drawSchedule, parseSchedule, ruleViolations, type Schedule } from '../../harness/explore/schedule.js'

/** Schedules are data drawn from a seed: same seed, same schedule; every drawn schedule obeys its rules. */
describe('explore: seeded schedules', () => {
  test('the same seed gives the same schedule, JSON and all; another seed another', () => {
    const a = drawSchedule(7, 60_000)
    expect(drawSchedule(7, 60_000)).toEqual(a)
    expect(JSON.parse(JSON.stringify(a))).toEqual(a)
    expect(drawSchedule(8, 60_000).faults).not.toEqual(a.faults)
    expect(planRounds(7, 3)).toEqual(planRounds(7, 3))
    expect(planRounds(7, 3).map((s) => s.round)).toEqual([0, 1, 2])
  })

  test('the PRNG is pinned: its first numbers for seed 1 never change across platforms', () => {
    const r = prng(1)
    expect([r(), r(), r()].map((x) => x.toFixed(6))).toEqual(['0.627074', '0.002736', '0.527447'])
  })

  test('every drawn schedule obeys its rules: at most maxDown nodes down and maxAtOnce faults at once, healed before the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 10_000, max: 300_000 }), fc.integer({ min: 0, max: 2 }), (seed, duration, maxDown) => {
        const s = drawSchedule(seed, duration, { ...DEFAULT_RULES, maxDown })
        expect(ruleViolations(s)).toEqual([])
        for (const f of s.faults) {
          const at = s.faults.filter((g) => g.atMs <= f.atMs && f.atMs < g.atMs + g.forMs)
          expect(at.length).toBeLessThanOrEqual(s.rules.maxAtOnce)
          expect(at.filter((g) => NODE_DOWN.includes(g.kind)).length).toBeLessThanOrEqual(maxDown)
          expect(f.atMs + f.forMs).toBeLessThanOrEqual(s.durationMs - s.rules.tailMs)
        }
      }),
      { numRuns: 300 },
    )
  })

  test('a minute of schedule holds every kind of fault over a few seeds, and faults at once', () => {
    const faults = [1, 2, 3, 4, 5].flatMap((seed) => drawSchedule(seed, 60_000).faults)
    expect(new Set(faults.map((f) => f.kind))).toEqual(new Set(DEFAULT_RULES.kinds))
    expect(new Set(faults.map((f) => f.role))).toEqual(new Set(['leader', 'follower', 'controller']))
    const s = drawSchedule(1, 60_000)
    expect(s.faults.some((f) => s.faults.some((g) => g !== f && g.atMs <= f.atMs && f.atMs < g.atMs + g.forMs))).toBe(true)
  })

  test('a schedule that breaks a rule is refused when read back, naming the fault and the rule', () => {
    const s: Schedule = {
      seed: 1,
      round: 0,
      durationMs: 20_000,
      rules: DEFAULT_RULES,
      faults: [
        { id: 'f1', kind: 'kill', role: 'leader', atMs: 3_000, forMs: 4_000 },
        { id: 'f2', kind: 'pause', role: 'follower', atMs: 5_000, forMs: 2_000 },
      ],
    }
    expect(() => parseSchedule(s)).toThrow(ConfigError)
    expect(() => parseSchedule(s)).toThrow(/f2: more than 1 node\(s\) down at once/)
    expect(() => parseSchedule({ ...s, faults: [{ ...s.faults[0], atMs: 18_000 }] })).toThrow(/f1: heals at 22000 ms/)
    expect(() => parseSchedule({ nope: 1 })).toThrow(/must be a schedule as explore writes it/)
    expect(parseSchedule({ ...s, faults: [s.faults[0]] }).faults).toHaveLength(1)
  })

  test('rules that allow no schedule are refused with the field named', () => {
    expect(() => drawSchedule(1, 60_000, { ...DEFAULT_RULES, maxAtOnce: 0 })).toThrow(/maxAtOnce: must be an integer >= 1/)
    expect(() => drawSchedule(1, 60_000, { ...DEFAULT_RULES, kinds: [] })).toThrow(/kinds: must name at least one/)
  })
})
