/**
 * The driver protocol: how the harness talks to a producer client that runs in a process of its
 * own (the Java client, franz-go), one JSON object per line. docs/clients/protocol.md is the
 * specification; this file is its types, its constants and the one table every driver must agree
 * with (`KAFKA_ERROR_CODES`, checked against each driver's own `--error-table` by
 * tests/clients/drivers.test.ts).
 *
 *   parent ──argv[1] or first stdin line: DriverStart──► driver
 *   parent ──stdin: DriverCommand, one a line──────────► driver ──stdout: DriverLine, one a line──► parent
 *                                                        driver ──stderr: the client's own log───► (a file)
 *
 * Every time (`at`) is wall-clock milliseconds since the epoch, with sub-millisecond precision
 * where the driver's clock has it.
 */

import type { ErrorClass, LedgerEventType, Outcome } from '../workload/ledger.js'

/** The protocol's version: a driver refuses a start line of another version. */
export const PROTOCOL_VERSION = 1

// ─── The start line ─────────────────────────────────────────────────────────────────────────────

/**
 * What a driver is started with: the topic, where to connect, and the client-neutral producer
 * profile. Every field not named here is refused, by its path (`producer.lingerMS`), before the
 * driver does anything else.
 */
export interface DriverStart {
  protocol: typeof PROTOCOL_VERSION
  topic: string
  endpoint: DriverEndpoint
  /** The client-neutral profile (harness/clients/profile.ts's ProducerProfile, as JSON). */
  producer: DriverProfile
}

export interface DriverEndpoint {
  clientId: string
  /**
   * Bootstrap addresses, host:port: the cluster's client proxies, or a client line's
   * (`line.bootstrap`: its listener advertises only its own proxies, so the client never leaves it).
   */
  brokers: string[]
  /** TCP connection set-up limit, ms. */
  connectionTimeoutMs?: number
  /** How long the client waits for a broker's answer to one request, ms. */
  requestTimeoutMs?: number
}

/** The profile's fields, as harness/clients/profile.ts defines them (acks -1 | 0 | 1). */
export interface DriverProfile {
  acks?: -1 | 0 | 1
  ackTimeoutMs?: number
  idempotent?: boolean
  retries?: number
  retryBackoff?: { initialMs?: number; maxMs?: number; multiplier?: number; jitter?: number }
  requestsInFlight?: number
  /** The parent's business (how many send commands it keeps open): accepted, not used. */
  callsInFlight?: number
  /** The parent's business (how many records it puts in one send command): accepted, not used. */
  recordsPerCall?: number
  compression?: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  lingerMs?: number
  batchBytes?: number
  partitioner?: 'default' | 'murmur2'
  transactionalId?: string
  transactionTimeoutMs?: number
  metadataMaxAgeMs?: number
}

// ─── Commands (stdin) ───────────────────────────────────────────────────────────────────────────

/** One record of a send command. */
export interface DriverRecord {
  id: string
  /** UTF-8 key; null: no key. Exclusive with keyBase64. */
  key: string | null
  /** A key of raw bytes, base64. */
  keyBase64?: string
  /** UTF-8 value. */
  value: string
  /** Sent as they are; the parent puts the record's `id` header here itself. */
  headers?: Record<string, string>
  /** Explicit partition; absent: the client's partitioner picks. */
  partition?: number
}

export type DriverCommand =
  /** Build the client and reach the cluster (metadata of the topic; an idempotent franz-go producer also gets its id). */
  | { op: 'connect'; timeoutMs?: number }
  /** Transactional producers: get the producer id for the transactional id (fences earlier ones). */
  | { op: 'init-transactions'; timeoutMs?: number }
  /**
   * One application send call. Records are handed to the client in the order given, each with its
   * own completion; a transactional producer wraps the call in a transaction and commits it once
   * every record is acknowledged (unless `commit` is false).
   */
  | { op: 'send'; call: number; records: DriverRecord[]; commit?: boolean }
  /** Answered by an `identity` line. */
  | { op: 'identity' }
  /** Every record not yet settled becomes `unknown` ('abandoned') at once; the client's later answers come as `late` lines. */
  | { op: 'abandon' }
  /** Close the client (waiting up to timeoutMs, default 5000, for what is in flight), then `closed` and exit 0. */
  | { op: 'close'; timeoutMs?: number }

// ─── Lines (stdout) ─────────────────────────────────────────────────────────────────────────────

/**
 * A record's outcome, and the kind of error that decided a `failed` or `unknown` one, are the
 * ledger's own (harness/workload/ledger.ts): a driver speaks the same names, so an adapter passes
 * them on unchanged.
 */
export type { ErrorClass, Outcome }

export interface DriverError {
  class: ErrorClass
  /** The client's own name for it: a Java exception class, a franz-go error (kerr name or Go type). */
  name: string
  message: string
  retriable: boolean
  /** Kafka protocol error code, when the error is (or wraps) one. */
  code?: number
  /** Kafka protocol error name, e.g. NOT_ENOUGH_REPLICAS. */
  type?: string
  /** What lies beneath, when the error wraps another. */
  cause?: { name: string; message: string }
}

/**
 * Why a record is `failed` or `unknown`:
 * - error: the client's completion carried `error`;
 * - acks=0: the client says it was sent, and no broker answers at acks=0 (never `ok`);
 * - abandoned: the parent gave up on it (`abandon`);
 * - closed: the client was closed (or stdin ended) before it answered;
 * - aborted: a transactional call's transaction was aborted (another record of it failed);
 * - commit-failed: every record was acknowledged but the commit failed (`error` says why).
 */
export type Reason = 'error' | 'acks=0' | 'abandoned' | 'closed' | 'aborted' | 'commit-failed'

export interface RecordResult {
  call: number
  id: string
  outcome: Outcome
  /** ok: the partition the broker acknowledged; else the partition the client chose, or null. */
  partition: number | null
  /** ok: the offset the client reported for this very record; never derived by the driver. Else null. */
  offset: number | null
  at: number
  reason?: Reason
  error?: DriverError
  /** Attempts of this record, where the client says (neither Java nor franz-go does). */
  attempts?: number
}

/** The ledger's event types a driver reports, and 'attempt-error' (an attempt failed; the client may retry it). */
export type DriverEventType = Extract<LedgerEventType, 'connect' | 'connect-failed' | 'disconnect' | 'request-timeout' | 'retry' | 'leader-change'> | 'attempt-error'

export type DriverLine =
  /** First line once the start line is accepted: what runs, and its settings in the client's own names. */
  | { type: 'ready'; protocol: number; driver: string; client: string; version: string; settings: Record<string, string | number | boolean> }
  /** Answer to connect / init-transactions / abandon. */
  | { type: 'reply'; op: 'connect' | 'init-transactions' | 'abandon'; ok: boolean; at: number; error?: DriverError; abandoned?: number }
  /** Exactly one per record of every send command. */
  | ({ type: 'result' } & RecordResult)
  /** The client's own answer for a record already settled by abandon or close (same fields). */
  | ({ type: 'late' } & RecordResult)
  /** After the last `result` of a call. */
  | { type: 'settled'; call: number; at: number }
  /** The producer id and epoch: on `identity`, and unprompted whenever the driver sees them change. */
  | { type: 'identity'; producerId: number | null; epoch: number | null; at: number }
  | { type: 'event'; event: DriverEventType; at: number; detail: Record<string, string | number | boolean | null> }
  /** Bad input (kind config: `field` names the start line's field; protocol: a bad command) or a driver fault; the driver exits after it (2, or 1 for internal). */
  | { type: 'error'; kind: 'config' | 'protocol' | 'internal'; message: string; field?: string; fix?: string }
  /** The last line: the client is closed; `unsettled` records got `unknown` ('closed'). */
  | { type: 'closed'; at: number; reason: 'close' | 'stdin-closed'; unsettled: number }

// ─── The error table ────────────────────────────────────────────────────────────────────────────

/**
 * Kafka protocol error codes a produce can end with, and what each means for the record: its
 * class, and whether the broker refused the batch before appending it (`failed`) or the record
 * may be in the log (`unknown`). Codes not listed: class 'retriable' or 'fatal' by the client's
 * own retriable flag, outcome `unknown`. Every driver carries this table (`--error-table` prints
 * it) and tests/clients/drivers.test.ts holds them to it.
 *
 * `failed` says the last attempt was refused unwritten; an earlier attempt of the same record
 * that timed out may still have been written (the reconciler's failed-but-written).
 */
export const KAFKA_ERROR_CODES: Readonly<Record<number, { type: string; class: ErrorClass; outcome: 'failed' | 'unknown' }>> = {
  2: { type: 'CORRUPT_MESSAGE', class: 'fatal', outcome: 'failed' },
  3: { type: 'UNKNOWN_TOPIC_OR_PARTITION', class: 'not-leader', outcome: 'failed' },
  5: { type: 'LEADER_NOT_AVAILABLE', class: 'not-leader', outcome: 'failed' },
  6: { type: 'NOT_LEADER_OR_FOLLOWER', class: 'not-leader', outcome: 'failed' },
  7: { type: 'REQUEST_TIMED_OUT', class: 'timeout', outcome: 'unknown' },
  10: { type: 'MESSAGE_TOO_LARGE', class: 'record-too-large', outcome: 'failed' },
  13: { type: 'NETWORK_EXCEPTION', class: 'connection', outcome: 'unknown' },
  17: { type: 'INVALID_TOPIC_EXCEPTION', class: 'fatal', outcome: 'failed' },
  18: { type: 'RECORD_LIST_TOO_LARGE', class: 'record-too-large', outcome: 'failed' },
  19: { type: 'NOT_ENOUGH_REPLICAS', class: 'not-enough-replicas', outcome: 'failed' },
  20: { type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', class: 'not-enough-replicas-after-append', outcome: 'unknown' },
  21: { type: 'INVALID_REQUIRED_ACKS', class: 'fatal', outcome: 'failed' },
  29: { type: 'TOPIC_AUTHORIZATION_FAILED', class: 'authorization', outcome: 'failed' },
  31: { type: 'CLUSTER_AUTHORIZATION_FAILED', class: 'authorization', outcome: 'failed' },
  32: { type: 'INVALID_TIMESTAMP', class: 'fatal', outcome: 'failed' },
  35: { type: 'UNSUPPORTED_VERSION', class: 'fatal', outcome: 'failed' },
  43: { type: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', class: 'fatal', outcome: 'failed' },
  44: { type: 'POLICY_VIOLATION', class: 'fatal', outcome: 'failed' },
  45: { type: 'OUT_OF_ORDER_SEQUENCE_NUMBER', class: 'out-of-order-sequence', outcome: 'failed' },
  46: { type: 'DUPLICATE_SEQUENCE_NUMBER', class: 'duplicate-sequence', outcome: 'unknown' },
  47: { type: 'INVALID_PRODUCER_EPOCH', class: 'fenced', outcome: 'failed' },
  48: { type: 'INVALID_TXN_STATE', class: 'producer-state', outcome: 'failed' },
  49: { type: 'INVALID_PRODUCER_ID_MAPPING', class: 'producer-state', outcome: 'failed' },
  53: { type: 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', class: 'authorization', outcome: 'failed' },
  59: { type: 'UNKNOWN_PRODUCER_ID', class: 'producer-state', outcome: 'failed' },
  74: { type: 'FENCED_LEADER_EPOCH', class: 'not-leader', outcome: 'failed' },
  75: { type: 'UNKNOWN_LEADER_EPOCH', class: 'not-leader', outcome: 'failed' },
  76: { type: 'UNSUPPORTED_COMPRESSION_TYPE', class: 'fatal', outcome: 'failed' },
  87: { type: 'INVALID_RECORD', class: 'fatal', outcome: 'failed' },
  90: { type: 'PRODUCER_FENCED', class: 'fenced', outcome: 'failed' },
}

/** What a driver's `--error-table` prints: one line, the table as `KAFKA_ERROR_CODES` holds it (codes as keys). */
export type ErrorTable = Record<string, { type: string; class: ErrorClass; outcome: 'failed' | 'unknown' }>

// ─── Reading lines ──────────────────────────────────────────────────────────────────────────────

const LINE_TYPES = new Set(['ready', 'reply', 'result', 'late', 'settled', 'identity', 'event', 'error', 'closed'])

/** Parses one stdout line of a driver; throws (naming the line) if it is not a protocol line. */
export function parseDriverLine(line: string): DriverLine {
  let v: unknown
  try {
    v = JSON.parse(line)
  } catch {
    throw new Error(`not a JSON line: ${JSON.stringify(line.slice(0, 200))}`)
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`not a JSON object: ${JSON.stringify(line.slice(0, 200))}`)
  const type = (v as { type?: unknown }).type
  if (typeof type !== 'string' || !LINE_TYPES.has(type)) throw new Error(`unknown line type ${JSON.stringify(type)}: ${JSON.stringify(line.slice(0, 200))}`)
  return v as DriverLine
}
