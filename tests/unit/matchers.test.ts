import { describe, expect, it } from 'vitest'
import { reconcile } from '../../harness/reconcile/index.js'
import { ack, failed, ledgerOf, logOf, rec } from './support/history.js'

const clean = reconcile(ledgerOf([ack('a', 0, 0), ack('b', 0, 1, { start: 20 })]), logOf([rec(0, 0, 'a'), rec(0, 1, 'b')]))

// a lost (p0@0 now holds an intruder), b duplicated, c overtaken by d (in real time and in send order), f failed but written
const broken = reconcile(
  ledgerOf([
    ack('a', 0, 0, { key: 'key-1', seq: 3, start: 1000 }),
    ack('b', 0, 1, { start: 2000 }),
    ack('c', 1, 1, { key: 'key-2', start: 3000, call: 2 }),
    ack('d', 1, 0, { key: 'key-2', start: 4000, call: 3 }),
    failed('f'),
  ]),
  logOf([rec(0, 0, 'intruder'), rec(0, 1, 'b'), rec(0, 2, 'b'), rec(1, 0, 'd', 'key-2'), rec(1, 1, 'c', 'key-2'), rec(0, 3, 'f')]),
)

describe('verdict matchers', () => {
  it('pass on a clean verdict', () => {
    expect(clean).toBeClean()
    expect(clean).toHaveNoLostAcks()
    expect(clean).toHaveNoDuplicates()
    expect(clean).toHaveNoReordering()
    expect(clean).toKeepSendOrder()
    expect(clean).toHaveLost(0)
    expect(clean).toHaveDuplicated(0)
    expect(clean).toHaveOverwritten(0)
  })

  it('count exactly', () => {
    expect(broken).toHaveLost(1)
    expect(broken).toHaveDuplicated(1)
    expect(broken).toHaveOverwritten(1)
    expect(broken).not.toHaveLost(2)
    expect(broken).not.toBeClean()
    expect(() => expect(broken).toHaveLost(2)).toThrow('expected lost (acknowledged, absent from the log) to be 2, but it is 1')
  })

  it('a failing toHaveNoLostAcks lists the lost record: id, key, ack position, send times, what holds the position', () => {
    expect(() => expect(broken).toHaveNoLostAcks()).toThrow(
      'id=a key=key-1 seq=3 ok ack p0@0 sent +1.000s..+1.010s; that position holds id=intruder',
    )
  })

  it('a failing toHaveOverwritten says what holds the position and where the record is now', () => {
    expect(() => expect(broken).toHaveOverwritten(0)).toThrow('ack p0@0 sent +1.000s..+1.010s; p0@0 holds id=intruder; id now nowhere')
  })

  it('a failing toHaveNoDuplicates lists every position of the id', () => {
    expect(() => expect(broken).toHaveNoDuplicates()).toThrow(/id=b key=k .*; at p0@1, p0@2/)
  })

  it('a failing toHaveNoReordering names both records, their partition and offsets', () => {
    expect(() => expect(broken).toHaveNoReordering()).toThrow(
      'key=key-2 p1: id=c acknowledged +3.010s read at @1, after id=d sent +4.000s read at @0',
    )
  })

  it('a failing toKeepSendOrder names the record sent first, read later, and the later send read before it', () => {
    expect(broken).not.toKeepSendOrder()
    expect(() => expect(broken).toKeepSendOrder()).toThrow(
      'key=key-2 p1: id=c sent 1st (call 2, ok, +3.000s) read at @1, after id=d sent 2nd (call 3, ok, +4.000s) read at @0',
    )
  })

  it('a failing toBeClean names each violated class with its evidence, and not the reported-only ones', () => {
    let message = ''
    try {
      expect(broken).toBeClean()
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toContain('found violations: lost, duplicated, overwritten, reordered, outOfSendOrder, phantom')
    expect(message).toContain('outOfSendOrder: 1 (same key, same partition: a sent before b')
    expect(message).toContain('sent 5, acknowledged 4, failed 1, unknown 0, read 6')
    expect(message).toContain('phantom: 1 (in the log, never sent')
    expect(message).toContain('p0@0 id=intruder')
    expect(message).not.toContain('failedButWritten')
  })

  it('a negated matcher that passes explains itself', () => {
    expect(() => expect(clean).not.toBeClean()).toThrow('expected violations, but the verdict is clean')
    expect(() => expect(broken).not.toHaveLost(1)).toThrow('expected lost (acknowledged, absent from the log) to be not 1, but it is 1')
  })

  it('shows how many examples were left out', () => {
    const many = reconcile(ledgerOf(Array.from({ length: 30 }, (_, i) => ack(`id-${i}`, 0, i))), logOf([]))
    expect(() => expect(many).toHaveNoLostAcks()).toThrow('(showing 20 of 30)')
  })

  it('reject anything that is not a verdict', () => {
    expect(() => expect({ ok: true }).toBeClean()).toThrow('expected a Verdict from reconcile()')
    expect(() => expect(null).toHaveLost(0)).toThrow('expected a Verdict from reconcile()')
  })

  it('work as asymmetric matchers', () => {
    expect({ verdict: broken }).toEqual({ verdict: expect.toHaveLost(1) })
    expect({ verdict: clean }).toEqual({ verdict: expect.toBeClean() })
  })
})
