/**
 * reordered: same key, same partition, a acknowledged before b was sent, b read before a.
 * See definitions.ts.
 *
 * A first pass over each partition in offset order keeps, per key, the latest send start seen so
 * far; an acknowledged record whose ack came before that start has been overtaken. Only the
 * (partition, key) groups where that happens are counted exactly, with a Fenwick tree over send
 * starts: O(g log g) for a group of g records.
 */
import { byLogPosition, Sample, sendRef } from './evidence.js'
import { OK, type Facts, type PartitionView } from './facts.js'
import type { AnomalyClass, ReorderEvidence } from './types.js'

interface Pair {
  /** Log records: a (acknowledged first, read later) and b (sent later, read first). */
  a: number
  b: number
}

export function findReordered(f: Facts, limit: number): AnomalyClass<ReorderEvidence> {
  const sample = new Sample<Pair>(limit, (p, q) => byPosition(p.a, q.a) || f.logOffset[p.b]! - f.logOffset[q.b]!)
  const byPosition = byLogPosition(f)
  let pairs = 0
  const maxStart = new Float64Array(f.keys.length)
  f.partitions.forEach((view) => {
    maxStart.fill(-Infinity)
    let overtaken: Set<number> | null = null
    const firstCopy = firstCopyFilter(f)
    for (let t = view.begin; t < view.end; t++) {
      const i = f.order === null ? t : f.order[t]!
      const x = f.logEntry[i]!
      if (x < 0 || !firstCopy(x)) continue // phantom, or a later copy in this partition
      const k = f.keyOf[x]!
      const start = f.start[x]!
      if (f.outcome[x] === OK && maxStart[k]! > f.end[x]!) (overtaken ??= new Set()).add(k)
      if (start > maxStart[k]!) maxStart[k] = start
    }
    if (overtaken !== null) pairs += countGroups(f, view, overtaken, sample)
  })
  return {
    count: pairs,
    evidence: sample.kept().map(({ a, b }) => {
      const x = f.logEntry[a]!
      const y = f.logEntry[b]!
      return {
        key: f.keys[f.keyOf[x]!]!,
        partition: f.logPartition[a]!,
        ackedFirst: { ...sendRef(f, x), readAt: f.logOffset[a]! },
        readFirst: { ...sendRef(f, y), readAt: f.logOffset[b]! },
      }
    }),
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

/** Counts the inverted pairs of the given keys in one partition; offers one pair per overtaken record. */
function countGroups(f: Facts, view: PartitionView, keys: Set<number>, sample: Sample<Pair>): number {
  const groups = new Map<number, number[]>([...keys].map((k) => [k, []]))
  const firstCopy = firstCopyFilter(f)
  for (let t = view.begin; t < view.end; t++) {
    const i = f.order === null ? t : f.order[t]!
    const x = f.logEntry[i]!
    if (x < 0 || !firstCopy(x)) continue
    groups.get(f.keyOf[x]!)?.push(i)
  }
  let pairs = 0
  for (const members of groups.values()) pairs += countGroup(f, members, sample)
  return pairs
}

/** Pairs (b before a in `members`, which is in offset order) with a acknowledged and a.end < b.start. */
function countGroup(f: Facts, members: number[], sample: Sample<Pair>): number {
  const startOf = (i: number) => f.start[f.logEntry[i]!]!
  const starts = Float64Array.from(members, startOf).sort()
  const tree = new Int32Array(starts.length + 1)
  let pairs = 0
  let inserted = 0
  let latest = -1 // member with the latest start so far
  for (const i of members) {
    const x = f.logEntry[i]!
    if (f.outcome[x] === OK) {
      // inserted members with start > end[x] = inserted - (members with start <= end[x])
      let atMost = 0
      for (let r = upperBound(starts, f.end[x]!); r > 0; r -= r & -r) atMost += tree[r]!
      const overtakers = inserted - atMost
      if (overtakers > 0) {
        pairs += overtakers
        sample.offer({ a: i, b: latest })
      }
    }
    for (let r = upperBound(starts, f.start[x]!); r <= starts.length; r += r & -r) tree[r]!++
    inserted++
    if (latest < 0 || f.start[x]! > startOf(latest)) latest = i
  }
  return pairs
}

/** Number of elements of sorted `xs` that are <= value. */
function upperBound(xs: Float64Array, value: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (xs[mid]! <= value) lo = mid + 1
    else hi = mid
  }
  return lo
}
