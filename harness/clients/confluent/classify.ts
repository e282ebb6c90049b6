/**
 * librdkafka's errors as the ledger classes them. A positive code is Kafka's own (the driver
 * protocol's table, harness/clients/protocol.ts); a negative one is librdkafka's local error
 * (rdkafka.h), placed here by what it says about the message.
 */
import type { ErrorClass, SendErrorInfo } from '../../workload/ledger.js'
import { byKafkaCode } from '../common.js'

export interface LibrdkafkaError extends Error {
  code: number
  isRetriable?: boolean
  isFatal?: boolean
}

/** librdkafka's local errors a produce ends with: class and outcome (failed: never sent). */
const LOCAL: Readonly<Record<number, { name: string; class: ErrorClass; outcome: 'failed' | 'unknown' }>> = {
  [-192]: { name: 'ERR__MSG_TIMED_OUT', class: 'timeout', outcome: 'unknown' }, // message.timeout.ms ran out; it may have been sent
  [-185]: { name: 'ERR__TIMED_OUT', class: 'timeout', outcome: 'unknown' },
  [-195]: { name: 'ERR__TRANSPORT', class: 'connection', outcome: 'unknown' },
  [-187]: { name: 'ERR__ALL_BROKERS_DOWN', class: 'connection', outcome: 'unknown' },
  [-152]: { name: 'ERR__PURGE_QUEUE', class: 'not-sent', outcome: 'failed' }, // purged before it was sent
  [-151]: { name: 'ERR__PURGE_INFLIGHT', class: 'unclassified', outcome: 'unknown' }, // purged while in flight
  [-197]: { name: 'ERR__DESTROY', class: 'unclassified', outcome: 'unknown' },
  [-190]: { name: 'ERR__UNKNOWN_PARTITION', class: 'not-sent', outcome: 'failed' },
  [-188]: { name: 'ERR__UNKNOWN_TOPIC', class: 'not-sent', outcome: 'failed' },
  [-184]: { name: 'ERR__QUEUE_FULL', class: 'client-refused', outcome: 'failed' },
  [-172]: { name: 'ERR__STATE', class: 'client-refused', outcome: 'failed' },
  [-150]: { name: 'ERR__FATAL', class: 'fatal', outcome: 'unknown' },
  [-149]: { name: 'ERR__INCONSISTENT', class: 'fatal', outcome: 'unknown' },
  [-148]: { name: 'ERR__GAPLESS_GUARANTEE', class: 'fatal', outcome: 'unknown' },
  [-144]: { name: 'ERR__FENCED', class: 'fenced', outcome: 'failed' },
}

/**
 * A delivery report's (or a refused produce's) error. `refused`: produce() threw, so librdkafka
 * never took the message: `failed` whatever the code.
 */
export function classifyLibrdkafkaError(e: LibrdkafkaError, how: 'reported' | 'refused' = 'reported'): { outcome: 'failed' | 'unknown'; errorClass: ErrorClass; error: SendErrorInfo } {
  const code = typeof e?.code === 'number' ? e.code : undefined
  const retriable = e?.isRetriable === true
  const error: SendErrorInfo = { name: e?.name ?? 'Error', message: e?.message ?? String(e), ...(code === undefined ? {} : { code }), retriable }
  if (code === undefined) return { outcome: how === 'refused' ? 'failed' : 'unknown', errorClass: how === 'refused' ? 'client-refused' : 'unclassified', error }
  if (code > 0) {
    const c = byKafkaCode(code, retriable)
    return { outcome: how === 'refused' ? 'failed' : c.outcome, errorClass: c.errorClass, error: { ...error, ...(c.type ? { type: c.type } : {}) } }
  }
  const local = LOCAL[code]
  if (local) return { outcome: how === 'refused' ? 'failed' : local.outcome, errorClass: local.class, error: { ...error, type: local.name } }
  return { outcome: how === 'refused' ? 'failed' : 'unknown', errorClass: how === 'refused' ? 'client-refused' : retriable ? 'retriable' : 'unclassified', error }
}
