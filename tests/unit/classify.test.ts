import { describe, expect, it } from 'vitest'
import { classifySendError } from '../../harness/clients/kafkajs/index.js'
import {
  afterRetries,
  bailed,
  KafkaJSConnectionClosedError,
  KafkaJSConnectionError,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSRequestTimeoutError,
  metadataNotLoaded,
  protocolError,
} from './support/kafkajs-errors.js'

const NOT_ENOUGH_REPLICAS = 19
const NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20
const MESSAGE_TOO_LARGE = 10
const REQUEST_TIMED_OUT = 7
const NOT_LEADER_FOR_PARTITION = 6
const DUPLICATE_SEQUENCE_NUMBER = 46
const KAFKA_STORAGE_ERROR = 56

const requestTimeout = () => new KafkaJSRequestTimeoutError('Request Produce(key: 0, version: 7) timed out')

describe('classifySendError: the broker definitely said no → failed', () => {
  it.each([
    ['NOT_ENOUGH_REPLICAS', NOT_ENOUGH_REPLICAS],
    ['NOT_LEADER_FOR_PARTITION', NOT_LEADER_FOR_PARTITION],
  ])('%s after retries ran out is failed, with the code, type and retry count recorded', async (type, code) => {
    const c = classifySendError(await afterRetries(protocolError(code), 3), { partitions: 1 })
    expect(c.outcome).toBe('failed')
    expect(c.reason).toBe(`broker rejected the batch: ${type}`)
    expect(c.error).toMatchObject({ name: 'KafkaJSNumberOfRetriesExceeded', retries: 3, cause: { name: 'KafkaJSProtocolError', type, code, retriable: true } })
  })

  it('MESSAGE_TOO_LARGE (non-retriable, bailed without retry) is failed', async () => {
    const c = classifySendError(await bailed(protocolError(MESSAGE_TOO_LARGE)), { partitions: 1 })
    expect(c).toMatchObject({ outcome: 'failed', error: { name: 'KafkaJSProtocolError', type: 'MESSAGE_TOO_LARGE', code: 10, retriable: false } })
    expect(c.error.retries).toBeUndefined()
    // thrown rather than bailed, the retrier wraps it in a KafkaJSNonRetriableError
    const wrapped = classifySendError(await afterRetries(protocolError(MESSAGE_TOO_LARGE)), { partitions: 1 })
    expect(wrapped).toMatchObject({ outcome: 'failed', error: { name: 'KafkaJSNonRetriableError', cause: { type: 'MESSAGE_TOO_LARGE' } } })
  })

  it('a connection refused before anything was sent is failed', async () => {
    const refused = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: 'b1:9092', code: 'ECONNREFUSED' })
    expect(classifySendError(await afterRetries(refused)).outcome).toBe('failed')
    expect(classifySendError(new KafkaJSConnectionError('Not connected', { broker: 'b1:9092' })).outcome).toBe('failed')
  })

  it('errors raised before any produce request are failed', async () => {
    expect(classifySendError(await afterRetries(metadataNotLoaded())).outcome).toBe('failed')
    expect(classifySendError(new KafkaJSError('The producer is disconnected')).outcome).toBe('failed')
    expect(classifySendError(new KafkaJSNonRetriableError('Invalid message without value for topic "t": {}')).outcome).toBe('failed')
  })
})

describe('classifySendError: nothing says it was not written → unknown', () => {
  it('NOT_ENOUGH_REPLICAS_AFTER_APPEND: appended by the leader', async () => {
    const c = classifySendError(await afterRetries(protocolError(NOT_ENOUGH_REPLICAS_AFTER_APPEND)), { partitions: 1 })
    expect(c).toMatchObject({ outcome: 'unknown', error: { cause: { type: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', code: 20 } } })
    expect(c.reason).toMatch(/appended by the leader/)
  })

  it.each([
    ['REQUEST_TIMED_OUT', REQUEST_TIMED_OUT],
    ['DUPLICATE_SEQUENCE_NUMBER', DUPLICATE_SEQUENCE_NUMBER],
    ['KAFKA_STORAGE_ERROR', KAFKA_STORAGE_ERROR],
  ])('protocol error %s is unknown', async (type, code) => {
    const c = classifySendError(await bailed(protocolError(code)), { partitions: 1 })
    expect(c.outcome).toBe('unknown')
    expect(c.error.type).toBe(type)
  })

  it('a client-side request timeout, directly or after retries, is unknown', async () => {
    expect(classifySendError(requestTimeout()).outcome).toBe('unknown')
    const c = classifySendError(await afterRetries(requestTimeout(), 5))
    expect(c).toMatchObject({ outcome: 'unknown', error: { name: 'KafkaJSNumberOfRetriesExceeded', retries: 5, cause: { name: 'KafkaJSRequestTimeoutError' } } })
  })

  it('a connection lost with the request in flight is unknown', async () => {
    const reset = new KafkaJSConnectionError('Connection error: read ECONNRESET', { broker: 'b1:9092', code: 'ECONNRESET' })
    expect(classifySendError(await afterRetries(reset)).outcome).toBe('unknown')
    const closed = new KafkaJSConnectionClosedError('Closed connection', { host: 'b1', port: 9092 })
    expect(classifySendError(await afterRetries(closed)).outcome).toBe('unknown')
  })

  it('only the last attempt decides: a timeout then a definite rejection is failed, with the retries on record', async () => {
    const c = classifySendError(await afterRetries(protocolError(NOT_ENOUGH_REPLICAS), 2, requestTimeout()), { partitions: 1 })
    expect(c.outcome).toBe('failed')
    expect(c.error.retries).toBe(2)
  })

  it('a definite rejection of a call that spanned several partitions is unknown: the other batches may be appended', async () => {
    const c = classifySendError(await afterRetries(protocolError(NOT_ENOUGH_REPLICAS)), { partitions: 2 })
    expect(c.outcome).toBe('unknown')
    expect(c.reason).toMatch(/spanned 2 partitions/)
  })

  it('anything unrecognised is unknown, and a non-error value is summarised', () => {
    expect(classifySendError(new TypeError('x is undefined'))).toMatchObject({ outcome: 'unknown', error: { name: 'TypeError' } })
    expect(classifySendError('boom')).toMatchObject({ outcome: 'unknown', error: { name: 'string', message: 'boom' } })
  })

  it('records the deepest cause when it lies below the last attempt', () => {
    const inner = new Error('socket hang up')
    const outer = new KafkaJSError(inner, { cause: inner } as never)
    const c = classifySendError(outer)
    expect(c.error.root).toMatchObject({ name: 'Error', message: 'socket hang up' })
  })
})

describe('classifySendError: the client-neutral error class of the last attempt', () => {
  const KAFKA_INVALID_PRODUCER_EPOCH = 47
  const OUT_OF_ORDER_SEQUENCE_NUMBER = 45
  it.each([
    ['NOT_ENOUGH_REPLICAS after retries', () => afterRetries(protocolError(NOT_ENOUGH_REPLICAS)), 'failed', 'not-enough-replicas'],
    ['NOT_ENOUGH_REPLICAS_AFTER_APPEND', () => afterRetries(protocolError(NOT_ENOUGH_REPLICAS_AFTER_APPEND)), 'unknown', 'not-enough-replicas-after-append'],
    ['NOT_LEADER_FOR_PARTITION', () => afterRetries(protocolError(NOT_LEADER_FOR_PARTITION)), 'failed', 'not-leader'],
    ['REQUEST_TIMED_OUT (the broker waited for replication)', () => bailed(protocolError(REQUEST_TIMED_OUT)), 'unknown', 'timeout'],
    ['a client-side request timeout', () => afterRetries(requestTimeout()), 'unknown', 'timeout'],
    ['DUPLICATE_SEQUENCE_NUMBER', () => bailed(protocolError(DUPLICATE_SEQUENCE_NUMBER)), 'unknown', 'duplicate-sequence'],
    ['OUT_OF_ORDER_SEQUENCE_NUMBER', () => bailed(protocolError(OUT_OF_ORDER_SEQUENCE_NUMBER)), 'failed', 'out-of-order-sequence'],
    ['INVALID_PRODUCER_EPOCH', () => bailed(protocolError(KAFKA_INVALID_PRODUCER_EPOCH)), 'failed', 'fenced'],
    ['MESSAGE_TOO_LARGE', () => bailed(protocolError(MESSAGE_TOO_LARGE)), 'failed', 'record-too-large'],
    ['KAFKA_STORAGE_ERROR (retriable, no class of its own)', () => bailed(protocolError(KAFKA_STORAGE_ERROR)), 'unknown', 'retriable'],
    ['a connection refused', () => afterRetries(new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092', { broker: 'b1:9092', code: 'ECONNREFUSED' })), 'failed', 'not-sent'],
    ['a connection reset with the request in flight', () => afterRetries(new KafkaJSConnectionError('Connection error: read ECONNRESET', { broker: 'b1:9092', code: 'ECONNRESET' })), 'unknown', 'connection'],
    ['metadata not loaded', () => afterRetries(metadataNotLoaded()), 'failed', 'not-sent'],
    ['a send on a disconnected producer', async () => new KafkaJSError('The producer is disconnected'), 'failed', 'not-connected'],
    ["kafkajs's own argument check", async () => new KafkaJSNonRetriableError('Invalid message without value for topic "t": {}'), 'failed', 'client-refused'],
    ['a non-kafkajs error', async () => new TypeError('x is undefined'), 'unknown', 'unclassified'],
  ] as const)('%s: %s, %s', async (_, error, outcome, errorClass) => {
    expect(classifySendError(await error(), { partitions: 1 })).toMatchObject({ outcome, errorClass })
  })

  it('a rejection of a call that spanned several partitions keeps its class, though its outcome becomes unknown', async () => {
    expect(classifySendError(await afterRetries(protocolError(NOT_ENOUGH_REPLICAS)), { partitions: 3 })).toMatchObject({ outcome: 'unknown', errorClass: 'not-enough-replicas' })
  })
})
