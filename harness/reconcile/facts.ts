/**
 * Facts: the ledger and the log indexed once, so that each anomaly class is a cheap pass over
 * numbers. This is the only place that looks ids up (through IdIndex).
 *
 * Ledger entries are numbered 0..n-1 (their index in `ledger.entries`), log records 0..m-1
 * (their index in `log.records`).
 *
 * Memory: columns are plain arrays, not typed arrays, on purpose. The inputs of a large
 * reconciliation are millions of objects; V8 answers every ~100 MB of ArrayBuffer allocation with
 * a full mark-compact of that whole heap (seconds at 5M records), while the same columns on the
 * JS heap fall under its ordinary growth limits. Most fields the entries and records already
 * hold (partitions, offsets) are read from them rather than copied.
 */
import { IdIndex } from './id-index.js'
import type { LedgerEntryLike, LedgerLike, LogLike, LogRecordLike } from './types.js'

export const OK = 0
export const FAILED = 1
export const UNKNOWN = 2
const OUTCOME_CODE = { ok: OK, failed: FAILED, unknown: UNKNOWN } as const

/** One partition of the log: its bounds and where its records are in `Facts.order`. */
export interface PartitionView {
  partition: number
  low: number
  high: number
  /** Records of this partition, in offset order: `f.recordIndex(t)` for begin <= t < end. */
  begin: number
  end: number
}

export interface Facts {
  entries: readonly LedgerEntryLike[]
  records: readonly LogRecordLike[]
  /** Ledger entries, log records. */
  n: number
  m: number
  /** Interned keys; `keyOf[x]` indexes `keys`. */
  keys: string[]
  keyOf: number[]
  outcome: number[]
  /** Send start and end of entry x (copied: the reordering pass reads them in log order). */
  start: number[]
  end: number[]
  /** The earliest send start (Infinity for an empty ledger). */
  earliest: number
  /** Ledger entry of log record i, -1 for a phantom. */
  logEntry: number[]
  /** How many log records carry entry x's id, and the first of them in (partition, offset) order (-1 if none). */
  occurrences: number[]
  firstLog: number[]
  /**
   * Log record indices in (partition, offset) order, or null when `records` is already in that
   * order (as the reader returns it): then position t holds record t.
   */
  order: number[] | null
  /** Sorted by partition number. */
  partitions: PartitionView[]
  /** Partition number → index into `partitions`. */
  partitionIndex: Map<number, number>
  /** Every log record holding entry x's id, in (partition, offset) order. */
  positionsOf(x: number): number[]
  /** The log record at (partition, offset), or -1. */
  recordAt(partition: number, offset: number): number
  /** Log start offset of a partition (0 if the log gives no bounds for it). */
  lowOf(partition: number): number
}

export function buildFacts(ledger: LedgerLike, log: LogLike): Facts {
  const entries = ledger.entries
  const records = log.records
  const n = entries.length
  const m = records.length

  const idIndex = new IdIndex((x) => entries[x]!.id, n)
  const keyIndex = new Map<string, number>()
  const keys: string[] = []
  const keyOf = new Array<number>(n).fill(0)
  const outcome = new Array<number>(n).fill(0)
  const start = new Array<number>(n).fill(0.5) // a double, so the arrays hold unboxed doubles
  const end = new Array<number>(n).fill(0.5)
  let earliest = Infinity
  for (let x = 0; x < n; x++) {
    const e = entries[x]!
    let k = keyIndex.get(e.key)
    if (k === undefined) {
      k = keys.length
      keys.push(e.key)
      keyIndex.set(e.key, k)
    }
    keyOf[x] = k
    outcome[x] = OUTCOME_CODE[e.outcome]
    start[x] = e.start
    end[x] = e.end
    if (e.start < earliest) earliest = e.start
  }

  const logEntry = new Array<number>(m).fill(-1)
  for (let i = 0; i < m; i++) {
    const id = records[i]!.id
    if (id !== null) logEntry[i] = idIndex.get(id)
  }

  const order = inPositionOrder(records) ? null : positionOrder(records)
  const partitions = views(records, order, log.partitions ?? [])
  const partitionIndex = new Map(partitions.map((v, j) => [v.partition, j]))

  const occurrences = new Array<number>(n).fill(0)
  const firstLog = new Array<number>(n).fill(-1)
  for (let t = 0; t < m; t++) {
    const i = order === null ? t : order[t]!
    const x = logEntry[i]!
    if (x < 0) continue
    if (occurrences[x] === 0) firstLog[x] = i
    occurrences[x]!++
  }

  let multi: Map<number, number[]> | null = null
  const positionsOf = (x: number): number[] => {
    const count = occurrences[x]!
    if (count === 0) return []
    if (count === 1) return [firstLog[x]!]
    if (multi === null) {
      const built = new Map<number, number[]>()
      for (let t = 0; t < m; t++) {
        const i = order === null ? t : order[t]!
        const y = logEntry[i]!
        if (y >= 0 && occurrences[y]! > 1) {
          const list = built.get(y)
          if (list === undefined) built.set(y, [i])
          else list.push(i)
        }
      }
      multi = built
    }
    return multi.get(x) ?? []
  }

  const recordAt = (partition: number, offset: number): number => {
    const v = partitionIndex.get(partition)
    if (v === undefined) return -1
    let lo = partitions[v]!.begin
    let hi = partitions[v]!.end - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const i = order === null ? mid : order[mid]!
      const o = records[i]!.offset
      if (o === offset) return i
      if (o < offset) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  const lowOf = (partition: number): number => {
    const v = partitionIndex.get(partition)
    return v === undefined ? 0 : partitions[v]!.low
  }

  return {
    entries, records, n, m, keys, keyOf, outcome, start, end, earliest, logEntry, occurrences, firstLog,
    order, partitions, partitionIndex, positionsOf, recordAt, lowOf,
  }
}

/** True if the records are sorted by (partition, offset); throws on two records at one position. */
function inPositionOrder(records: readonly LogRecordLike[]): boolean {
  for (let i = 1; i < records.length; i++) {
    const a = records[i - 1]!
    const b = records[i]!
    if (b.partition < a.partition || (b.partition === a.partition && b.offset <= a.offset)) {
      if (b.partition === a.partition && b.offset === a.offset) throw twoAt(b)
      return false
    }
  }
  return true
}

function positionOrder(records: readonly LogRecordLike[]): number[] {
  const order = Array.from({ length: records.length }, (_, i) => i)
  order.sort((i, j) => records[i]!.partition - records[j]!.partition || records[i]!.offset - records[j]!.offset)
  for (let t = 1; t < order.length; t++) {
    const a = records[order[t - 1]!]!
    const b = records[order[t]!]!
    if (a.partition === b.partition && a.offset === b.offset) throw twoAt(b)
  }
  return order
}

function twoAt(r: LogRecordLike): Error {
  return new Error(`reconcile: the log holds two records at partition ${r.partition} offset ${r.offset}`)
}

/** Partitions with records (runs in position order) or bounds, sorted by partition. */
function views(
  records: readonly LogRecordLike[],
  order: number[] | null,
  bounds: readonly { partition: number; low: number; high: number }[],
): PartitionView[] {
  const byPartition = new Map<number, PartitionView>()
  for (let t = 0; t < records.length; ) {
    const partition = records[order === null ? t : order[t]!]!.partition
    const begin = t
    while (t < records.length && records[order === null ? t : order[t]!]!.partition === partition) t++
    byPartition.set(partition, { partition, low: 0, high: 0, begin, end: t })
  }
  for (const b of bounds) {
    const view = byPartition.get(b.partition)
    if (view === undefined) byPartition.set(b.partition, { partition: b.partition, low: b.low, high: b.high, begin: 0, end: 0 })
    else Object.assign(view, { low: b.low, high: b.high })
  }
  return [...byPartition.values()].sort((a, b) => a.partition - b.partition)
}
