/**
 * Where each key's records sit: the log read back, joined with the ledger (which says in what
 * order they were created), and compared with the murmur2 prediction.
 */
import type { Verdict } from '../reconcile/index.js'
import type { Ledger, TopicLog } from '../workload/index.js'
import { partitionForKey } from './murmur2.js'

/** A record of the ledger found in the log. */
export interface Placed {
  id: string
  key: string
  /** Run-wide creation number and per-key sequence (ledger). */
  n: number
  seq: number
  partition: number
  offset: number
}

/** Every log record that has a ledger entry, ordered by creation (n). */
export function placements(ledger: Ledger, log: TopicLog): Placed[] {
  const byId = new Map(ledger.entries.map((e) => [e.id, e]))
  return log.records
    .flatMap((r) => {
      const e = r.id === null ? undefined : byId.get(r.id)
      return e === undefined ? [] : [{ id: e.id, key: e.key, n: e.n, seq: e.seq, partition: r.partition, offset: r.offset }]
    })
    .sort((a, b) => a.n - b.n || a.partition - b.partition || a.offset - b.offset)
}

/** Records not in the partition `expected(record)` names. */
export function misplaced(records: readonly Placed[], expected: (r: Placed) => number): (Placed & { expected: number })[] {
  return records.flatMap((r) => {
    const want = expected(r)
    return r.partition === want ? [] : [{ ...r, expected: want }]
  })
}

/** A key whose partition changes when the topic grows from `from` to `to` partitions. */
export interface MovedKey {
  key: string
  from: number
  to: number
}

/** The keys murmur2 sends elsewhere after the partition count changes. */
export function movedKeys(keys: readonly string[], from: number, to: number): MovedKey[] {
  return keys
    .map((key) => ({ key, from: partitionForKey(key, from), to: partitionForKey(key, to) }))
    .filter((m) => m.from !== m.to)
}

/** One key's records in creation order, as `seq:partition@offset`. */
export function keyStory(records: readonly Placed[], key: string): string {
  return records
    .filter((r) => r.key === key)
    .map((r) => `${r.seq}:p${r.partition}@${r.offset}`)
    .join(' ')
}

/** The reconciler's keySplit evidence as {key, partitions}, sorted by key then partition. */
export function splitKeys(verdict: Verdict): { key: string; partitions: number[] }[] {
  return verdict.anomalies.keySplit.evidence
    .map((e) => ({ key: e.key, partitions: e.partitions.map((p) => p.partition).sort((a, b) => a - b) }))
    .sort((a, b) => a.key.localeCompare(b.key))
}
