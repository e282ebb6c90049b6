/**
 * Where each key's records sit: the log read back, joined with the ledger (which says in what
 * order they were created), and compared with the murmur2 prediction.
 */
import type { Ledger, TopicLog } from '../workload/index.js'

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
