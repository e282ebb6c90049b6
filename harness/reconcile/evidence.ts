/** Building evidence: bounded, sorted samples, and entries/records rendered as data. */
import { OK, type Facts } from './facts.js'
import type { Position, SendRef, StoredRef } from './types.js'

export const DEFAULT_EVIDENCE_LIMIT = 20

/**
 * Keeps the first `limit` items in `compare` order out of any number offered, counting them all.
 * Offering in (roughly) sorted order costs one comparison per rejected item.
 */
export class Sample<T> {
  count = 0
  private readonly items: T[] = []

  constructor(
    private readonly limit: number,
    private readonly compare: (a: T, b: T) => number,
  ) {}

  offer(item: T): void {
    this.count++
    const items = this.items
    if (items.length === this.limit) {
      if (this.limit === 0 || this.compare(item, items[items.length - 1]!) >= 0) return
      items.pop()
    }
    let lo = 0
    let hi = items.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compare(items[mid]!, item) <= 0) lo = mid + 1
      else hi = mid
    }
    items.splice(lo, 0, item)
  }

  kept(): readonly T[] {
    return this.items
  }
}

/** Orders log records by (partition, offset). */
export function byLogPosition(f: Facts): (a: number, b: number) => number {
  return (a, b) => f.logPartition[a]! - f.logPartition[b]! || f.logOffset[a]! - f.logOffset[b]!
}

/** Orders entries by their first log position (absent last), then id. */
export function byFirstPosition(f: Facts): (a: number, b: number) => number {
  const pos = byLogPosition(f)
  return (a, b) => {
    const la = f.firstLog[a]!
    const lb = f.firstLog[b]!
    if (la < 0 || lb < 0) return (la < 0 ? 1 : 0) - (lb < 0 ? 1 : 0) || byId(f, a, b)
    return pos(la, lb) || byId(f, a, b)
  }
}

/** Orders acknowledged entries by acknowledged (partition, offset) (unknown last), then id. */
export function byAckPosition(f: Facts): (a: number, b: number) => number {
  const e = f.entries
  return (a, b) =>
    (e[a]!.partition ?? Infinity) - (e[b]!.partition ?? Infinity) ||
    (e[a]!.offset ?? Infinity) - (e[b]!.offset ?? Infinity) ||
    byId(f, a, b)
}

/** Orders entries by send start, then id. */
export function bySendStart(f: Facts): (a: number, b: number) => number {
  return (a, b) => f.entries[a]!.start - f.entries[b]!.start || byId(f, a, b)
}

function byId(f: Facts, a: number, b: number): number {
  const ia = f.entries[a]!.id
  const ib = f.entries[b]!.id
  return ia < ib ? -1 : ia > ib ? 1 : 0
}

/** Where entry x was acknowledged: `ok` with a partition and an offset, else null. */
export function ackOf(f: Facts, x: number): Position | null {
  const e = f.entries[x]!
  return f.outcome[x] === OK && e.partition !== null && e.offset !== null ? { partition: e.partition, offset: e.offset } : null
}

export function sendRef(f: Facts, x: number): SendRef {
  const e = f.entries[x]!
  const ref: SendRef = { id: e.id, key: e.key, outcome: e.outcome, sendStart: e.start, sendEnd: e.end, ack: ackOf(f, x) }
  if (e.seq !== undefined) ref.seq = e.seq
  if (e.call !== undefined) ref.call = e.call
  if (e.reason !== undefined) ref.reason = e.reason
  return ref
}

export function position(f: Facts, i: number): Position {
  return { partition: f.logPartition[i]!, offset: f.logOffset[i]! }
}

export function stored(f: Facts, i: number): StoredRef {
  const r = f.records[i]!
  return { id: r.id, key: r.key }
}

/** What sits at entry x's acknowledged position, or null (nothing there, or no known position). */
export function holderAtAck(f: Facts, x: number): StoredRef | null {
  const ack = ackOf(f, x)
  const i = ack === null ? -1 : f.recordAt(ack.partition, ack.offset)
  return i < 0 ? null : stored(f, i)
}

/** Evidence for the sampled entries, each with every position its id holds. */
export function withPositions(f: Facts, sample: Sample<number>): (SendRef & { positions: Position[] })[] {
  return sample.kept().map((x) => ({ ...sendRef(f, x), positions: f.positionsOf(x).map((i) => position(f, i)) }))
}
