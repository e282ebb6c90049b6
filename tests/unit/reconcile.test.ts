import { describe, expect, it } from 'vitest'
import { describeVerdict, reconcile, type Verdict } from '../../harness/reconcile/index.js'
import type { LedgerEntry } from '../../harness/workload/index.js'
import { ack, entry, failed, ledgerOf, logOf, rec, unknown } from './support/history.js'
import { uuidOf } from './support/id-shapes.js'

const counts = (v: Verdict) =>
  Object.fromEntries(Object.entries(v.anomalies).map(([name, cls]) => [name, cls.count]))

const ZERO = {
  lost: 0, duplicated: 0, overwritten: 0, reordered: 0, outOfSendOrder: 0, phantom: 0,
  keySplit: 0, failedButWritten: 0, unknownWritten: 0, unknownAbsent: 0,
}

describe('reconcile: clean and empty', () => {
  it('an empty run is clean and counts nothing', () => {
    const v = reconcile(ledgerOf([]), logOf([]))
    expect(v.ok).toBe(true)
    expect(v.totals).toEqual({ sent: 0, acknowledged: 0, failed: 0, unknown: 0, read: 0 })
    expect(counts(v)).toEqual(ZERO)
  })

  it('acks that match the log exactly are clean', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0, { start: 0 }), ack('b', 0, 1, { start: 20 }), ack('c', 1, 0, { key: 'j' })]),
      logOf([rec(0, 0, 'a'), rec(0, 1, 'b'), rec(1, 0, 'c', 'j')]),
    )
    expect(v.ok).toBe(true)
    expect(v.violations).toEqual([])
    expect(counts(v)).toEqual(ZERO)
    expect(v.totals).toEqual({ sent: 3, acknowledged: 3, failed: 0, unknown: 0, read: 3 })
  })

  it('does not depend on the order of log records', () => {
    const ledger = ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 }), failed('c'), ack('d', 1, 3)])
    const records = [rec(0, 1, 'a'), rec(0, 0, 'b'), rec(1, 0, 'c'), rec(1, 2, 'x'), rec(1, 3, 'd')]
    const sorted = reconcile(ledger, logOf(records))
    const shuffled = reconcile(ledger, logOf([records[3]!, records[0]!, records[4]!, records[2]!, records[1]!]))
    expect(shuffled).toEqual(sorted)
    expect(sorted.ok).toBe(false)
  })
})

describe('reconcile: lost and overwritten', () => {
  it('an acknowledged record absent from the log is lost, and its vacant position overwritten', () => {
    const v = reconcile(ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 })]), logOf([rec(0, 0, 'a')], [{ partition: 0, low: 0, high: 1 }]))
    expect(v.anomalies.lost.count).toBe(1)
    expect(v.anomalies.lost.evidence).toEqual([
      expect.objectContaining({ id: 'b', key: 'k', ack: { partition: 0, offset: 1 }, holder: null, sendStart: 20, sendEnd: 30 }),
    ])
    expect(v.anomalies.overwritten).toMatchObject({ count: 1, alsoLost: 1, moved: 0, reused: 0, vacant: 1 })
    expect(v.violations).toEqual(['lost', 'overwritten'])
    expect(v.ok).toBe(false)
  })

  it('an offset reused after truncation: lost, overwritten with the new holder, and the holder is a phantom', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 })]),
      logOf([rec(0, 0, 'a'), rec(0, 1, 'other-writer')]),
    )
    expect(v.anomalies.lost.evidence[0]).toMatchObject({ id: 'b', holder: { id: 'other-writer' } })
    expect(v.anomalies.overwritten).toMatchObject({ count: 1, alsoLost: 1, reused: 1, vacant: 0 })
    expect(v.anomalies.overwritten.evidence[0]).toMatchObject({ id: 'b', holder: { id: 'other-writer' }, nowAt: [] })
    expect(v.anomalies.phantom.count).toBe(1)
  })

  it('an offset reused by a record of the same producer: overwritten, and the acked record moved, not lost', () => {
    // a was acked at p0@1, the leader was truncated, a's retry landed at p0@2 and b took p0@1.
    const v = reconcile(
      ledgerOf([ack('a', 0, 1), ack('b', 0, 1, { start: 20 })]),
      logOf([rec(0, 1, 'b'), rec(0, 2, 'a')]),
    )
    expect(v.anomalies.lost.count).toBe(0)
    expect(v.anomalies.overwritten).toMatchObject({ count: 1, alsoLost: 0, moved: 1, reused: 1 })
    expect(v.anomalies.overwritten.evidence[0]).toMatchObject({
      id: 'a', ack: { partition: 0, offset: 1 }, holder: { id: 'b' }, nowAt: [{ partition: 0, offset: 2 }],
    })
  })

  it('a copy at the acknowledged position satisfies the ack even if an earlier copy exists', () => {
    const v = reconcile(ledgerOf([ack('a', 0, 3)]), logOf([rec(0, 0, 'a'), rec(0, 3, 'a')]))
    expect(v.anomalies.overwritten.count).toBe(0)
    expect(v.anomalies.duplicated.count).toBe(1)
  })

  it('an ack below the log start offset is lost if absent, but not overwritten (not observable)', () => {
    const v = reconcile(ledgerOf([ack('a', 0, 2), ack('b', 0, 5)]), logOf([rec(0, 5, 'b')], [{ partition: 0, low: 5, high: 6 }]))
    expect(v.anomalies.lost.count).toBe(1)
    expect(v.anomalies.overwritten.count).toBe(0)
  })

  it('an ack without an offset is lost if absent, never overwritten', () => {
    const v = reconcile(ledgerOf([ack('a', 0, 0, { offset: null })]), logOf([]))
    expect(v.anomalies.lost.count).toBe(1)
    expect(v.anomalies.lost.evidence[0]).toMatchObject({ id: 'a', ack: null, holder: null })
    expect(v.anomalies.overwritten.count).toBe(0)
  })

  it('an ack at a partition the log does not have: lost and vacant', () => {
    const v = reconcile(ledgerOf([ack('a', 7, 0)]), logOf([]))
    expect(v.anomalies.overwritten).toMatchObject({ count: 1, vacant: 1, alsoLost: 1 })
  })
})

describe('reconcile: duplicated', () => {
  it('counts extra copies and lists every position of each id', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 })]),
      logOf([rec(0, 0, 'a'), rec(0, 1, 'b'), rec(0, 2, 'b'), rec(1, 0, 'b'), rec(2, 0, 'a')]),
    )
    expect(v.anomalies.duplicated).toMatchObject({ count: 3, ids: 2 })
    // ordered by each id's first position: a (p0@0) before b (p0@1)
    expect(v.anomalies.duplicated.evidence.map((e) => [e.id, e.positions])).toEqual([
      ['a', [{ partition: 0, offset: 0 }, { partition: 2, offset: 0 }]],
      ['b', [{ partition: 0, offset: 1 }, { partition: 0, offset: 2 }, { partition: 1, offset: 0 }]],
    ])
    expect(v.anomalies.lost.count).toBe(0)
    expect(v.violations).toEqual(['duplicated'])
  })

  it('a failed send written twice: failed-but-written once, duplicated once, nothing lost', () => {
    const v = reconcile(ledgerOf([failed('f')]), logOf([rec(0, 0, 'f'), rec(0, 1, 'f')]))
    expect(v.anomalies.failedButWritten.count).toBe(1)
    expect(v.anomalies.failedButWritten.evidence[0]).toMatchObject({
      id: 'f', outcome: 'failed', positions: [{ partition: 0, offset: 0 }, { partition: 0, offset: 1 }],
    })
    expect(v.anomalies.duplicated.count).toBe(1)
    expect(v.anomalies.lost.count).toBe(0)
    expect(v.violations).toEqual(['duplicated'])
  })
})

describe('reconcile: unknown outcomes (acks=0, timeouts)', () => {
  it('acks=0 sends carry no offsets: written ones are unknown-written, missing ones unknown-absent, none lost', () => {
    const v = reconcile(ledgerOf([unknown('u1'), unknown('u2', { start: 20 }), unknown('u3', { start: 40 })]), logOf([rec(0, 0, 'u2')]))
    expect(v.totals).toMatchObject({ sent: 3, acknowledged: 0, unknown: 3 })
    expect(v.anomalies.unknownWritten.count).toBe(1)
    expect(v.anomalies.unknownWritten.evidence[0]).toMatchObject({ id: 'u2', reason: 'acks=0', positions: [{ partition: 0, offset: 0 }] })
    expect(v.anomalies.unknownAbsent.evidence.map((e) => e.id)).toEqual(['u1', 'u3'])
    expect(v.anomalies.lost.count).toBe(0)
    expect(v.ok).toBe(true)
  })
})

describe('reconcile: reordered', () => {
  it('b sent after a was acknowledged but read before it: one reordered pair', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0, { start: 0 }), ack('b', 0, 1, { start: 20, seq: 1 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'a')]),
    )
    expect(v.anomalies.reordered.count).toBe(1)
    expect(v.anomalies.reordered.evidence).toEqual([
      expect.objectContaining({
        key: 'k', partition: 0,
        ackedFirst: expect.objectContaining({ id: 'a', readAt: 1, sendEnd: 10 }),
        readFirst: expect.objectContaining({ id: 'b', readAt: 0, sendStart: 20 }),
      }),
    ])
    expect(v.violations).toContain('reordered')
  })

  it('concurrent sends (b began before a was acknowledged) are not reordered in real time whichever lands first', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 1, { start: 0, end: 25 }), ack('b', 0, 0, { start: 20, end: 30 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'a')]),
    )
    expect(v.anomalies.reordered.count).toBe(0)
    expect(v.violations).toEqual(['outOfSendOrder']) // see 'reconcile: outOfSendOrder'
  })

  it('different keys are never compared', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 1, { key: 'x' }), ack('b', 0, 0, { key: 'y', start: 20 })]),
      logOf([rec(0, 0, 'b', 'y'), rec(0, 1, 'a', 'x')]),
    )
    expect(v.anomalies.reordered.count).toBe(0)
  })

  it('counts every inverted pair: one record overtaken by two later sends is two pairs', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 2), ack('b', 0, 0, { start: 20 }), unknown('c', { start: 40 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'c'), rec(0, 2, 'a')]),
    )
    expect(v.anomalies.reordered.count).toBe(2)
    // one example per overtaken record, paired with the latest send that overtook it
    expect(v.anomalies.reordered.evidence.map((e) => [e.ackedFirst.id, e.readFirst.id])).toEqual([['a', 'c']])
  })

  it('only acknowledged records can be overtaken', () => {
    const v = reconcile(ledgerOf([unknown('a'), ack('b', 0, 0, { start: 20 })]), logOf([rec(0, 0, 'b'), rec(0, 1, 'a')]))
    expect(v.anomalies.reordered.count).toBe(0)
  })

  it('order is judged by the first copy in the partition; later copies are duplicates, not reordering', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 })]),
      logOf([rec(0, 0, 'a'), rec(0, 1, 'b'), rec(0, 2, 'a')]),
    )
    expect(v.anomalies.reordered.count).toBe(0)
    expect(v.anomalies.duplicated.count).toBe(1)
  })

  it('one key across two partitions is a key split, not reordering', () => {
    const v = reconcile(
      ledgerOf([ack('a', 1, 0), ack('b', 0, 0, { start: 20 }), ack('c', 0, 1, { start: 40 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'c'), rec(1, 0, 'a')]),
    )
    expect(v.anomalies.reordered.count).toBe(0)
    expect(v.anomalies.keySplit.count).toBe(1)
    expect(v.anomalies.keySplit.evidence).toEqual([
      { key: 'k', partitions: [{ partition: 0, records: 2 }, { partition: 1, records: 1 }] },
    ])
    expect(v.ok).toBe(true)
  })
})

describe('reconcile: outOfSendOrder', () => {
  // Calls in flight together: b's call began before a's was acknowledged.
  const together = (a: Partial<LedgerEntry> = {}, b: Partial<LedgerEntry> = {}) =>
    ledgerOf([ack('a', 0, 1, { start: 0, end: 25, call: 1, ...a }), ack('b', 0, 0, { start: 20, end: 30, call: 2, seq: 1, n: 1, ...b })])

  it('calls in flight together read back swapped: one pair out of send order, not reordered', () => {
    const v = reconcile(together(), logOf([rec(0, 0, 'b'), rec(0, 1, 'a')]))
    expect(v.anomalies.outOfSendOrder.count).toBe(1)
    expect(v.anomalies.outOfSendOrder.evidence).toEqual([
      {
        key: 'k', partition: 0,
        sentFirst: expect.objectContaining({ id: 'a', call: 1, readAt: 1, nthOfKey: 1 }),
        readFirst: expect.objectContaining({ id: 'b', call: 2, readAt: 0, nthOfKey: 2 }),
      },
    ])
    expect(v.anomalies.reordered.count).toBe(0)
    expect(v.violations).toEqual(['outOfSendOrder'])
  })

  it('read back in send order: nothing', () => {
    expect(reconcile(together({ offset: 0 }, { offset: 1 }), logOf([rec(0, 0, 'a'), rec(0, 1, 'b')]))).toBeClean()
  })

  it("one call's records are in the order they were given to send()", () => {
    const call = { start: 0, end: 10, call: 3 }
    const ledger = ledgerOf([ack('a', 0, 1, call), ack('b', 0, 0, call), ack('c', 0, 2, call)])
    const v = reconcile(ledger, logOf([rec(0, 0, 'b'), rec(0, 1, 'a'), rec(0, 2, 'c')]))
    expect(v.anomalies.outOfSendOrder.evidence.map((e) => [e.sentFirst.id, e.readFirst.id])).toEqual([['a', 'b']])
    expect(v.anomalies.reordered.count).toBe(0)
  })

  it('counts every inverted pair: one record overtaken by two later sends is two pairs, shown once with the later of them', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 2), ack('b', 0, 0, { start: 5 }), unknown('c', { start: 6 }), ack('d', 0, 3, { start: 7 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'c'), rec(0, 2, 'a'), rec(0, 3, 'd')]),
    )
    expect(v.anomalies.outOfSendOrder.count).toBe(2)
    expect(v.anomalies.outOfSendOrder.evidence.map((e) => [e.sentFirst.id, e.readFirst.id])).toEqual([['a', 'c']])
  })

  it('order is judged by the first copy in the partition: a duplicate read later does not count, one read earlier does', () => {
    const ledger = together({ offset: 0 }, { offset: 1 })
    const later = reconcile(ledger, logOf([rec(0, 0, 'a'), rec(0, 1, 'b'), rec(0, 2, 'a')]))
    expect(later.anomalies.outOfSendOrder.count).toBe(0)
    expect(later.anomalies.duplicated.count).toBe(1)
    const earlier = reconcile(ledger, logOf([rec(0, 0, 'b'), rec(0, 1, 'a'), rec(0, 2, 'b')]))
    expect(earlier.anomalies.outOfSendOrder.evidence.map((e) => [e.sentFirst.readAt, e.readFirst.readAt])).toEqual([[1, 0]])
  })

  it('records of one key in different partitions are not compared (a key split)', () => {
    const v = reconcile(together({ partition: 1, offset: 0 }), logOf([rec(0, 0, 'b'), rec(1, 0, 'a')]))
    expect(v.anomalies.outOfSendOrder.count).toBe(0)
    expect(v.anomalies.keySplit.count).toBe(1)
  })

  it('a pair whose records share two partitions (through duplicates) counts once in each', () => {
    const v = reconcile(together(), logOf([rec(0, 0, 'b'), rec(0, 1, 'a'), rec(1, 0, 'b'), rec(1, 1, 'a')]))
    expect(v.anomalies.outOfSendOrder.evidence.map((e) => e.partition)).toEqual([0, 1])
  })

  it('any outcome counts: a failed send that was written after a later one is out of send order', () => {
    const v = reconcile(
      ledgerOf([failed('a', { end: 40 }), ack('b', 0, 0, { start: 20 })]),
      logOf([rec(0, 0, 'b'), rec(0, 1, 'a')]),
    )
    expect(v.anomalies.failedButWritten.count).toBe(1)
    expect(v.anomalies.outOfSendOrder.evidence).toEqual([
      expect.objectContaining({ sentFirst: expect.objectContaining({ id: 'a', outcome: 'failed' }), readFirst: expect.objectContaining({ id: 'b' }) }),
    ])
    expect(v.ok).toBe(false)
  })

  it("different keys are never compared, and each record is shown as which of its key's sends it was", () => {
    const v = reconcile(
      ledgerOf([
        ack('x0', 1, 0, { key: 'x' }), ack('k0', 0, 0), ack('x1', 0, 1, { key: 'x', start: 1 }), unknown('k1', { start: 2 }),
        ack('k2', 0, 3, { start: 3 }), ack('k3', 0, 2, { start: 4 }),
      ]),
      logOf([rec(0, 0, 'k0'), rec(0, 1, 'x1', 'x'), rec(0, 2, 'k3'), rec(0, 3, 'k2'), rec(1, 0, 'x0', 'x')]),
    )
    expect(v.anomalies.outOfSendOrder.count).toBe(1)
    expect(v.anomalies.outOfSendOrder.evidence.map((e) => [e.key, e.sentFirst.nthOfKey, e.readFirst.nthOfKey])).toEqual([['k', 3, 4]])
  })

  it('describeVerdict says which record was sent first and which was read first', () => {
    const v = reconcile(together({ key: 'order-7', seq: 3 }, { key: 'order-7', seq: 4 }), logOf([rec(0, 0, 'b', 'order-7'), rec(0, 1, 'a', 'order-7')]))
    expect(describeVerdict({ ...v, startedAt: 0 })).toContain(
      'key=order-7 p0: id=a sent 1st (call 1, ok, +0.000s) read at @1, after id=b sent 2nd (call 2, ok, +0.020s) read at @0',
    )
  })
})

describe('reconcile: phantoms', () => {
  it('records without an id, or with an id the ledger never sent, are phantoms; every copy counts', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0)]),
      logOf([rec(0, 0, 'a'), rec(0, 1, null, null), rec(1, 0, 'zz'), rec(1, 1, 'zz')]),
    )
    expect(v.anomalies.phantom.count).toBe(3)
    expect(v.anomalies.phantom.evidence).toEqual([
      { partition: 0, offset: 1, id: null, key: null },
      { partition: 1, offset: 0, id: 'zz', key: 'k' },
      { partition: 1, offset: 1, id: 'zz', key: 'k' },
    ])
    expect(v.anomalies.duplicated.count).toBe(0)
    expect(v.violations).toEqual(['phantom'])
  })
})

describe('reconcile: evidence and input checks', () => {
  it('caps evidence in a fixed order while counts stay exact', () => {
    const entries = Array.from({ length: 50 }, (_, i) => ack(`id-${String(49 - i).padStart(2, '0')}`, 0, 49 - i, { start: i }))
    const v = reconcile(ledgerOf(entries), logOf([]), { evidenceLimit: 7 })
    expect(v.anomalies.lost.count).toBe(50)
    expect(v.anomalies.lost.evidence.map((e) => e.ack?.offset)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(v.anomalies.overwritten.count).toBe(50)
    expect(v.anomalies.overwritten.evidence).toHaveLength(7)
  })

  it('acknowledged positions of any value (negative, fractional, far off, never read) are only hints: workload ids and UUIDs get the same verdict', () => {
    const acks: [number, number][] = [[0, -1], [0, 0.5], [70_000, 0], [1, 1e15], [0.5, 0], [2, 3], [2, 4]]
    const verdict = (id: (i: number) => string) =>
      reconcile(
        ledgerOf(acks.map(([p, o], i) => ack(id(i), p, o, { start: i * 10 }))),
        // entry 1's id sits where entry 6 was acknowledged: the hint there names the wrong entry
        logOf([rec(0, 0, id(0)), rec(2, 3, id(5)), rec(2, 4, id(1)), rec(1, 0, 'x'), rec(0, 1, id(6))]),
      )
    const workload = verdict((i) => `id-${i}`)
    const uuids = verdict((i) => uuidOf(i))
    expect(counts(uuids)).toEqual(counts(workload))
    expect(counts(workload)).toMatchObject({ lost: 3, phantom: 1 })
    const ids = (v: Verdict) => v.anomalies.overwritten.evidence.map((e) => e.id).sort()
    expect(ids(uuids)).toEqual(ids(workload).map((id) => uuidOf(Number(id.slice(3)))).sort())
  })

  it('rejects malformed input', () => {
    expect(() => reconcile(ledgerOf([ack('a', 0, 0), ack('a', 0, 1)]), logOf([]))).toThrow(/ledger id a appears more than once/)
    expect(() => reconcile(ledgerOf([]), logOf([rec(0, 4, 'a'), rec(0, 4, 'b')]))).toThrow(/two records at partition 0 offset 4/)
    expect(() => reconcile({ ...ledgerOf([]), topic: 'x' }, logOf([]))).toThrow(/topic x against a log of topic t/)
  })

  it('describeVerdict names every class and shows the examples', () => {
    const v = reconcile(
      ledgerOf([ack('a', 0, 0, { start: 1000 }), ack('b', 0, 1, { start: 1500, key: 'key-3', seq: 4 })]),
      { ...logOf([rec(0, 0, 'a'), rec(0, 1, 'intruder')]), topic: 't' },
    )
    const text = describeVerdict({ ...v, startedAt: 0 })
    expect(text).toContain('verdict for topic t: NOT OK (violations: lost, overwritten, phantom)')
    expect(text).toContain('sent 2, acknowledged 2, failed 0, unknown 0, read 2')
    expect(text).toContain('id=b key=key-3 seq=4 ok ack p0@1 sent +1.500s..+1.510s; that position holds id=intruder')
    expect(text).toContain('p0@1 id=intruder key=k')
    for (const name of Object.keys(ZERO)) expect(text).toContain(`  ${name}`)
  })

  it('accepts a ledger entry with no seq and a key-less phantom', () => {
    const { seq: _seq, ...noSeq } = entry('a')
    const v = reconcile({ entries: [noSeq] }, { records: [rec(0, 0, 'a'), rec(0, 1, null, null)] })
    expect(v.topic).toBeNull()
    expect(v.anomalies.phantom.count).toBe(1)
  })
})
