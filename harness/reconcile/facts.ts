/**
 * Facts: the ledger and the log indexed once, so that each anomaly class is a cheap pass over
 * numbers. This is the only place that looks ids up (through IdIndex).
 *
 * Ledger entries are numbered 0..n-1 (their index in `ledger.entries`), log records 0..m-1
 * (their index in `log.records`).
 *
 * Memory: the columns are typed arrays from the reconciler's arena (arena.ts), reused from one
 * reconcile to the next. Each input object is read in one pass where possible: touching millions
 * of scattered objects, not arithmetic, is what costs.
 */
import { columns } from './arena.js'
import { IdIndex, sampleHash } from './id-index.js'
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
  keyOf: Int32Array
  outcome: Int32Array
  /** Send start and end of entry x (copied: the reordering pass reads them in log order). */
  start: Float64Array
  end: Float64Array
  /** The earliest send start (Infinity for an empty ledger). */
  earliest: number
  /** Acknowledged partition and offset of entry x: `ok` with both known, else -1. */
  ackPartition: Float64Array
  ackOffset: Float64Array
  /** Ledger entry of log record i, -1 for a phantom; its partition and offset. */
  logEntry: Int32Array
  logPartition: Int32Array
  logOffset: Float64Array
  /** How many log records carry entry x's id, and the first of them in (partition, offset) order (-1 if none). */
  occurrences: Int32Array
  firstLog: Int32Array
  /**
   * The entries any per-entry class can report, in entry order: every entry but those acknowledged
   * at a position that holds their one copy in the log. On a clean run, a few.
   */
  notable: number[]
  /** Entries of outcome `ok`, `failed`. */
  acknowledged: number
  failed: number
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

  columns.begin()
  // The log's positions, in one pass over its records; their ids are kept for the passes below.
  const logPartition = columns.int32(m)
  const logOffset = columns.float64(m)
  const logIds = keptIds(m)
  let sorted = true
  for (let i = 0; i < m; i++) {
    const r = records[i]!
    const p = r.partition
    const o = r.offset
    if ((p | 0) !== p) throw notInt32(i, p)
    logPartition[i] = p
    logOffset[i] = o
    logIds[i] = r.id
    if (i > 0 && sorted) {
      const pp = logPartition[i - 1]!
      if (p < pp || (p === pp && o <= logOffset[i - 1]!)) {
        if (p === pp && o === logOffset[i - 1]) throw twoAt(p, o)
        sorted = false
      }
    }
  }
  const order = sorted ? null : positionOrder(logPartition, logOffset)
  const partitions = views(logPartition, order, log.partitions ?? [])
  const partitionIndex = new Map(partitions.map((v, j) => [v.partition, j]))
  const recordAt = positionIndex(partitions, partitionIndex, logOffset, order)

  // One pass over the ledger. An acknowledged entry whose id is hashed (guessed from the entry
  // before it) is compared with the record at its position: on a clean log that record holds its
  // id, and one comparison replaces hashing the record's id and probing. (A workload id is not:
  // parsing the record's id, in the log's order, costs less than reading the record's id string
  // in the ledger's order.)
  const idIndex = new IdIndex((x) => entries[x]!.id, n, sampleHash, columns)
  const keyIndex = new Map<string, number>()
  const keys: string[] = []
  const keyOf = columns.int32(n)
  const outcome = columns.int32(n)
  const start = columns.float64(n)
  const end = columns.float64(n)
  const ackPartition = columns.float64(n)
  const ackOffset = columns.float64(n)
  const logEntry = columns.int32(m).fill(-1)
  let earliest = Infinity
  let acknowledged = 0
  let failed = 0
  /** Whether the last id was hashed: then this one likely is too (a guess; either way is exact). */
  let hashing = false
  for (let x = 0; x < n; x++) {
    const e = entries[x]!
    const id = e.id
    const code = OUTCOME_CODE[e.outcome]
    outcome[x] = code
    if (code === OK) acknowledged++
    else if (code === FAILED) failed++
    let same: string | null = null
    if (code === OK && e.partition !== null && e.offset !== null) {
      ackPartition[x] = e.partition
      ackOffset[x] = e.offset
      if (hashing) {
        const i = recordAt(e.partition, e.offset)
        // the first entry acknowledged there with the record's id (two with one id: seal throws)
        if (i >= 0 && logEntry[i] === -1 && logIds[i] === id) {
          logEntry[i] = x
          same = logIds[i]!
        }
      }
    } else {
      ackPartition[x] = -1
      ackOffset[x] = -1
    }
    // An equal string, the record's if it was just compared: a flat string the reader made, cheaper
    // to read unit by unit than one the producer built by concatenation, and in the cache now.
    hashing = idIndex.add(x, same ?? id)
    let k = keyIndex.get(e.key)
    if (k === undefined) {
      k = keys.length
      keys.push(e.key)
      keyIndex.set(e.key, k)
    }
    keyOf[x] = k
    start[x] = e.start
    end[x] = e.end
    if (e.start < earliest) earliest = e.start
  }
  idIndex.seal()

  // The records whose position did not hold their entry (copies, phantoms, records moved) are
  // looked up by id; then each entry's copies, and its first in position order.
  const occurrences = columns.zeroedInt32(n)
  const firstLog = columns.int32(n).fill(-1)
  for (let t = 0; t < m; t++) {
    const i = order === null ? t : order[t]!
    let x = logEntry[i]!
    if (x < 0) {
      const id = logIds[i]
      x = id === null || id === undefined ? -1 : idIndex.get(id)
      logEntry[i] = x
    }
    if (x >= 0) {
      if (occurrences[x] === 0) firstLog[x] = i
      occurrences[x]!++
    }
  }
  logIds.fill(null) // the log's strings are the caller's: keep none of them past this call

  const notable: number[] = []
  for (let x = 0; x < n; x++) {
    const i = firstLog[x]!
    const clean = outcome[x] === OK && occurrences[x] === 1 && logOffset[i] === ackOffset[x] && logPartition[i] === ackPartition[x]
    if (!clean) notable.push(x)
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

  const lowOf = (partition: number): number => {
    const v = partitionIndex.get(partition)
    return v === undefined ? 0 : partitions[v]!.low
  }

  return {
    entries, records, n, m, keys, keyOf, outcome, start, end, earliest, ackPartition, ackOffset, logEntry, logPartition, logOffset, occurrences, firstLog,
    notable, acknowledged, failed,
    order, partitions, partitionIndex, positionsOf, recordAt, lowOf,
  }
}

/** The ids of the log's records, kept between calls like the arena's columns (emptied after each). */
const logIdColumn: (string | null | undefined)[] = []

function keptIds(m: number): (string | null | undefined)[] {
  while (logIdColumn.length < m) logIdColumn.push(null)
  return logIdColumn
}

/**
 * (partition, offset) → the log record there, or -1: within a partition's run of positions, its
 * offset's distance from the run's first offset when offsets are dense (as a partition's are,
 * but for transaction markers and compaction), else a binary search.
 */
function positionIndex(
  partitions: readonly PartitionView[],
  partitionIndex: ReadonlyMap<number, number>,
  logOffset: Float64Array,
  order: number[] | null,
): (partition: number, offset: number) => number {
  const recordOf = (t: number) => (order === null ? t : order[t]!)
  const first = partitions.map((v) => (v.end > v.begin ? logOffset[recordOf(v.begin)]! : 0))
  // small partition numbers (every topic's) through an array, others through the map
  const direct = new Int32Array(Math.min(1 + Math.max(-1, ...partitions.map((v) => v.partition)), 1 << 16)).fill(-1)
  partitions.forEach((v, j) => {
    if (v.partition >= 0 && v.partition < direct.length) direct[v.partition] = j
  })
  return (partition, offset) => {
    const j = (partition | 0) !== partition ? -1 : partition >= 0 && partition < direct.length ? direct[partition]! : (partitionIndex.get(partition) ?? -1)
    if (j < 0) return -1
    const v = partitions[j]!
    const guess = v.begin + (offset - first[j]!)
    if (guess >= v.begin && guess < v.end) {
      const i = recordOf(guess)
      if (logOffset[i] === offset) return i
    }
    let lo = v.begin
    let hi = v.end - 1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      const i = recordOf(mid)
      const o = logOffset[i]!
      if (o === offset) return i
      if (o < offset) lo = mid + 1
      else hi = mid - 1
    }
    return -1
  }
}

function notInt32(index: number, partition: number): Error {
  return new Error(`reconcile: log record ${index} is in partition ${partition}, not a 32-bit integer as Kafka's partitions are`)
}

function positionOrder(partition: Int32Array, offset: Float64Array): number[] {
  const order = Array.from({ length: partition.length }, (_, i) => i)
  order.sort((i, j) => partition[i]! - partition[j]! || offset[i]! - offset[j]!)
  for (let t = 1; t < order.length; t++) {
    const a = order[t - 1]!
    const b = order[t]!
    if (partition[a] === partition[b] && offset[a] === offset[b]) throw twoAt(partition[b]!, offset[b]!)
  }
  return order
}

function twoAt(partition: number, offset: number): Error {
  return new Error(`reconcile: the log holds two records at partition ${partition} offset ${offset}`)
}

/** Partitions with records (runs in position order) or bounds, sorted by partition. */
function views(
  partitionOf: Int32Array,
  order: number[] | null,
  bounds: readonly { partition: number; low: number; high: number }[],
): PartitionView[] {
  const byPartition = new Map<number, PartitionView>()
  const m = partitionOf.length
  for (let t = 0; t < m; ) {
    const partition = partitionOf[order === null ? t : order[t]!]!
    const begin = t
    while (t < m && partitionOf[order === null ? t : order[t]!] === partition) t++
    byPartition.set(partition, { partition, low: 0, high: 0, begin, end: t })
  }
  for (const b of bounds) {
    const view = byPartition.get(b.partition)
    if (view === undefined) byPartition.set(b.partition, { partition: b.partition, low: b.low, high: b.high, begin: 0, end: 0 })
    else Object.assign(view, { low: b.low, high: b.high })
  }
  return [...byPartition.values()].sort((a, b) => a.partition - b.partition)
}
