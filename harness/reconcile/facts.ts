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
import { type Arena, columns } from './arena.js'
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
  const idIndex = new IdIndex((x) => entries[x]!.id, n, sampleHash, columns)
  const keyIndex = new Map<string, number>()
  const keys: string[] = []
  const keyOf = columns.int32(n)
  const outcome = columns.int32(n)
  const start = columns.float64(n)
  const end = columns.float64(n)
  const ackPartition = columns.float64(n)
  const ackOffset = columns.float64(n)
  const occurrences = columns.zeroedInt32(n)
  let earliest = Infinity
  let acknowledged = 0
  let failed = 0
  for (let x = 0; x < n; x++) {
    const e = entries[x]!
    idIndex.add(x, e.id)
    let k = keyIndex.get(e.key)
    if (k === undefined) {
      k = keys.length
      keys.push(e.key)
      keyIndex.set(e.key, k)
    }
    keyOf[x] = k
    const code = OUTCOME_CODE[e.outcome]
    outcome[x] = code
    if (code === OK) acknowledged++
    else if (code === FAILED) failed++
    const acked = code === OK && e.partition !== null && e.offset !== null
    ackPartition[x] = acked ? e.partition! : -1
    ackOffset[x] = acked ? e.offset! : -1
    start[x] = e.start
    end[x] = e.end
    if (e.start < earliest) earliest = e.start
  }

  idIndex.seal()
  const firstLog = columns.int32(n).fill(-1)

  // One pass over the records: their entries and positions; and, if they come in position order
  // (as the reader returns them), each entry's copies and first copy.
  const logEntry = columns.int32(m)
  const logPartition = columns.int32(m)
  const logOffset = columns.float64(m)
  let sorted = true
  // where ids are hashed, the entry acknowledged at a record's position is tried first: on a clean
  // log it holds the record's id, and one comparison replaces hashing the id and probing (workload
  // ids are not: parsing the record's id reads one string, comparing it with the entry's two)
  const acked = idIndex.hashed ? ackedAt(ackPartition, ackOffset, columns) : null
  for (let i = 0; i < m; i++) {
    const r = records[i]!
    const id = r.id
    const p = r.partition
    const o = r.offset
    if ((p | 0) !== p) throw notInt32(i, p)
    const x = id === null ? -1 : idIndex.get(id, acked === null ? -1 : acked.at(p, o))
    logEntry[i] = x
    logPartition[i] = p
    logOffset[i] = o
    if (i > 0 && sorted) {
      const pp = logPartition[i - 1]!
      if (p < pp || (p === pp && o <= logOffset[i - 1]!)) {
        if (p === pp && o === logOffset[i - 1]) throw twoAt(p, o)
        sorted = false
      }
    }
    if (x >= 0) {
      if (occurrences[x] === 0) firstLog[x] = i
      occurrences[x]!++
    }
  }

  const order = sorted ? null : positionOrder(logPartition, logOffset)
  if (order !== null) {
    // first copies in position order, not record order
    firstLog.fill(-1)
    for (const i of order) {
      const x = logEntry[i]!
      if (x >= 0 && firstLog[x] === -1) firstLog[x] = i
    }
  }
  const notable: number[] = []
  for (let x = 0; x < n; x++) {
    const i = firstLog[x]!
    const clean = outcome[x] === OK && occurrences[x] === 1 && logOffset[i] === ackOffset[x] && logPartition[i] === ackPartition[x]
    if (!clean) notable.push(x)
  }
  const partitions = views(logPartition, order, log.partitions ?? [])
  const partitionIndex = new Map(partitions.map((v, j) => [v.partition, j]))

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
      const o = logOffset[i]!
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
    entries, records, n, m, keys, keyOf, outcome, start, end, earliest, ackPartition, ackOffset, logEntry, logPartition, logOffset, occurrences, firstLog,
    notable, acknowledged, failed,
    order, partitions, partitionIndex, positionsOf, recordAt, lowOf,
  }
}

const MAX_PARTITION = 1 << 16

/**
 * Acknowledged positions → entries: the entry the ledger says was written at (partition, offset),
 * the likely holder of the record there. A guess only: the caller compares the ids. A partition
 * whose acknowledged offsets are dense (as a run's are) has a slice of one Int32Array (entry + 1;
 * 0: none), 4 bytes per offset; a sparse one has no slice and gives no guesses.
 */
class AckedAt {
  constructor(
    private readonly slots: Int32Array,
    /** Per partition: where its slice starts in `slots`, its lowest offset, its length (0: no slice). */
    private readonly begin: number[],
    private readonly low: number[],
    private readonly length: number[],
  ) {}

  /** The entry acknowledged at (partition, offset), or -1. */
  at(partition: number, offset: number): number {
    if (!(partition >= 0 && partition < this.length.length)) return -1
    const j = offset - this.low[partition]!
    return j >= 0 && j < this.length[partition]! ? this.slots[this.begin[partition]! + j]! - 1 : -1
  }
}

function ackedAt(ackPartition: Float64Array, ackOffset: Float64Array, arena: Arena): AckedAt {
  const low: number[] = []
  const high: number[] = []
  const count: number[] = []
  const n = ackPartition.length
  const usable = (p: number, o: number) => p >= 0 && p < MAX_PARTITION && o >= 0 && Number.isInteger(p) && Number.isInteger(o)
  for (let x = 0; x < n; x++) {
    const p = ackPartition[x]!
    const o = ackOffset[x]!
    if (!usable(p, o)) continue
    while (count.length <= p) {
      low.push(Infinity)
      high.push(-1)
      count.push(0)
    }
    count[p]!++
    if (o < low[p]!) low[p] = o
    if (o > high[p]!) high[p] = o
  }
  const begin: number[] = []
  const length: number[] = []
  let size = 0
  count.forEach((c, p) => {
    const span = high[p]! - low[p]! + 1
    const dense = c > 0 && span <= 4 * c + 1024
    begin.push(size)
    length.push(dense ? span : 0)
    if (dense) size += span
  })
  const slots = arena.zeroedInt32(size)
  for (let x = 0; x < n; x++) {
    const p = ackPartition[x]!
    const o = ackOffset[x]!
    if (!usable(p, o)) continue
    const j = o - low[p]!
    if (j < length[p]! && slots[begin[p]! + j] === 0) slots[begin[p]! + j] = x + 1
  }
  return new AckedAt(slots, begin, low, length)
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
