/**
 * What a rejected kafkajs `producer.send()` tells us about whether its records were written, and
 * what kind of error it was in no client's terms (ErrorClass, see {@link errorClassOf}).
 *
 * kafkajs retries a send call internally (the producer's `retry` options) and then throws one
 * error. The error that decides is the LAST ATTEMPT's: the thrown error after unwrapping the
 * retrier's wrappers (`KafkaJSNumberOfRetriesExceeded` and the `KafkaJSNonRetriableError` it wraps
 * non-retriable errors in; both keep the last attempt's error as `.cause`).
 *
 * Classification of the last attempt's error:
 *
 * | last attempt's error                                          | outcome   | why                                    |
 * |---------------------------------------------------------------|-----------|----------------------------------------|
 * | KafkaJSProtocolError of a type in {@link REJECTED_BEFORE_APPEND}| `failed`  | the broker refused the batch unwritten |
 * | KafkaJSProtocolError NOT_ENOUGH_REPLICAS_AFTER_APPEND (20)    | `unknown` | appended to the leader, then ISR shrank |
 * | KafkaJSProtocolError REQUEST_TIMED_OUT (7)                    | `unknown` | appended to the leader, followers late |
 * | KafkaJSProtocolError DUPLICATE_SEQUENCE_NUMBER (46)           | `unknown` | the broker already holds this batch    |
 * | any other KafkaJSProtocolError (incl. NETWORK_EXCEPTION,      | `unknown` | nothing says it was not appended       |
 * |   KAFKA_STORAGE_ERROR, UNKNOWN)                               |           |                                        |
 * | KafkaJSRequestTimeoutError (client-side request timeout)      | `unknown` | the request may have been handled      |
 * | KafkaJSConnectionError / KafkaJSConnectionClosedError whose    | `failed`  | no connection: the request never left  |
 * |   code is ECONNREFUSED, ENOTFOUND, EHOSTUNREACH, ENETUNREACH,  |           |   the client                           |
 * |   EAI_AGAIN, or message 'Not connected' / 'Failed to connect…' |           |                                        |
 * | any other KafkaJSConnectionError (ECONNRESET, EPIPE, closed,   | `unknown` | the connection died with the request   |
 * |   'Connection timeout')                                       |           |   possibly delivered                   |
 * | KafkaJSMetadataNotLoaded, KafkaJSTopicMetadataNotLoaded,      | `failed`  | raised before any produce request      |
 * |   KafkaJSBrokerNotFound, KafkaJSNoBrokerAvailableError,       |           |                                        |
 * |   KafkaJSLockTimeout                                          |           |                                        |
 * | kafkajs argument/state checks in `send()` ('The producer is   | `failed`  | raised before any produce request      |
 * |   disconnected', 'Invalid message without value', …)          |           |                                        |
 * | anything else                                                 | `unknown` | we cannot tell                         |
 *
 * Two further rules turn a would-be `failed` into `unknown`:
 * - the send call spanned more than one partition: kafkajs throws the first failing partition's
 *   error for a whole produce request (and `Promise.all` over brokers), so the other partitions'
 *   batches may have been appended;
 * - (not applied, but recorded) kafkajs does not expose the errors of earlier attempts. A
 *   `failed` call with `error.retries > 0` may have been written by an earlier attempt that timed
 *   out; this is why "failed but written" is reported, not counted as a violation.
 *
 * acks=0 sends are never classified here: kafkajs resolves them with no offsets, and the workload
 * records them `unknown` with reason 'acks=0'.
 */
import { summarize, type ErrorClass, type Outcome, type SendErrorInfo } from '../../workload/ledger.js'

export { summarize }

/** Protocol error types with which a broker refuses a produce batch before appending it. */
export const REJECTED_BEFORE_APPEND: ReadonlySet<string> = new Set([
  'CORRUPT_MESSAGE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'MESSAGE_TOO_LARGE',
  'INVALID_TOPIC_EXCEPTION',
  'RECORD_LIST_TOO_LARGE',
  'NOT_ENOUGH_REPLICAS',
  'INVALID_REQUIRED_ACKS',
  'TOPIC_AUTHORIZATION_FAILED',
  'CLUSTER_AUTHORIZATION_FAILED',
  'INVALID_TIMESTAMP',
  'UNSUPPORTED_VERSION',
  'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  'POLICY_VIOLATION',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'INVALID_PRODUCER_EPOCH',
  'INVALID_TXN_STATE',
  'INVALID_PRODUCER_ID_MAPPING',
  'TRANSACTIONAL_ID_AUTHORIZATION_FAILED',
  'UNKNOWN_PRODUCER_ID',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'UNSUPPORTED_COMPRESSION_TYPE',
  'INVALID_RECORD',
])

const NEVER_CONNECTED_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
])

const BEFORE_ANY_REQUEST: ReadonlySet<string> = new Set([
  'KafkaJSMetadataNotLoaded',
  'KafkaJSTopicMetadataNotLoaded',
  'KafkaJSBrokerNotFound',
  'KafkaJSNoBrokerAvailableError',
  'KafkaJSLockTimeout',
])

/** kafkajs's answer to a send() on a producer that is not connected (it must connect again). */
const NOT_CONNECTED = 'The producer is disconnected'

/** Messages of the checks `producer.send()` makes before anything is sent (kafkajs 2.2.4). */
const SEND_ARGUMENT_CHECKS = [
  NOT_CONNECTED,
  "The producer is disconnecting; therefore, it can't safely accept messages anymore",
  'Invalid topic',
  'Invalid messages array',
  'Invalid message without value',
  "Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees",
]

export interface SendClassification {
  outcome: Exclude<Outcome, 'ok'>
  reason: string
  errorClass: ErrorClass
  error: SendErrorInfo
}

export interface ClassifyContext {
  /** How many partitions the send call's records were assigned to (0 if unknown). */
  partitions?: number
}

export function classifySendError(err: unknown, ctx: ClassifyContext = {}): SendClassification {
  const chain = causeChain(err)
  const top = chain[0] as unknown
  let retries: number | undefined
  let last = 0
  while (last < chain.length - 1 && isRetrierWrapper(chain[last])) {
    const r = field(chain[last], 'retryCount')
    if (retries === undefined && typeof r === 'number') retries = r
    last++
  }
  const decisive = chain[last]
  const deepest = chain[chain.length - 1]
  const error: SendErrorInfo = summarize(top)
  if (retries !== undefined) error.retries = retries
  if (last > 0) error.cause = summarize(decisive)
  if (chain.length - 1 > last) error.root = summarize(deepest)

  const verdict = classifyLastAttempt(decisive)
  const errorClass = errorClassOf(decisive, verdict.outcome)
  if (verdict.outcome === 'failed' && (ctx.partitions ?? 0) > 1) {
    return {
      outcome: 'unknown',
      reason: `${verdict.reason}; but the call spanned ${ctx.partitions} partitions, and a rejection names only one`,
      errorClass,
      error,
    }
  }
  return { ...verdict, errorClass, error }
}

/** Kafka protocol error types by the client-neutral class they belong to. */
const CLASS_OF_TYPE: Readonly<Record<string, ErrorClass>> = {
  NOT_ENOUGH_REPLICAS: 'not-enough-replicas',
  NOT_ENOUGH_REPLICAS_AFTER_APPEND: 'not-enough-replicas-after-append',
  NOT_LEADER_FOR_PARTITION: 'not-leader',
  LEADER_NOT_AVAILABLE: 'not-leader',
  FENCED_LEADER_EPOCH: 'not-leader',
  UNKNOWN_LEADER_EPOCH: 'not-leader',
  REQUEST_TIMED_OUT: 'timeout',
  NETWORK_EXCEPTION: 'connection',
  DUPLICATE_SEQUENCE_NUMBER: 'duplicate-sequence',
  OUT_OF_ORDER_SEQUENCE_NUMBER: 'out-of-order-sequence',
  INVALID_PRODUCER_EPOCH: 'fenced',
  PRODUCER_FENCED: 'fenced',
  UNKNOWN_PRODUCER_ID: 'producer-state',
  INVALID_PRODUCER_ID_MAPPING: 'producer-state',
  INVALID_TXN_STATE: 'producer-state',
  MESSAGE_TOO_LARGE: 'record-too-large',
  RECORD_LIST_TOO_LARGE: 'record-too-large',
  TOPIC_AUTHORIZATION_FAILED: 'authorization',
  CLUSTER_AUTHORIZATION_FAILED: 'authorization',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'authorization',
}

/**
 * The client-neutral class of the last attempt's error: a protocol error by its Kafka type; a
 * client-side request timeout is a timeout; a connection error is `not-sent` when the request
 * never left (the outcome says so) and `connection` otherwise; errors raised before any request
 * are `not-sent`, kafkajs's own argument and state checks `client-refused`; anything else by its
 * `retriable` flag, or `unclassified` without one.
 */
export function errorClassOf(e: unknown, outcome: Exclude<Outcome, 'ok'>): ErrorClass {
  const name = errorName(e)
  const type = field(e, 'type')
  if (typeof type === 'string' && CLASS_OF_TYPE[type] !== undefined) return CLASS_OF_TYPE[type]
  if (name === 'KafkaJSRequestTimeoutError') return 'timeout'
  if (name === 'KafkaJSConnectionError' || name === 'KafkaJSConnectionClosedError') return outcome === 'failed' ? 'not-sent' : 'connection'
  if (BEFORE_ANY_REQUEST.has(name)) return 'not-sent'
  if (typeof type !== 'string' && errorMessage(e).startsWith(NOT_CONNECTED)) return 'not-connected'
  if (typeof type !== 'string' && SEND_ARGUMENT_CHECKS.some((m) => errorMessage(e).startsWith(m))) return 'client-refused'
  const retriable = field(e, 'retriable')
  return retriable === true ? 'retriable' : retriable === false ? 'fatal' : 'unclassified'
}

function classifyLastAttempt(e: unknown): { outcome: 'failed' | 'unknown'; reason: string } {
  const name = errorName(e)
  const type = field(e, 'type')
  if (typeof type === 'string') {
    if (REJECTED_BEFORE_APPEND.has(type)) return { outcome: 'failed', reason: `broker rejected the batch: ${type}` }
    if (type === 'NOT_ENOUGH_REPLICAS_AFTER_APPEND') {
      return { outcome: 'unknown', reason: 'appended by the leader, then too few in-sync replicas' }
    }
    if (type === 'REQUEST_TIMED_OUT') {
      return { outcome: 'unknown', reason: 'broker timed out waiting for replication; appended by the leader' }
    }
    if (type === 'DUPLICATE_SEQUENCE_NUMBER') {
      return { outcome: 'unknown', reason: 'broker already holds this batch (duplicate sequence)' }
    }
    return { outcome: 'unknown', reason: `protocol error ${type}: not known to mean unwritten` }
  }
  if (name === 'KafkaJSRequestTimeoutError') {
    return { outcome: 'unknown', reason: 'request timed out in the client; it may have been handled' }
  }
  if (name === 'KafkaJSConnectionError' || name === 'KafkaJSConnectionClosedError') {
    const code = field(e, 'code')
    const message = errorMessage(e)
    if (
      (typeof code === 'string' && NEVER_CONNECTED_CODES.has(code)) ||
      message === 'Not connected' ||
      message.startsWith('Failed to connect')
    ) {
      return { outcome: 'failed', reason: `no connection, request never sent: ${message}` }
    }
    return { outcome: 'unknown', reason: `connection lost with the request in flight: ${message}` }
  }
  if (BEFORE_ANY_REQUEST.has(name)) return { outcome: 'failed', reason: `raised before any request: ${name}` }
  const message = errorMessage(e)
  if (SEND_ARGUMENT_CHECKS.some((m) => message.startsWith(m))) {
    return { outcome: 'failed', reason: `refused by the client before sending: ${message}` }
  }
  return { outcome: 'unknown', reason: `unclassified error ${name}: ${message}` }
}

function isRetrierWrapper(e: unknown): boolean {
  const name = errorName(e)
  return name === 'KafkaJSNumberOfRetriesExceeded' || (name === 'KafkaJSNonRetriableError' && field(e, 'cause') !== undefined)
}

/** The error and its causes (`.cause`, else `.originalError`), outermost first, cycle-safe. */
function causeChain(err: unknown): unknown[] {
  const chain: unknown[] = [err]
  let current = err
  for (let depth = 0; depth < 16; depth++) {
    const next = field(current, 'cause') ?? field(current, 'originalError')
    if (next === undefined || next === null || chain.includes(next)) break
    chain.push(next)
    current = next
  }
  return chain
}

function field(e: unknown, name: string): unknown {
  return typeof e === 'object' && e !== null ? (e as Record<string, unknown>)[name] : undefined
}

function errorName(e: unknown): string {
  const name = field(e, 'name')
  if (typeof name === 'string') return name
  return typeof e === 'object' && e !== null ? e.constructor.name : typeof e
}

function errorMessage(e: unknown): string {
  const message = field(e, 'message')
  return typeof message === 'string' ? message : String(e)
}
