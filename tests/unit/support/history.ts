/**
 * Hand-built and generated histories for the reconciler tests: ledgers (what the producer was
 * told) and logs (what was read back).
 */
import type { LedgerEntry, LogRecord, TopicLog, Ledger } from '../../../harness/workload/index.js'

export const TOPIC = 't'

/** A ledger entry; defaults to an `ok` ack, one 10 ms send starting at `start`. */
export function entry(
  id: string,
  fields: Partial<LedgerEntry> & { start?: number } = {},
): LedgerEntry {
  const start = fields.start ?? 0
  return {
    id,
    key: 'k',
    seq: 0,
    n: 0,
    call: 0,
    start,
    end: start + 10,
    outcome: 'ok',
    partition: 0,
    offset: 0,
    attempts: 1,
    ...fields,
  }
}

export function ack(id: string, partition: number, offset: number, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  return entry(id, { partition, offset, ...fields })
}

export function failed(id: string, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  return entry(id, { outcome: 'failed', partition: 0, offset: null, reason: 'broker rejected the batch: NOT_ENOUGH_REPLICAS', ...fields })
}

export function unknown(id: string, fields: Partial<LedgerEntry> = {}): LedgerEntry {
  return entry(id, { outcome: 'unknown', partition: null, offset: null, reason: 'acks=0', ...fields })
}

export function rec(partition: number, offset: number, id: string | null, key: string | null = 'k'): LogRecord {
  return { partition, offset, id, key, timestamp: 0, headers: id === null ? {} : { id } }
}

export function ledgerOf(entries: LedgerEntry[]): Ledger {
  return { topic: TOPIC, startedAt: 0, endedAt: 0, settings: {}, entries, events: [] }
}

/** A log of `records`; bounds default to [0, max offset + 1) for every partition mentioned. */
export function logOf(records: LogRecord[], bounds?: TopicLog['partitions']): TopicLog {
  const derived = new Map<number, number>()
  for (const r of records) derived.set(r.partition, Math.max(derived.get(r.partition) ?? 0, r.offset + 1))
  return {
    topic: TOPIC,
    readAt: 0,
    isolation: 'read_committed',
    partitions: bounds ?? [...derived].map(([partition, high]) => ({ partition, low: 0, high })),
    records,
  }
}

/** How one generated send turned out. */
export type Fate = 'ok' | 'failed' | 'unknown-written' | 'unknown-absent'

export interface SendPlan {
  key: number
  /** Send duration (ms); sends start 10 ms apart, so longer ones overlap later ones. */
  duration: number
  fate: Fate
}

export interface History {
  ledger: Ledger
  log: TopicLog
  partitions: number
}

/**
 * How each partition of a generated log is ordered: `sent`, in send order (clean); `acknowledged`,
 * by send end, as a producer that lets calls in flight together overtake each other would write
 * it (clean but for outOfSendOrder: a send acknowledged before another began still sits before it).
 */
export type ReadOrder = 'sent' | 'acknowledged'

/**
 * A history: the log holds exactly the `ok` and `unknown-written` sends, each key in partition
 * key % partitions, each partition in `order` (clean in send order), with every ack at the offset
 * it really has.
 */
export function cleanHistory(plans: readonly SendPlan[], partitions: number, order: ReadOrder = 'sent'): History {
  const seqs = new Map<number, number>()
  const entries: LedgerEntry[] = plans.map((p, n) => {
    const seq = seqs.get(p.key) ?? 0
    seqs.set(p.key, seq + 1)
    const start = n * 10
    const outcome = p.fate === 'ok' ? 'ok' : p.fate === 'failed' ? 'failed' : 'unknown'
    return {
      id: historyId(n), key: `key-${p.key}`, seq, n, call: n, start, end: start + p.duration,
      outcome, partition: p.key % partitions, offset: null, attempts: 1,
    }
  })
  const records: LogRecord[] = []
  for (let partition = 0; partition < partitions; partition++) {
    const written = plans
      .map((p, n) => ({ p, n }))
      .filter(({ p }) => p.key % partitions === partition && (p.fate === 'ok' || p.fate === 'unknown-written'))
      .sort((a, b) => (order === 'sent' ? 0 : entries[a.n]!.end - entries[b.n]!.end) || a.n - b.n)
    written.forEach(({ n }, offset) => {
      const e = entries[n]!
      if (e.outcome === 'ok') e.offset = offset
      records.push(rec(partition, offset, e.id, e.key))
    })
  }
  for (const e of entries) if (e.outcome !== 'ok') e.partition = null
  return { ledger: ledgerOf(entries), log: logOf(records, boundsFor(records, partitions)), partitions }
}

/**
 * Ids as the workload writes them (`id-<n>`) and, for some, as other writers might: no dash, a
 * leading zero, another prefix with a number far off. The reconciler indexes these differently.
 */
export function historyId(n: number): string {
  if (n % 5 === 1) return `custom/${n}`
  if (n % 7 === 2) return `id-0${n}`
  if (n % 11 === 3) return `other-${n * 1_000_003}`
  return `id-${n}`
}

export function boundsFor(records: readonly LogRecord[], partitions: number): TopicLog['partitions'] {
  return Array.from({ length: partitions }, (_, partition) => ({
    partition,
    low: 0,
    high: records.filter((r) => r.partition === partition).reduce((h, r) => Math.max(h, r.offset + 1), 0),
  }))
}
