/**
 * outOfSendOrder: same key, same partition, a before b in the send order (the ledger's order),
 * b read before a. See definitions.ts.
 *
 * A first pass over each partition in offset order keeps, per key, the latest-sent entry met so
 * far; a record sent before that one has been overtaken. Only the (partition, key) groups where
 * that happens are counted exactly, with a Fenwick tree over send order: O(g log g) for a group
 * of g records. With nothing out of order, the cost is that one pass.
 */
import type { Facts } from './facts.js'
import { countOvertaken, countPairs, pairEvidence, pairSample, type Pair } from './key-order.js'
import type { AnomalyClass, SendOrderEvidence } from './types.js'

export function findOutOfSendOrder(f: Facts, limit: number): AnomalyClass<SendOrderEvidence> {
  const sample = pairSample(f, limit)
  const latest = new Int32Array(f.keys.length) // per key: the latest-sent entry read so far in the partition
  const overtaken = (x: number, k: number, fresh: boolean): boolean => {
    if (!fresh && x < latest[k]!) return true
    latest[k] = x
    return false
  }
  const sendOrder = (x: number) => x
  const pairs = countPairs(f, overtaken, (members) => countOvertaken(f, members, sendOrder, sendOrder, sample))
  return { count: pairs, evidence: evidence(f, sample.kept()) }
}

function evidence(f: Facts, kept: readonly Pair[]): SendOrderEvidence[] {
  if (kept.length === 0) return []
  const nth = nthOfKey(f, new Set(kept.flatMap(({ a, b }) => [f.logEntry[a]!, f.logEntry[b]!])))
  return kept.map((pair) => {
    const { key, partition, first, overtaker } = pairEvidence(f, pair)
    const x = f.logEntry[pair.a]!
    const y = f.logEntry[pair.b]!
    return { key, partition, sentFirst: { ...first, nthOfKey: nth.get(x)! }, readFirst: { ...overtaker, nthOfKey: nth.get(y)! } }
  })
}

/** For the given entries: which of their key's entries each is in the send order (1-based). */
function nthOfKey(f: Facts, entries: Set<number>): Map<number, number> {
  const sentOfKey = new Int32Array(f.keys.length).fill(-1) // -1: a key not asked about
  for (const x of entries) sentOfKey[f.keyOf[x]!] = 0
  const nth = new Map<number, number>()
  for (let x = 0; x < f.n; x++) {
    const k = f.keyOf[x]!
    if (sentOfKey[k]! < 0) continue
    const sent = ++sentOfKey[k]!
    if (entries.has(x)) nth.set(x, sent)
  }
  return nth
}
