/**
 * @platformatic/kafka's errors as the ledger classes them. A failed call's error is usually a
 * MultipleErrors of its attempts (the retrier's, or one per leader); the last attempt's error
 * decides: a ProtocolError's Kafka code through the driver protocol's table, a NetworkError is the
 * connection, a TimeoutError the client's own wait, a UserError a refusal before anything was sent.
 */
import type { ErrorClass, SendErrorInfo } from '../../workload/ledger.js'
import { byKafkaCode } from '../common.js'
import type { ProduceResult } from './producer.js'

interface PError {
  name?: string
  message?: string
  code?: string
  apiId?: string
  apiCode?: number
  canRetry?: boolean
  errors?: unknown[]
  produced?: ProduceResult
}

/** The error that decided a call: the last leaf of its nested MultipleErrors. */
function lastLeaf(e: PError): PError {
  const inner = (e.errors ?? []).filter((x): x is PError => typeof x === 'object' && x !== null)
  const last = inner.at(-1)
  return last === undefined ? e : lastLeaf(last)
}

/** The base offsets of the partitions a failed call did get written (@platformatic/kafka puts them on the error). */
export function producedOf(e: unknown): ProduceResult | undefined {
  return typeof e === 'object' && e !== null ? (e as PError).produced : undefined
}

export function classifyPlatformaticError(e: unknown): { outcome: 'failed' | 'unknown'; errorClass: ErrorClass; error: SendErrorInfo } {
  const top = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as PError
  const leaf = lastLeaf(top)
  const retriable = leaf.canRetry === true
  const summary = (x: PError) => ({ name: x.name ?? 'Error', message: x.message ?? '', ...(x.code ? { code: x.code } : {}) })
  const error: SendErrorInfo = { ...summary(top), retriable, ...(leaf !== top ? { cause: summary(leaf) } : {}) }
  if (leaf.code === 'PLT_KFK_PROTOCOL' && typeof leaf.apiCode === 'number') {
    const c = byKafkaCode(leaf.apiCode, retriable)
    return { outcome: c.outcome, errorClass: c.errorClass, error: { ...error, code: leaf.apiCode, ...(leaf.apiId ? { type: leaf.apiId } : {}) } }
  }
  if (leaf.code === 'PLT_KFK_NETWORK') return { outcome: 'unknown', errorClass: 'connection', error }
  if (leaf.code === 'PLT_KFK_TIMEOUT') return { outcome: 'unknown', errorClass: 'timeout', error }
  if (leaf.code === 'PLT_KFK_USER') return { outcome: 'failed', errorClass: 'client-refused', error }
  return { outcome: 'unknown', errorClass: retriable ? 'retriable' : 'unclassified', error }
}
