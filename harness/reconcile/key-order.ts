/**
 * What the two per-key order classes (reordered, outOfSendOrder) share: one pass over each
 * partition's records in offset order, each entry's first copy only (its read position), that
 * finds the (partition, key) groups with an overtaken record; the exact count of a group's
 * inverted pairs; and the evidence of a pair.
 */
import { byLogPosition, Sample, sendRef } from './evidence.js'
import type { Facts, PartitionView } from './facts.js'
import type { SendRef } from './types.js'

/** Log records: `a` read later although it came first, `b` the latest-sent record read before it. */
export interface Pair {
  a: number
  b: number
}

/**
 * Decides, in the first pass, whether entry x (key k) was overtaken by a record of its key read
 * before it in this partition; `fresh` is true for the key's first record in the partition.
 */
export type OvertakenTest = (x: number, k: number, fresh: boolean) => boolean

/**
 * Counts the pairs of a class: a first pass over each partition asks `overtaken` of every first
 * copy; only the keys where it said yes are counted exactly, by `count` on the key's first copies
 * in the partition (offset order). With nothing out of order the cost is that one pass.
 */
export function countPairs(f: Facts, overtaken: OvertakenTest, count: (members: number[]) => number): number {
  let pairs = 0
  const metIn = new Int32Array(f.keys.length).fill(-1) // per key: the partition it was last met in
  f.partitions.forEach((view, v) => {
    let keys: Set<number> | null = null
    const firstCopy = firstCopyFilter(f)
    for (let t = view.begin; t < view.end; t++) {
      const i = f.order === null ? t : f.order[t]!
      const x = f.logEntry[i]!
      if (x < 0 || !firstCopy(x)) continue // phantom, or a later copy in this partition
      const k = f.keyOf[x]!
      const fresh = metIn[k] !== v
      metIn[k] = v
      if (overtaken(x, k, fresh)) (keys ??= new Set()).add(k)
    }
    if (keys !== null) for (const members of keyGroups(f, view, keys)) pairs += count(members)
  })
  return pairs
}

/** A bounded sample of pairs in the classes' order: (partition, offset of a, offset of b). */
export function pairSample(f: Facts, limit: number): Sample<Pair> {
  const byPosition = byLogPosition(f)
  return new Sample<Pair>(limit, (p, q) => byPosition(p.a, q.a) || f.logOffset[p.b]! - f.logOffset[q.b]!)
}

/** A pair as evidence: its key and partition, and each record's send with its read position. */
export function pairEvidence(f: Facts, { a, b }: Pair): {
  key: string
  partition: number
  first: SendRef & { readAt: number }
  overtaker: SendRef & { readAt: number }
} {
  const x = f.logEntry[a]!
  const y = f.logEntry[b]!
  return {
    key: f.keys[f.keyOf[x]!]!,
    partition: f.logPartition[a]!,
    first: { ...sendRef(f, x), readAt: f.logOffset[a]! },
    overtaker: { ...sendRef(f, y), readAt: f.logOffset[b]! },
  }
}

/**
 * For one pass over one partition: true the first time an entry is met. Entries with a single
 * copy in the whole log are always met once, so only those with several are remembered.
 */
function firstCopyFilter(f: Facts): (x: number) => boolean {
  let seen: Set<number> | null = null
  return (x) => {
    if (f.occurrences[x]! === 1) return true
    seen ??= new Set()
    if (seen.has(x)) return false
    seen.add(x)
    return true
  }
}

/** The first copies of the given keys' records in one partition: one list per key, in offset order. */
function keyGroups(f: Facts, view: PartitionView, keys: Set<number>): IterableIterator<number[]> {
  const groups = new Map<number, number[]>([...keys].map((k) => [k, []]))
  const firstCopy = firstCopyFilter(f)
  for (let t = view.begin; t < view.end; t++) {
    const i = f.order === null ? t : f.order[t]!
    const x = f.logEntry[i]!
    if (x < 0 || !firstCopy(x)) continue
    groups.get(f.keyOf[x]!)?.push(i)
  }
  return groups.values()
}

/**
 * Counts the inverted pairs of one group (one key's first copies in one partition, in offset
 * order): pairs (b read before a) with rank(b) > bound(a). Offers one pair per overtaken a, with
 * the member of highest rank read before it. O(g log g) for g members.
 */
export function countOvertaken(
  f: Facts,
  members: readonly number[],
  rank: (x: number) => number,
  bound: (x: number) => number,
  sample: Sample<Pair>,
): number {
  const ranks = new RankCounter(members.map((i) => rank(f.logEntry[i]!)))
  let pairs = 0
  let latest = -1 // the member of highest rank so far
  let latestRank = -Infinity
  for (const i of members) {
    const x = f.logEntry[i]!
    const overtakers = ranks.inserted - ranks.atMost(bound(x))
    if (overtakers > 0) {
      pairs += overtakers
      sample.offer({ a: i, b: latest })
    }
    const r = rank(x)
    ranks.insert(r)
    if (r > latestRank) {
      latest = i
      latestRank = r
    }
  }
  return pairs
}

/**
 * Counts inserted values at most a bound, values drawn from a set known in advance (a Fenwick
 * tree over its sorted values): O(log g) per insert and query for g values.
 */
class RankCounter {
  private readonly sorted: Float64Array
  private readonly tree: Int32Array
  inserted = 0

  constructor(values: Iterable<number>) {
    this.sorted = Float64Array.from(values).sort()
    this.tree = new Int32Array(this.sorted.length + 1)
  }

  insert(value: number): void {
    for (let r = this.upperBound(value); r <= this.sorted.length; r += r & -r) this.tree[r]!++
    this.inserted++
  }

  /** Inserted values <= bound. */
  atMost(bound: number): number {
    let count = 0
    for (let r = this.upperBound(bound); r > 0; r -= r & -r) count += this.tree[r]!
    return count
  }

  /** Number of the known values that are <= value. */
  private upperBound(value: number): number {
    const xs = this.sorted
    let lo = 0
    let hi = xs.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (xs[mid]! <= value) lo = mid + 1
      else hi = mid
    }
    return lo
  }
}
