/**
 * The ledger: what the producer was told, one entry per record, plus the producer-level events
 * seen along the way. It is plain data (JSON round-trips it unchanged), so a run can be saved
 * next to its verdict and reconciled again later.
 *
 * Times are wall-clock milliseconds since the epoch with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), monotonic within one process.
 *
 * Offsets are JavaScript numbers: exact below 2^53, which no test topic comes near.
 */

/** What the producer was told about one record. */
export type Outcome = 'ok' | 'failed' | 'unknown'

/**
 * What kind of error decided a `failed` or `unknown` send, in no client's terms: each adapter maps
 * its client's errors onto these (harness/clients/<name>/classify.ts).
 */
export type ErrorClass =
  /** The leader refused the batch: fewer in-sync replicas than min.insync.replicas (not appended). */
  | 'not-enough-replicas'
  /** The leader appended the batch, then had too few in-sync replicas to acknowledge it. */
  | 'not-enough-replicas-after-append'
  /** The broker is not (or no longer) the partition's leader, or its leader epoch is stale. */
  | 'not-leader'
  /** The broker timed out waiting for replication, or the client for an answer. */
  | 'timeout'
  /** The connection died with the request in flight. */
  | 'connection'
  /** Nothing was sent: no connection, no metadata, no broker for the partition. */
  | 'not-sent'
  /** The client is not connected: nothing was sent, and it must connect again before sending. */
  | 'not-connected'
  /** The client refused the call before sending anything (its own argument or state checks). */
  | 'client-refused'
  /** The broker already holds a batch with these sequence numbers. */
  | 'duplicate-sequence'
  /** The batch's sequence numbers do not follow the broker's last for this producer. */
  | 'out-of-order-sequence'
  /** A newer producer with the same transactional id (or a newer epoch) has fenced this one. */
  | 'fenced'
  /** The broker has no usable state for this producer id or transaction. */
  | 'producer-state'
  | 'record-too-large'
  | 'authorization'
  /** Another error the client deems retriable. */
  | 'retriable'
  /** Another error the client deems fatal (not retriable). */
  | 'fatal'
  /** An error the adapter cannot place. */
  | 'unclassified'

/** The parts of an error the ledger keeps (a client's error class name, the Kafka error type and code). */
export interface ErrorSummary {
  /** The error's class name in its client, e.g. `KafkaJSProtocolError`. */
  name: string
  message: string
  /** Kafka protocol error type, e.g. `NOT_ENOUGH_REPLICAS`. */
  type?: string
  /** Kafka protocol error code (number) or a socket error code such as `ECONNREFUSED`. */
  code?: number | string
  retriable?: boolean
}

/** A send error as recorded: the error thrown by `send()` and what lies beneath it. */
export interface SendErrorInfo extends ErrorSummary {
  /** Retries the client made before giving up (kafkajs: `KafkaJSNumberOfRetriesExceeded.retryCount`). */
  retries?: number
  /** The last attempt's own error, when the thrown error only wraps it. */
  cause?: ErrorSummary
  /** The deepest error of the cause chain, when deeper than `cause`. */
  root?: ErrorSummary
}

export interface LedgerEntry {
  /** Unique record id, also in the record's `id` header and in its JSON value. */
  id: string
  key: string
  /** Per-key sequence number, 0-based, in the order records were created. */
  seq: number
  /** Run-wide record number, 0-based, in the order records were created. */
  n: number
  /** Send call number: records of one `producer.send()` call share it. */
  call: number
  /** When the send call containing this record started and settled (ms since the epoch). */
  start: number
  end: number
  outcome: Outcome
  /**
   * `ok`: the partition the broker acknowledged. Otherwise the partition the client chose on its
   * last attempt, or null when it never chose one.
   */
  partition: number | null
  /** `ok`: the acknowledged offset (baseOffset + index), null if the ack carried none. Else null. */
  offset: number | null
  /** How many attempts the client made of the send call (kafkajs: 1 + retries seen by the partitioner). */
  attempts: number
  /** `failed` / `unknown`: why this outcome (see the client adapter's classification). */
  reason?: string
  /** `failed` / `unknown` from an error: what kind of error decided it, in no client's terms. */
  errorClass?: ErrorClass
  error?: SendErrorInfo
}

/** Something the producer saw that is not a record's outcome. */
export interface LedgerEvent {
  at: number
  type: LedgerEventType
  detail?: Record<string, string | number | boolean | null | readonly (string | number)[]>
}

export type LedgerEventType =
  | 'connect'
  | 'connect-failed'
  | 'disconnect'
  | 'request-timeout'
  | 'retry'
  | 'leader-change'
  | 'isr-change'
  | 'partition-count'
  | 'late-result'
  /** An attempt of a send call failed and the client retries it (the error it caught). */
  | 'attempt-error'
  | 'workload-error'

export interface Ledger {
  topic: string
  startedAt: number
  endedAt: number
  /** The producer and send settings used, as data (no functions). */
  settings: Record<string, unknown>
  /** One entry per record, ordered by `n`. */
  entries: LedgerEntry[]
  /** Ordered by `at`. */
  events: LedgerEvent[]
}

/** The parts of a thrown value the ledger keeps: its class name and message, and a Kafka error type, code and retriable flag if it has them. */
export function summarize(e: unknown): ErrorSummary {
  const o = typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}
  const summary: ErrorSummary = {
    name: typeof o.name === 'string' ? o.name : typeof e === 'object' && e !== null ? e.constructor.name : typeof e,
    message: typeof o.message === 'string' ? o.message : String(e),
  }
  if (typeof o.type === 'string') summary.type = o.type
  if (typeof o.code === 'number' || typeof o.code === 'string') summary.code = o.code
  if (typeof o.retriable === 'boolean') summary.retriable = o.retriable
  return summary
}

/**
 * Joins ledgers of several producers that wrote to one topic, so one reconciliation covers all
 * of them. Ids must be distinct across the ledgers (each run draws its own id prefix).
 *
 * Entries are ordered by send start, and where starts tie (the records of one call, or calls of
 * two producers started in the same instant) by ledger, then by their order in it (the sort is
 * stable). A session's send starts never decrease along `n`, so each ledger keeps its send order,
 * which is the order the reconciler's outOfSendOrder holds the log to.
 */
export function mergeLedgers(ledgers: readonly Ledger[]): Ledger {
  const first = ledgers[0]
  if (first === undefined) throw new Error('mergeLedgers: no ledgers given')
  for (const l of ledgers) {
    if (l.topic !== first.topic) {
      throw new Error(`mergeLedgers: topics differ (${first.topic}, ${l.topic})`)
    }
  }
  const byTime = <T>(at: (t: T) => number) => (a: T, b: T) => at(a) - at(b)
  return {
    topic: first.topic,
    startedAt: Math.min(...ledgers.map((l) => l.startedAt)),
    endedAt: Math.max(...ledgers.map((l) => l.endedAt)),
    settings: { merged: ledgers.map((l) => l.settings) },
    entries: ledgers.flatMap((l) => l.entries).sort(byTime((e: LedgerEntry) => e.start)),
    events: ledgers.flatMap((l) => l.events).sort(byTime((e: LedgerEvent) => e.at)),
  }
}
