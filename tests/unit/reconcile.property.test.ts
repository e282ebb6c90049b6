/**
 * Property tests: generate a clean history, inject known anomalies, and require the reconciler to
 * report exactly those; and require it to agree with a naive second reading of the definitions
 * (support/oracle.ts) on arbitrarily damaged histories.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { reconcile, type Verdict } from '../../harness/reconcile/index.js'
import type { LogRecord } from '../../harness/workload/index.js'
import { boundsFor, cleanHistory, logOf, rec, type History, type ReadOrder, type SendPlan } from './support/history.js'
import { idShape, reshape, type Shaped } from './support/id-shapes.js'
import { oracle, pairKey } from './support/oracle.js'

const RUNS = { numRuns: 200 }

/** Sends start 10 ms apart and last up to `maxDuration` ms. */
const plan = (maxDuration: number): fc.Arbitrary<SendPlan> =>
  fc.record({
    key: fc.integer({ min: 0, max: 4 }),
    duration: fc.integer({ min: 1, max: maxDuration }),
    fate: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'failed', 'unknown-written', 'unknown-absent'),
  })

const historyIn = (order: ReadOrder, maxDuration = 45): fc.Arbitrary<History> =>
  fc
    .tuple(fc.array(plan(maxDuration), { maxLength: 60 }), fc.integer({ min: 1, max: 4 }))
    .map(([plans, partitions]) => cleanHistory(plans, partitions, order))
const history = historyIn('sent')

const withLog = (h: History, records: LogRecord[]): History => ({
  ...h,
  log: logOf(records, boundsFor(records, h.partitions)),
})

/** The history's log records, and a way to write more at the end of a partition. */
function appendable(h: History) {
  const records = [...h.log.records]
  const next = boundsFor(records, h.partitions).map((b) => b.high)
  const append = (partition: number, id: string | null, key: string | null) => records.push(rec(partition, next[partition]!++, id, key))
  return { records, append }
}

const fates = (h: Shaped) => {
  const written = new Set(h.log.records.map((r) => r.id))
  const count = (outcome: string, present: boolean) =>
    h.ledger.entries.filter((e) => e.outcome === outcome && written.has(e.id) === present).length
  return { unknownWritten: count('unknown', true), unknownAbsent: count('unknown', false) }
}

function expectCounts(v: Verdict, expected: Partial<Record<keyof Verdict['anomalies'], number>>): void {
  const all = { lost: 0, duplicated: 0, overwritten: 0, reordered: 0, outOfSendOrder: 0, phantom: 0, keySplit: 0, failedButWritten: 0, ...expected }
  for (const [name, count] of Object.entries(all)) {
    expect(v.anomalies[name as keyof Verdict['anomalies']].count, name).toBe(count)
  }
}

describe('reconcile properties: clean histories', () => {
  it('a clean history is clean, and unknown outcomes are split exactly, whatever the shape of the ids', () => {
    fc.assert(
      fc.property(history, idShape, (clean, { shape, seed, pool }) => {
        const h = reshape(clean, shape, seed, pool)
        const v = reconcile(h.ledger, h.log)
        expect(v.ok).toBe(true)
        expectCounts(v, { ...fates(h) })
        expect(v.totals.sent).toBe(h.ledger.entries.length)
        expect(v.totals.read).toBe(h.log.records.length)
      }),
      RUNS,
    )
  })
})

describe('reconcile properties: send order', () => {
  it('a log in acknowledgement order (calls in flight together overtake each other): not reordered, and out of send order exactly where a later send was acknowledged first', () => {
    fc.assert(
      // sends of one key start ~50 ms apart: long ones overlap the key's next sends
      fc.property(historyIn('acknowledged', 200), (h) => {
        const written = new Set(h.log.records.map((r) => r.id))
        const entries = h.ledger.entries.filter((e) => written.has(e.id))
        let inverted = 0
        for (const a of entries) for (const b of entries) if (a.key === b.key && a.n < b.n && b.end < a.end) inverted++
        const v = reconcile(h.ledger, h.log)
        expectCounts(v, { outOfSendOrder: inverted, ...fates(h) })
        expect(v.ok).toBe(inverted === 0)
        for (const e of v.anomalies.outOfSendOrder.evidence) {
          expect(e.sentFirst.nthOfKey).toBeLessThan(e.readFirst.nthOfKey)
          expect(e.readFirst.readAt).toBeLessThan(e.sentFirst.readAt)
          expect(e.sentFirst.sendEnd).toBeGreaterThan(e.readFirst.sendEnd)
        }
      }),
      RUNS,
    )
  })
})

describe('reconcile properties: injected anomalies are reported exactly', () => {
  it('dropping k acknowledged records: k lost, k overwritten (vacant)', () => {
    fc.assert(
      fc.property(history, fc.infiniteStream(fc.boolean()), (h, coin) => {
        const acked = new Set(h.ledger.entries.filter((e) => e.outcome === 'ok').map((e) => e.id))
        const dropped = new Set([...acked].filter(() => coin.next().value))
        const v = reconcile(h.ledger, withLog(h, h.log.records.filter((r) => !dropped.has(r.id!))).log)
        expectCounts(v, { lost: dropped.size, overwritten: dropped.size, ...fates(h) })
        expect(v.anomalies.overwritten).toMatchObject({ alsoLost: dropped.size, vacant: dropped.size })
        expect(v.anomalies.lost.evidence).toHaveLength(Math.min(dropped.size, 20))
        for (const e of v.anomalies.lost.evidence) expect(dropped).toContain(e.id)
        expect(v.ok).toBe(dropped.size === 0)
      }),
      RUNS,
    )
  })

  it('appending copies of written records to their partition: exactly that many duplicates', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 10 }), (h, picks) => {
        const { records, append } = appendable(h)
        for (const pick of picks) {
          if (h.log.records.length === 0) break
          const r = h.log.records[pick % h.log.records.length]!
          append(r.partition, r.id, r.key)
        }
        const copies = h.log.records.length === 0 ? 0 : picks.length
        const v = reconcile(h.ledger, withLog(h, records).log)
        const ids = new Set(picks.map((p) => h.log.records[p % h.log.records.length]?.id))
        expectCounts(v, { duplicated: copies, ...fates(h) })
        expect(v.anomalies.duplicated.ids).toBe(copies === 0 ? 0 : ids.size)
      }),
      RUNS,
    )
  })

  it('swapping adjacent same-key records: one pair out of send order per swap, and one reordered pair where the first was acked before the second began', () => {
    fc.assert(
      fc.property(history, fc.infiniteStream(fc.boolean()), (h, coin) => {
        const entries = new Map(h.ledger.entries.map((e) => [e.id, { ...e }]))
        const records = h.log.records.map((r) => ({ ...r }))
        let expected = 0
        const swapped = new Set<string>()
        for (let p = 0; p < h.partitions; p++) {
          const byKey = new Map<string, LogRecord[]>()
          for (const r of records.filter((r) => r.partition === p)) byKey.set(r.key!, [...(byKey.get(r.key!) ?? []), r])
          for (const group of byKey.values()) {
            // disjoint adjacent pairs (0,1), (2,3), ... of the key's records in offset order
            for (let i = 0; i + 1 < group.length; i += 2) {
              if (!coin.next().value) continue
              const first = group[i]!
              const second = group[i + 1]!
              const a = entries.get(first.id!)!
              const b = entries.get(second.id!)!
              ;[first.offset, second.offset] = [second.offset, first.offset]
              // the ledger follows the log: acks name the swapped offsets
              if (a.outcome === 'ok') a.offset = first.offset
              if (b.outcome === 'ok') b.offset = second.offset
              if (a.outcome === 'ok' && a.end < b.start) expected++
              swapped.add(`${a.id} ${b.id}`)
            }
          }
        }
        const ledger = { ...h.ledger, entries: [...entries.values()] }
        const v = reconcile(ledger, withLog(h, records).log)
        expectCounts(v, { reordered: expected, outOfSendOrder: swapped.size, ...fates(h) })
        expect(v.anomalies.reordered.evidence.length).toBe(Math.min(expected, 20))
        for (const e of v.anomalies.reordered.evidence) {
          expect(e.ackedFirst.sendEnd).toBeLessThan(e.readFirst.sendStart)
          expect(e.readFirst.readAt).toBeLessThan(e.ackedFirst.readAt)
        }
        // each swap is its own example: the swapped pair, the earlier-sent one read second
        const examples = v.anomalies.outOfSendOrder.evidence
        expect(examples.length).toBe(Math.min(swapped.size, 20))
        for (const e of examples) {
          expect(swapped).toContain(`${e.sentFirst.id} ${e.readFirst.id}`)
          expect(e.sentFirst.nthOfKey).toBeLessThan(e.readFirst.nthOfKey)
          expect(e.readFirst.readAt).toBeLessThan(e.sentFirst.readAt)
        }
      }),
      RUNS,
    )
  })

  it('writing failed sends at the end of their partition: exactly that many failed-but-written, each behind the records of its key sent after it', () => {
    fc.assert(
      fc.property(history, fc.infiniteStream(fc.boolean()), (h, coin) => {
        const { records, append } = appendable(h)
        const written = h.ledger.entries.filter((e) => e.outcome === 'failed' && coin.next().value)
        for (const e of written) append(Number(e.key.slice(4)) % h.partitions, e.id, e.key)
        const inLog = new Set(h.log.records.map((r) => r.id))
        const overtaken = written
          .map((f) => h.ledger.entries.filter((e) => e.key === f.key && e.n > f.n && inLog.has(e.id)).length)
          .reduce((sum, k) => sum + k, 0)
        const v = reconcile(h.ledger, withLog(h, records).log)
        expectCounts(v, { failedButWritten: written.length, outOfSendOrder: overtaken, ...fates(h) })
        expect(v.ok).toBe(overtaken === 0)
      }),
      RUNS,
    )
  })

  it('inserting records never sent (no id, or an unknown id): exactly that many phantoms', () => {
    fc.assert(
      fc.property(history, fc.array(fc.tuple(fc.nat(), fc.boolean()), { maxLength: 10 }), (h, inserts) => {
        const { records, append } = appendable(h)
        inserts.forEach(([p, withId], i) => append(p % h.partitions, withId ? `stranger-${i}` : null, null))
        const v = reconcile(h.ledger, withLog(h, records).log)
        expectCounts(v, { phantom: inserts.length, ...fates(h) })
      }),
      RUNS,
    )
  })

  it('truncating a partition tail and refilling part of it with other writes: acks in the tail are lost and overwritten', () => {
    fc.assert(
      fc.property(history, fc.nat(), fc.nat(), fc.nat({ max: 8 }), (h, pickPartition, pickCut, refill) => {
        const p = pickPartition % h.partitions
        const high = boundsFor(h.log.records, h.partitions)[p]!.high
        const cut = high === 0 ? 0 : pickCut % (high + 1)
        const tail = h.log.records.filter((r) => r.partition === p && r.offset >= cut)
        const records = h.log.records.filter((r) => !(r.partition === p && r.offset >= cut))
        for (let i = 0; i < refill; i++) records.push(rec(p, cut + i, `new-leader-${i}`, 'k'))
        const tailIds = new Set(tail.map((r) => r.id))
        const ackedInTail = h.ledger.entries.filter((e) => e.outcome === 'ok' && tailIds.has(e.id))
        const reused = ackedInTail.filter((e) => e.offset! < cut + refill).length
        const damaged = withLog(h, records)
        const v = reconcile(h.ledger, damaged.log)
        expectCounts(v, { lost: ackedInTail.length, overwritten: ackedInTail.length, phantom: refill, ...fates(damaged) })
        expect(v.anomalies.overwritten).toMatchObject({ alsoLost: ackedInTail.length, moved: 0, reused })
      }),
      RUNS,
    )
  })
})

describe('reconcile properties: agreement with a naive reading of the definitions', () => {
  /**
   * Arbitrary damage to a log in send order or in acknowledgement order: records dropped, copied
   * anywhere, moved, delayed, phantoms added, outcomes and acks changed.
   */
  const damaged = fc
    .tuple(
      fc.oneof(history, historyIn('acknowledged', 200)),
      fc.array(
        fc.tuple(fc.constantFrom('drop', 'copy', 'move', 'delay', 'phantom', 'relabel', 'reack'), fc.nat(), fc.nat(), fc.nat()),
        { maxLength: 12 },
      ),
    )
    .map(([h, ops]) => {
      const records = h.log.records.map((r) => ({ ...r }))
      const entries = h.ledger.entries.map((e) => ({ ...e }))
      const partitions = h.partitions + 1 // one partition the clean history never uses
      const free = (p: number) => Math.max(0, ...records.filter((r) => r.partition === p).map((r) => r.offset + 1)) + (p % 2)
      for (const [op, a, b, c] of ops) {
        const r = records[a % Math.max(1, records.length)]
        const e = entries[a % Math.max(1, entries.length)]
        if (op === 'drop' && r) records.splice(records.indexOf(r), 1)
        if (op === 'copy' && r) records.push(rec(b % partitions, free(b % partitions), r.id, r.key))
        if (op === 'move' && r) {
          r.partition = b % partitions
          r.offset = free(r.partition)
        }
        if (op === 'delay' && r) r.offset = free(r.partition) // re-appended to its own partition
        if (op === 'phantom') {
          // no id, or ids that resemble ledger ids without being any
          const id = [null, `x-${c}`, `id-${c + 1000}`, `id-00${c}`, `custom/${c + 1000}`][c % 5]!
          records.push(rec(b % partitions, free(b % partitions), id, null))
        }
        if (op === 'relabel' && e) e.outcome = (['ok', 'failed', 'unknown'] as const)[b % 3]!
        if (op === 'reack' && e && e.outcome === 'ok') {
          e.partition = b % partitions
          e.offset = c % 3 === 0 ? null : c % 20
        }
      }
      return { ledger: { ...h.ledger, entries }, log: logOf(records, boundsFor(records, partitions).map((x, i) => ({ ...x, low: i === 0 && x.high > 2 ? 1 : 0 }))) }
    })
  /** The same, its ids renamed to any shape (support/id-shapes.ts): UUIDs, hex order ids, any strings, a mix. */
  const damagedAnyIds = fc.tuple(damaged, idShape).map(([h, { shape, seed, pool }]) => reshape(h, shape, seed, pool))

  it('counts and the sets of ids in evidence match the oracle, whatever the shape of the ids', () => {
    fc.assert(
      fc.property(damagedAnyIds, ({ ledger, log }) => {
        const v = reconcile(ledger, log, { evidenceLimit: 10_000 })
        const o = oracle(ledger, log)
        const ids = (xs: readonly { id: string | null }[]) => new Set(xs.map((x) => x.id))
        const a = v.anomalies
        expect(ids(a.lost.evidence)).toEqual(o.lost)
        expect(a.lost.count).toBe(o.lost.size)
        expect(a.duplicated.count).toBe(o.duplicated)
        expect(ids(a.duplicated.evidence)).toEqual(o.duplicatedIds)
        expect(ids(a.overwritten.evidence)).toEqual(o.overwritten)
        expect(a.overwritten).toMatchObject({ count: o.overwritten.size, alsoLost: o.alsoLost, reused: o.reused })
        expect(a.reordered.count).toBe(o.reorderedPairs.size)
        for (const e of a.reordered.evidence) {
          expect(o.reorderedPairs).toContain(pairKey(e.ackedFirst.id, e.readFirst.id, e.partition))
        }
        // the overtaken record of each pair, and its partition
        const overtaken = (pairs: Set<string>) =>
          new Set([...pairs].map((pair) => JSON.parse(pair) as [string, string, number]).map(([first, , partition]) => JSON.stringify([first, partition])))
        expect(new Set(a.reordered.evidence.map((e) => JSON.stringify([e.ackedFirst.id, e.partition])))).toEqual(overtaken(o.reorderedPairs))
        expect(a.outOfSendOrder.count).toBe(o.outOfSendOrderPairs.size)
        for (const e of a.outOfSendOrder.evidence) {
          expect(o.outOfSendOrderPairs).toContain(pairKey(e.sentFirst.id, e.readFirst.id, e.partition))
        }
        expect(new Set(a.outOfSendOrder.evidence.map((e) => JSON.stringify([e.sentFirst.id, e.partition])))).toEqual(overtaken(o.outOfSendOrderPairs))
        expect(new Set(a.phantom.evidence.map((e) => `${e.partition}:${e.offset}`))).toEqual(o.phantoms)
        expect(a.phantom.count).toBe(o.phantoms.size)
        expect(new Set(a.keySplit.evidence.map((e) => e.key))).toEqual(o.keySplit)
        expect(ids(a.failedButWritten.evidence)).toEqual(o.failedButWritten)
        expect(ids(a.unknownWritten.evidence)).toEqual(o.unknownWritten)
        expect(ids(a.unknownAbsent.evidence)).toEqual(o.unknownAbsent)
        expect(v.ok).toBe(o.lost.size + o.duplicated + o.overwritten.size + o.reorderedPairs.size + o.outOfSendOrderPairs.size + o.phantoms.size === 0)
      }),
      RUNS,
    )
  })

  it('ids are only compared: renamed to ids of no workload form (order kept), the verdict is renamed and nothing else changes', () => {
    // a separator after every code unit: injective and order-preserving, and no id ends in -<digits>
    const renamer = (sep: string) => (id: string) => id.split('').map((unit) => unit + sep).join('')
    const renamed = (v: unknown, f: (id: string) => string): unknown =>
      Array.isArray(v)
        ? v.map((x) => renamed(x, f))
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'id' && typeof x === 'string' ? f(x) : renamed(x, f)]))
          : v
    fc.assert(
      fc.property(damaged, fc.constantFrom('\u0001', 'é', '😀', '-x'), fc.constantFrom(3, 10_000), ({ ledger, log }, sep, limit) => {
        const f = renamer(sep)
        const ledger2 = { ...ledger, entries: ledger.entries.map((e) => ({ ...e, id: f(e.id) })) }
        const log2 = { ...log, records: log.records.map((r) => ({ ...r, id: r.id === null ? null : f(r.id) })) }
        expect(reconcile(ledger2, log2, { evidenceLimit: limit })).toEqual(renamed(reconcile(ledger, log, { evidenceLimit: limit }), f))
      }),
      RUNS,
    )
  })

  it("the order the log's records come in changes nothing, whatever the shape of the ids", () => {
    fc.assert(
      fc.property(damagedAnyIds, fc.integer(), ({ ledger, log }, seed) => {
        // a seeded shuffle (xorshift32): the reader's order is positions, a team's tool may give any
        const shuffled = [...log.records]
        let state = seed | 1
        for (let i = shuffled.length - 1; i > 0; i--) {
          state ^= state << 13
          state ^= state >>> 17
          state ^= state << 5
          const j = (state >>> 0) % (i + 1)
          ;[shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!]
        }
        expect(reconcile(ledger, { ...log, records: shuffled }, { evidenceLimit: 10_000 })).toEqual(reconcile(ledger, log, { evidenceLimit: 10_000 }))
      }),
      RUNS,
    )
  })

  it('capped evidence is the first examples of the full evidence, in order', () => {
    fc.assert(
      fc.property(damagedAnyIds, fc.integer({ min: 0, max: 4 }), ({ ledger, log }, limit) => {
        const full = reconcile(ledger, log, { evidenceLimit: 10_000 })
        const capped = reconcile(ledger, log, { evidenceLimit: limit })
        for (const name of Object.keys(full.anomalies) as (keyof Verdict['anomalies'])[]) {
          expect(capped.anomalies[name].count).toBe(full.anomalies[name].count)
          expect(capped.anomalies[name].evidence).toEqual(full.anomalies[name].evidence.slice(0, limit))
        }
      }),
      RUNS,
    )
  })
})
