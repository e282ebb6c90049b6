/**
 * Facts: the ledger and the log indexed once, as typed arrays, so that each anomaly class is a
 * cheap pass over numbers. This is the only place that looks ids up (through IdIndex).
 *
 * Ledger entries are numbered 0..n-1 (their index in `ledger.entries`), log records 0..m-1
 * (their index in `log.records`).
 */
import { IdIndex } from './id-index.js'
import type { LedgerLike, LogLike } from './types.js'

export const OK = 0
export const FAILED = 1
export const UNKNOWN = 2
const OUTCOME_CODE = { ok: OK, failed: FAILED, unknown: UNKNOWN } as const

/** One partition of the log: its bounds and its records in offset order. */
export interface PartitionView {
  partition: number
  low: number
  high: number
  /** Log record indices, sorted by offset. */
  order: Int32Array
}

export interface Facts {
  ledger: LedgerLike
  log: LogLike
  /** Ledger entries, log records. */
  n: number
  m: number
  /** Interned keys; `keyOf[x]` indexes `keys`. */
  keys: string[]
  keyOf: Int32Array
  start: Float64Array
  end: Float64Array
  outcome: Uint8Array
  /** Acknowledged partition and offset of entry x, -1 if none. */
  ackPartition: Int32Array
  ackOffset: Float64Array
  /** Ledger entry of log record i, -1 for a phantom. */
  logEntry: Int32Array
  logPartition: Int32Array
  logOffset: Float64Array
  /** How many log records carry entry x's id, and the first of them in (partition, offset) order (-1 if none). */
  occurrences: Int32Array
  firstLog: Int32Array
  /** Sorted by partition number. */
  partitions: PartitionView[]
  /** Partition number → index into `partitions`. */
  partitionIndex: Map<number, number>
  /** Every log record holding entry x's id, in (partition, offset) order. */
  positionsOf(x: number): number[]
  /** The log record at (partition, offset), or -1. */
  recordAt(partition: number, offset: number): number
}

export function buildFacts(ledger: LedgerLike, log: LogLike): Facts {
  const entries = ledger.entries
  const records = log.records
  const n = entries.length
  const m = records.length

  const idIndex = new IdIndex((x) => entries[x]!.id, n)
  const keyIndex = new Map<string, number>()
  const keys: string[] = []
  const keyOf = new Int32Array(n)
  const start = new Float64Array(n)
  const end = new Float64Array(n)
  const outcome = new Uint8Array(n)
  const ackPartition = new Int32Array(n).fill(-1)
  const ackOffset = new Float64Array(n).fill(-1)
  for (let x = 0; x < n; x++) {
    const e = entries[x]!
    let k = keyIndex.get(e.key)
    if (k === undefined) {
      k = keys.length
      keys.push(e.key)
      keyIndex.set(e.key, k)
    }
    keyOf[x] = k
    start[x] = e.start
    end[x] = e.end
    const code = OUTCOME_CODE[e.outcome]
    outcome[x] = code
    if (code === OK && e.partition !== null) {
      ackPartition[x] = e.partition
      if (e.offset !== null) ackOffset[x] = e.offset
    }
  }

  // Partitions: those with bounds, those holding records.
  const partitionIndex = new Map<number, number>()
  const views: { partition: number; low: number; high: number; count: number }[] = []
  const viewOf = (p: number): number => {
    let v = partitionIndex.get(p)
    if (v === undefined) {
      v = views.length
      partitionIndex.set(p, v)
      views.push({ partition: p, low: 0, high: 0, count: 0 })
    }
    return v
  }
  for (const b of log.partitions ?? []) {
    const view = views[viewOf(b.partition)]!
    view.low = b.low
    view.high = b.high
  }

  const logEntry = new Int32Array(m)
  const logPartition = new Int32Array(m)
  const logOffset = new Float64Array(m)
  const logView = new Int32Array(m)
  let lastPartition = NaN
  let lastView = -1
  for (let i = 0; i < m; i++) {
    const r = records[i]!
    const p = r.partition
    if (p !== lastPartition) {
      lastPartition = p
      lastView = viewOf(p)
    }
    logView[i] = lastView
    views[lastView]!.count++
    logPartition[i] = p
    logOffset[i] = r.offset
    const id = r.id
    logEntry[i] = id === null ? -1 : idIndex.get(id)
  }

  // Bucket record indices by partition (counting sort), then make sure each bucket is in offset order.
  const orders = views.map((v) => new Int32Array(v.count))
  const fill = new Int32Array(views.length)
  for (let i = 0; i < m; i++) {
    const v = logView[i]!
    orders[v]![fill[v]!++] = i
  }
  const partitions: PartitionView[] = views.map((v, j) => {
    let order = orders[j]!
    if (!ascending(order, logOffset)) order = Int32Array.from(order).sort((a, b) => logOffset[a]! - logOffset[b]!)
    for (let t = 1; t < order.length; t++) {
      if (logOffset[order[t]!] === logOffset[order[t - 1]!]) {
        throw new Error(`reconcile: the log holds two records at partition ${v.partition} offset ${logOffset[order[t]!]}`)
      }
    }
    return { partition: v.partition, low: v.low, high: v.high, order }
  })
  const sortedViews = [...partitions].sort((a, b) => a.partition - b.partition)
  partitionIndex.clear()
  sortedViews.forEach((v, j) => partitionIndex.set(v.partition, j))

  const occurrences = new Int32Array(n)
  const firstLog = new Int32Array(n).fill(-1)
  for (const view of sortedViews) {
    const order = view.order
    for (let t = 0; t < order.length; t++) {
      const i = order[t]!
      const x = logEntry[i]!
      if (x < 0) continue
      if (occurrences[x] === 0) firstLog[x] = i
      occurrences[x]!++
    }
  }

  let multi: Map<number, number[]> | null = null
  const positionsOf = (x: number): number[] => {
    const count = occurrences[x]!
    if (count === 0) return []
    if (count === 1) return [firstLog[x]!]
    if (multi === null) {
      const built = new Map<number, number[]>()
      for (const view of sortedViews) {
        for (const i of view.order) {
          const y = logEntry[i]!
          if (y >= 0 && occurrences[y]! > 1) {
            const list = built.get(y)
            if (list === undefined) built.set(y, [i])
            else list.push(i)
          }
        }
      }
      multi = built
    }
    return multi.get(x) ?? []
  }

  const recordAt = (partition: number, offset: number): number => {
    const v = partitionIndex.get(partition)
    if (v === undefined) return -1
    const order = sortedViews[v]!.order
    let lo = 0
    let hi = order.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const o = logOffset[order[mid]!]!
      if (o === offset) return order[mid]!
      if (o < offset) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }

  return {
    ledger, log, n, m, keys, keyOf, start, end, outcome, ackPartition, ackOffset,
    logEntry, logPartition, logOffset, occurrences, firstLog,
    partitions: sortedViews, partitionIndex, positionsOf, recordAt,
  }
}

function ascending(order: Int32Array, offsets: Float64Array): boolean {
  for (let t = 1; t < order.length; t++) {
    if (offsets[order[t]!]! < offsets[order[t - 1]!]!) return false
  }
  return true
}
