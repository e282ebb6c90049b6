import fc from 'fast-check'
import { describe, expect, test } from 'vitest'
import { drawSchedule, SHORTEST_MS, type Schedule } from '../../harness/explore/schedule.js'
import { DEFAULT_SHRINK_RUNS, shrinkStrongest, strongestFirst, type Origin } from '../../harness/explore/shrink.js'

/**
 * The shrinker over several rounds that broke a claim, against a fake runner that decides which
 * schedules break it: a round breaks when a candidate holds its culprits (ids of that round's
 * schedule), each lasting at least its `minMs`; a round listed as flaky never breaks again.
 */
type Culprits = Record<number, Array<{ id: string; minMs?: number }>>
function runner(culprits: Culprits, never: readonly number[] = []) {
  const ran: Schedule[] = []
  const trial = async (s: Schedule): Promise<boolean> => {
    ran.push(s)
    if (never.includes(s.round)) return false
    return (culprits[s.round] ?? []).every((c) => s.faults.some((f) => f.id === c.id && f.forMs >= (c.minMs ?? 0)))
  }
  return { trial, ran }
}
const origin = (round: number, count: number, durationMs = 60_000): Origin => ({ round, count, schedule: drawSchedule(11, durationMs, undefined, round) })
const ids = (s: Schedule): string[] => s.faults.map((f) => f.id)
const fault = (o: Origin, i: number): string => o.schedule.faults[i]?.id as string

describe('explore: shrinking from the strongest round that reproduces', () => {
  const weak = origin(0, 2)
  const strong = origin(1, 40)
  const tiedLonger = origin(2, 40, 60_000)
  const tiedShorter = origin(3, 40, 30_000)

  test('the strongest round is chosen (most records; ties: the shorter schedule), and only its candidates are rerun', async () => {
    expect(strongestFirst([weak, strong, tiedLonger, tiedShorter]).map((o) => o.round)).toEqual([3, 1, 2, 0])
    const { trial, ran } = runner({ 0: [{ id: fault(weak, 0) }], 1: [{ id: fault(strong, 2) }], 2: [{ id: fault(tiedLonger, 1) }], 3: [{ id: fault(tiedShorter, 3) }] })
    const r = await shrinkStrongest([weak, strong, tiedLonger, tiedShorter], trial, { maxRuns: 30 })
    expect(r.origin).toEqual({ round: 3, count: 40 })
    expect(r.from).toBe(tiedShorter.schedule)
    expect(r.abandoned).toEqual([])
    expect(ran.every((s) => s.round === 3)).toBe(true)
    expect(ids(r.minimal)).toEqual([fault(tiedShorter, 3)])
    expect(r.oneMinimal).toBe(true)
    expect(r.notReproduced).toBe(false)
  })

  test('a strongest round that does not reproduce is given up after its two halves and one whole rerun; the next strongest is shrunk', async () => {
    const { trial, ran } = runner({ 0: [{ id: fault(weak, 1) }] }, [1])
    const r = await shrinkStrongest([weak, strong], trial, { maxRuns: 30 })
    expect(r.abandoned).toEqual([{ round: 1, count: 40 }])
    expect(r.origin).toEqual({ round: 0, count: 2 })
    expect(r.steps.filter((s) => s.round === 1).map((s) => [s.phase, s.reproduced])).toEqual([['drop', false], ['drop', false], ['check', false]])
    expect(ids(ran[2] as Schedule)).toEqual(ids(strong.schedule))
    expect(ids(r.minimal)).toEqual([fault(weak, 1)])
    expect(r.oneMinimal).toBe(true)
  })

  test('a round whose halves keep the claim but the whole breaks it is checked once and shrunk on (two faults from both halves)', async () => {
    const [a, b] = [fault(strong, 0), fault(strong, strong.schedule.faults.length - 1)]
    const { trial } = runner({ 1: [{ id: a }, { id: b }] })
    const r = await shrinkStrongest([strong, weak], trial, { maxRuns: 60, shorten: false })
    expect(r.abandoned).toEqual([])
    expect(r.steps.filter((s) => s.phase === 'check')).toHaveLength(1)
    expect(ids(r.minimal)).toEqual([a, b])
    expect(r.oneMinimal).toBe(true)
  })

  test('no round reproduces: at most three are tried, the strongest stands, unshrunk, said so', async () => {
    const { trial } = runner({}, [0, 1, 2, 3])
    const r = await shrinkStrongest([weak, strong, tiedLonger, tiedShorter], trial, { maxRuns: 30 })
    expect(r.notReproduced).toBe(true)
    expect(r.abandoned.map((a) => a.round)).toEqual([3, 1, 2])
    expect(r.minimal.faults).toEqual(tiedShorter.schedule.faults)
    expect(r.steps).toHaveLength(9)
  })

  test('the budget is never exceeded, checks included, and no candidate is rerun twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ count: fc.integer({ min: 1, max: 50 }), culprits: fc.array(fc.nat(12), { maxLength: 3 }), flaky: fc.boolean() }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 30 }), async (rounds, maxRuns) => {
        const origins = rounds.map((r, i) => origin(i, r.count))
        const culprits: Culprits = Object.fromEntries(rounds.map((r, i) => [i, r.culprits.map((c) => ({ id: `f${(c % (origins[i]?.schedule.faults.length ?? 1)) + 1}`, minMs: 1_000 }))]))
        const { trial, ran } = runner(culprits, rounds.flatMap((r, i) => (r.flaky ? [i] : [])))
        const r = await shrinkStrongest(origins, trial, { maxRuns })
        expect(ran.length).toBe(r.steps.length)
        expect(r.steps.length).toBeLessThanOrEqual(maxRuns)
        const keys = r.steps.map((s) => `${s.round}/${s.faults.join()}`)
        expect(new Set(keys).size).toBe(keys.length)
      }),
      { numRuns: 150 },
    )
  })

  test('with budget enough, the result is 1-minimal: dropping any single fault keeps the claim (the fake runner says so)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.uniqueArray(fc.nat(20), { minLength: 1, maxLength: 3 }), async (round, picks) => {
        const o = origin(round, 1)
        const culprits = [...new Set(picks.map((p) => `f${(p % o.schedule.faults.length) + 1}`))].map((id) => ({ id, minMs: 1_200 }))
        const { trial } = runner({ [round]: culprits })
        const r = await shrinkStrongest([o], trial, { maxRuns: 200 })
        expect(r.oneMinimal).toBe(true)
        expect(await trial(r.minimal)).toBe(true)
        for (const f of r.minimal.faults) expect(await trial({ ...r.minimal, faults: r.minimal.faults.filter((g) => g !== f) })).toBe(false)
        expect(new Set(ids(r.minimal))).toEqual(new Set(culprits.map((c) => c.id)))
        for (const f of r.minimal.faults) expect(f.forMs === SHORTEST_MS || f.forMs < 2 * 1_200 + 100).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  test('it stops early when nothing smaller is possible, and the same outcomes give the same candidates', async () => {
    const culprit = fault(strong, 4)
    const a = runner({ 1: [{ id: culprit }] })
    const r = await shrinkStrongest([strong, weak], a.trial, { maxRuns: 500 })
    expect(ids(r.minimal)).toEqual([culprit])
    expect(r.minimal.faults[0]?.forMs).toBe(SHORTEST_MS)
    expect(r.steps.length).toBeLessThan(DEFAULT_SHRINK_RUNS)
    const b = runner({ 1: [{ id: culprit }] })
    expect((await shrinkStrongest([weak, strong], b.trial, { maxRuns: 500 })).steps).toEqual(r.steps)
  })
})
