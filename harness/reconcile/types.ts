/** Inputs and output of the reconciler. See definitions.ts for what each class means. */
import type { ViolationName } from './definitions.js'

/** The ledger fields the reconciler reads; a workload `Ledger` satisfies it. */
export interface LedgerEntryLike {
  id: string
  key: string
  seq?: number
  /** Send call number (records of one `send()` call share it), if the ledger says. */
  call?: number
  start: number
  end: number
  outcome: 'ok' | 'failed' | 'unknown'
  partition: number | null
  offset: number | null
  reason?: string
}

export interface LedgerLike {
  topic?: string
  startedAt?: number
  entries: readonly LedgerEntryLike[]
}

/** The log fields the reconciler reads; a reader `TopicLog` satisfies it. */
export interface LogRecordLike {
  partition: number
  offset: number
  id: string | null
  key: string | null
}

export interface LogLike {
  topic?: string
  partitions?: readonly { partition: number; low: number; high: number }[]
  records: readonly LogRecordLike[]
}

export interface ReconcileOptions {
  /** Examples kept per class (default 20). Counts are exact regardless. */
  evidenceLimit?: number
}

export interface Position {
  partition: number
  offset: number
}

/** A ledger entry as evidence. Times are ms since the epoch, as in the ledger. */
export interface SendRef {
  id: string
  key: string
  seq?: number
  call?: number
  outcome: 'ok' | 'failed' | 'unknown'
  sendStart: number
  sendEnd: number
  /** The acknowledged position (`ok` entries with an offset), else null. */
  ack: Position | null
  /** Why the outcome was failed/unknown, if the ledger says. */
  reason?: string
}

/** A record found in the log. */
export interface StoredRef {
  id: string | null
  key: string | null
}

export interface AnomalyClass<E> {
  count: number
  /** At most `evidenceLimit` examples, in the class's fixed order. */
  evidence: E[]
}

export interface LostEvidence extends SendRef {
  /** What now sits at the acknowledged position; null if nothing (or offset unknown). */
  holder: StoredRef | null
}

export interface DuplicateEvidence extends SendRef {
  /** Every position holding the id, sorted. */
  positions: Position[]
}

export interface OverwrittenEvidence extends SendRef {
  ack: Position
  /** What now sits at the acknowledged position; null if nothing. */
  holder: StoredRef | null
  /** Where the id is now (empty: also lost). */
  nowAt: Position[]
}

export interface ReorderEvidence {
  key: string
  partition: number
  /** Acknowledged before `readFirst` was sent, yet read after it. */
  ackedFirst: SendRef & { readAt: number }
  readFirst: SendRef & { readAt: number }
}

/**
 * A record as an order example: its send, where it is read, and which of its key's records it was
 * in the send order (1-based: `nthOfKey` 4 is the key's 4th record handed to send()).
 */
export type SendOrderRef = SendRef & { readAt: number; nthOfKey: number }

export interface SendOrderEvidence {
  key: string
  partition: number
  /** Handed to send() before `readFirst`, yet read after it. */
  sentFirst: SendOrderRef
  /** Handed to send() after `sentFirst` (the latest-sent record read before it), read first. */
  readFirst: SendOrderRef
}

export interface KeySplitEvidence {
  key: string
  partitions: { partition: number; records: number }[]
}

export interface WrittenEvidence extends SendRef {
  positions: Position[]
}

export interface PhantomEvidence extends Position, StoredRef {}

export interface Anomalies {
  lost: AnomalyClass<LostEvidence>
  duplicated: AnomalyClass<DuplicateEvidence> & { ids: number }
  overwritten: AnomalyClass<OverwrittenEvidence> & { alsoLost: number; moved: number; reused: number; vacant: number }
  reordered: AnomalyClass<ReorderEvidence>
  outOfSendOrder: AnomalyClass<SendOrderEvidence>
  phantom: AnomalyClass<PhantomEvidence>
  keySplit: AnomalyClass<KeySplitEvidence>
  failedButWritten: AnomalyClass<WrittenEvidence>
  unknownWritten: AnomalyClass<WrittenEvidence>
  unknownAbsent: AnomalyClass<SendRef>
}

export interface Verdict {
  topic: string | null
  /** Time origin for rendering send times (the ledger's start, else the earliest send). */
  startedAt: number
  totals: { sent: number; acknowledged: number; failed: number; unknown: number; read: number }
  anomalies: Anomalies
  /** The violation classes with a non-zero count, in definition order. */
  violations: ViolationName[]
  /** No violations. */
  ok: boolean
}
