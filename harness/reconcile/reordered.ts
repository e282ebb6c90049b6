/**
 * reordered: same key, same partition, a acknowledged before b was sent, b read before a.
 * See definitions.ts.
 *
 * A first pass over each partition in offset order keeps, per key, the latest send start seen so
 * far; an acknowledged record whose ack came before that start has been overtaken. Only the
 * (partition, key) groups where that happens are counted exactly, with a Fenwick tree over send
 * starts: O(g log g) for a group of g records.
 */
import { OK, type Facts } from './facts.js'
import { countOvertaken, countPairs, pairEvidence, pairSample } from './key-order.js'
import type { AnomalyClass, ReorderEvidence } from './types.js'

export function findReordered(f: Facts, limit: number): AnomalyClass<ReorderEvidence> {
  const sample = pairSample(f, limit)
  const maxStart = new Float64Array(f.keys.length) // per key: the latest send start read so far in the partition
  const overtaken = (x: number, k: number, fresh: boolean): boolean => {
    const latest = fresh ? -Infinity : maxStart[k]!
    maxStart[k] = Math.max(latest, f.start[x]!)
    return f.outcome[x] === OK && latest > f.end[x]!
  }
  // b overtook a: b's send began after a's ack; records never acknowledged cannot be overtaken
  const start = (x: number) => f.start[x]!
  const ackedAt = (x: number) => (f.outcome[x] === OK ? f.end[x]! : Infinity)
  const pairs = countPairs(f, overtaken, (members) => countOvertaken(f, members, start, ackedAt, sample))
  return {
    count: pairs,
    evidence: sample.kept().map((pair) => {
      const { key, partition, first, overtaker } = pairEvidence(f, pair)
      return { key, partition, ackedFirst: first, readFirst: overtaker }
    }),
  }
}
