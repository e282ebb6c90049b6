/**
 * The config a team writes to gate its producer: kafkajs producer options, send options, and the
 * guarantees the team claims. JSON, validated strictly:
 *
 * {
 *   "name": "payments-producer",
 *   "producer": { "idempotent": true, "maxInFlightRequests": 1, "retry": { "retries": 10 } },
 *   "send": { "acks": "all", "timeout": 5000, "compression": "none" },
 *   "claims": { "noAcknowledgedLoss": true, "noDuplicates": true, "perKeyOrder": true }
 * }
 *
 * `producer` holds kafkajs ProducerConfig fields (those that are data, not functions), `send`
 * the per-send options, `claims` what the config promises under the fault battery.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { CompressionTypes, ProducerConfig, RetryOptions } from 'kafkajs'
import { ConfigError } from '../errors.js'

export type Claim = 'noAcknowledgedLoss' | 'noDuplicates' | 'perKeyOrder'
export const CLAIMS: readonly Claim[] = ['noAcknowledgedLoss', 'noDuplicates', 'perKeyOrder']

export interface GateConfig {
  name: string
  description?: string
  producer: {
    idempotent?: boolean
    maxInFlightRequests?: number
    transactionalId?: string
    transactionTimeout?: number
    metadataMaxAge?: number
    retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number; factor?: number; multiplier?: number }
  }
  /**
   * acks, timeout and compression are kafkajs's per-send options; callsInFlight and recordsPerCall
   * say how the application drives the producer: how many send() calls it has in flight at once
   * (default 1) and how many records it gives each call (default 1).
   */
  send: { acks: -1 | 0 | 1; timeout?: number; compression?: 'none' | 'gzip'; callsInFlight: number; recordsPerCall: number }
  claims: Record<Claim, boolean>
}

/** A claim that the options themselves rule out: reported as an error naming the field. */
export interface Contradiction {
  field: string
  message: string
}

type Shape = { [k: string]: 'boolean' | 'integer' | 'string' | Shape }

const SCHEMA: Shape = {
  name: 'string',
  description: 'string',
  producer: {
    idempotent: 'boolean',
    maxInFlightRequests: 'integer',
    transactionalId: 'string',
    transactionTimeout: 'integer',
    metadataMaxAge: 'integer',
    retry: { retries: 'integer', initialRetryTime: 'integer', maxRetryTime: 'integer', factor: 'integer', multiplier: 'integer' },
  },
  send: { acks: 'string', timeout: 'integer', compression: 'string', callsInFlight: 'integer', recordsPerCall: 'integer' },
  claims: { noAcknowledgedLoss: 'boolean', noDuplicates: 'boolean', perKeyOrder: 'boolean' },
}
// factor and multiplier are numbers, not integers; acks is checked on its own below.
const NUMBERS = new Set(['producer.retry.factor', 'producer.retry.multiplier'])

function closest(word: string, options: string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        (d[i] as number[])[j] = Math.min(
          (d[i - 1] as number[])[j]! + 1,
          (d[i] as number[])[j - 1]! + 1,
          (d[i - 1] as number[])[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
        )
    return (d[a.length] as number[])[b.length]!
  }
  const best = options.map((o) => ({ o, d: dist(word, o) })).sort((x, y) => x.d - y.d)[0]
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.o : undefined
}

function checkShape(value: unknown, shape: Shape, path: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path || '(config)', 'must be an object', value)
  for (const [k, v] of Object.entries(value)) {
    const field = path ? `${path}.${k}` : k
    const want = shape[k]
    if (want === undefined) {
      const hint = closest(k, Object.keys(shape))
      throw new ConfigError(field, `unknown option${hint ? `; did you mean '${hint}'?` : ''} Known here: ${Object.keys(shape).join(', ')}`)
    }
    if (field === 'send.acks') continue
    if (typeof want === 'object') checkShape(v, want, field)
    else if (NUMBERS.has(field)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(field, 'must be a non-negative number', v)
    } else if (want === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(field, 'must be a non-negative integer', v)
    } else if (typeof v !== want) throw new ConfigError(field, `must be a ${want}`, v)
  }
}

/** acks as Kafka and kafkajs know it: "all" and -1 are the same; 0 and 1 are the others. */
export function parseAcks(v: unknown): -1 | 0 | 1 {
  if (v === 'all' || v === -1 || v === '-1') return -1
  if (v === 1 || v === '1') return 1
  if (v === 0 || v === '0') return 0
  throw new ConfigError('send.acks', 'must be one of 0, 1, -1 or "all"', v)
}

/** Parses and validates a config object; throws ConfigError naming the first bad field. */
export function parseGateConfig(raw: unknown): GateConfig {
  checkShape(raw, SCHEMA, '')
  const r = raw as Record<string, Record<string, unknown> | undefined> & { name?: unknown }
  if (typeof r.name !== 'string' || r.name.trim() === '') throw new ConfigError('name', 'is required: a short name for the matrix and the report')
  if (r.send === undefined || !('acks' in r.send)) throw new ConfigError('send.acks', 'is required: 0, 1, -1 or "all"')
  const acks = parseAcks(r.send.acks)
  const compression = (r.send.compression ?? 'none') as string
  if (compression !== 'none' && compression !== 'gzip') throw new ConfigError('send.compression', 'must be "none" or "gzip" (kafkajs ships no other codec without a plugin)', compression)
  const claims = (r.claims ?? {}) as Partial<Record<Claim, boolean>>
  if (!CLAIMS.some((c) => claims[c] !== undefined)) throw new ConfigError('claims', `must state at least one of ${CLAIMS.join(', ')}`)
  const producer = (r.producer ?? {}) as GateConfig['producer']
  for (const f of ['callsInFlight', 'recordsPerCall'] as const) {
    if (r.send[f] === 0) throw new ConfigError(`send.${f}`, 'must be at least 1', 0)
  }
  if (producer.maxInFlightRequests === 0) throw new ConfigError('producer.maxInFlightRequests', 'must be at least 1 (or left out for no limit)', 0)
  if (producer.idempotent && acks !== -1) {
    throw new ConfigError('send.acks', 'must be "all" (-1) with producer.idempotent: true; kafkajs rejects any other acks for an idempotent producer at send time', r.send.acks)
  }
  if (producer.idempotent && producer.retry?.retries === 0) {
    throw new ConfigError('producer.retry.retries', 'must be at least 1 with producer.idempotent: true (kafkajs refuses an idempotent producer without retries)', 0)
  }
  if (producer.transactionalId !== undefined) {
    if (producer.transactionalId.trim() === '') throw new ConfigError('producer.transactionalId', 'must not be empty', producer.transactionalId)
    if (acks !== -1) throw new ConfigError('send.acks', 'must be "all" (-1) with producer.transactionalId: a transaction is written with acks=all (kafkajs refuses any other acks inside one)', r.send.acks)
    if (((r.send.callsInFlight as number | undefined) ?? 1) > 1) {
      throw new ConfigError('send.callsInFlight', 'must be 1 with producer.transactionalId: the gate sends each call in its own transaction, and kafkajs allows one open transaction per producer', r.send.callsInFlight)
    }
  }
  return {
    name: r.name,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    producer,
    send: {
      acks,
      ...(r.send.timeout !== undefined ? { timeout: r.send.timeout as number } : {}),
      compression: compression as 'none' | 'gzip',
      callsInFlight: (r.send.callsInFlight as number | undefined) ?? 1,
      recordsPerCall: (r.send.recordsPerCall as number | undefined) ?? 1,
    },
    claims: { noAcknowledgedLoss: claims.noAcknowledgedLoss ?? false, noDuplicates: claims.noDuplicates ?? false, perKeyOrder: claims.perKeyOrder ?? false },
  }
}

/**
 * kafkajs's production retry defaults, read from kafkajs itself (src/retry/defaults.js). kafkajs
 * picks src/retry/defaults.test.js instead when NODE_ENV=test, which vitest sets: 15 retries from
 * 50 ms instead of 5 from 300 ms. The gate runs every lane with the production values filled in,
 * so a config that leaves `retry` out is gated with the retries it has in production.
 */
export const KAFKAJS_PRODUCTION_RETRY: Readonly<Required<Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime' | 'factor' | 'multiplier'>>> = Object.freeze(
  createRequire(import.meta.url)('kafkajs/src/retry/defaults.js'),
)

/** The retry settings a config's producer runs with in production: its own fields over kafkajs's production defaults. */
export function productionRetry(p: GateConfig['producer']): Required<Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime' | 'factor' | 'multiplier'>> {
  return { ...KAFKAJS_PRODUCTION_RETRY, ...p.retry }
}

/**
 * kafkajs's effective retries for these options in production: an explicit `retry.retries`, else
 * the retrier's default, idempotent or not. kafkajs 2.2.4's createProducer would give an
 * idempotent producer MAX_SAFE_INTEGER retries only when handed no retry object at all, but
 * `Kafka#producer()` always hands it one (`{ ...clientRetry, ...retry }`, src/index.js), so the
 * retrier's default applies. Tested against the real kafkajs module with NODE_ENV unset
 * (tests/unit/gate-config.test.ts) and pinned on a real broker in tests/idempotency.
 */
export function effectiveRetries(p: GateConfig['producer']): number {
  return productionRetry(p).retries
}

/** How the gate drives a config's producer: each send call in its own transaction when it has a transactionalId. */
export function isTransactional(c: GateConfig): boolean {
  return c.producer.transactionalId !== undefined
}

/** Where the suite proved the kafkajs behaviour a contradiction rests on. */
const PROVEN = {
  queuedBehindLostAnswer: "tests/idempotency: 'kafkajs: a same-size send queued behind a lost answer is acknowledged but never written, and the first send is written twice'",
  overtakenAcrossCalls: "tests/idempotency: 'order within a key: a send retried by kafkajs is overtaken by a later send of the same key' and '... the idempotent producer is overtaken the same way'",
}

/**
 * Claims that the options rule out before any fault is injected, for kafkajs 2.2.4. A claim ruled
 * out fails the gate whatever the battery shows: the options make it untrue even when no fault
 * happened to show it. Each rule is a mechanism the suite has shown on a real broker.
 */
export function contradictions(c: GateConfig): Contradiction[] {
  const out: Contradiction[] = []
  const retries = effectiveRetries(c.producer)
  const calls = c.send.callsInFlight
  const idempotent = c.producer.idempotent === true || isTransactional(c)
  const concurrentIdempotent = c.producer.idempotent === true && !isTransactional(c) && calls > 1
  const queuedBehind = `kafkajs's idempotent producer with send.callsInFlight=${calls}: a call queued behind a lost answer takes that answer's sequence numbers, the leader answers it from the batch it already holds, and kafkajs reports it acknowledged though it was never written; the first call's retry is then written again (${PROVEN.queuedBehindLostAnswer}). Set send.callsInFlight: 1 (await each send), or drop the claim`
  if (c.claims.noAcknowledgedLoss) {
    if (c.send.acks !== -1) {
      out.push({
        field: 'claims.noAcknowledgedLoss',
        message: `contradicts send.acks=${c.send.acks}: ${c.send.acks === 0 ? 'nothing is acknowledged, so nothing sent is known to be written; the gate judges it on records sent and absent' : 'the leader acknowledges before any follower has the record; losing the leader loses it'}. Set send.acks: "all"`,
      })
    } else if (concurrentIdempotent) out.push({ field: 'claims.noAcknowledgedLoss', message: `contradicts ${queuedBehind}` })
  }
  if (c.claims.noDuplicates) {
    if (!idempotent && retries > 0 && c.send.acks !== 0) {
      out.push({
        field: 'claims.noDuplicates',
        message: `contradicts producer.idempotent=${c.producer.idempotent ?? false} with ${retries} retries: a non-idempotent producer that retries after a lost response writes the record again. Set producer.idempotent: true, or producer.retry.retries: 0 (and handle failures yourself), or drop the claim`,
      })
    } else if (concurrentIdempotent) out.push({ field: 'claims.noDuplicates', message: `contradicts ${queuedBehind}` })
  }
  if (c.claims.perKeyOrder && calls > 1 && retries > 0) {
    out.push({
      field: 'claims.perKeyOrder',
      message: `contradicts send.callsInFlight=${calls} with ${retries} retries: kafkajs retries each send call on its own, so a later call of the same key is written while an earlier one waits for its retry, idempotent or not, whatever producer.maxInFlightRequests is (${PROVEN.overtakenAcrossCalls}). Set send.callsInFlight: 1 (await each send before the next of the same key), or drop the claim`,
    })
  }
  return out
}

export function loadGateConfig(file: string): GateConfig {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new ConfigError(file, `cannot be read as JSON: ${(e as Error).message}`)
  }
  try {
    return parseGateConfig(raw)
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.field}`, e.rule, e.actual)
    throw e
  }
}

/** The kafkajs producer config and send settings a config stands for. */
export function toKafkajs(c: GateConfig): { producer: ProducerConfig; send: { acks: -1 | 0 | 1; timeout?: number; compression?: CompressionTypes } } {
  return {
    producer: { ...c.producer, retry: productionRetry(c.producer), allowAutoTopicCreation: false },
    send: { acks: c.send.acks, ...(c.send.timeout !== undefined ? { timeout: c.send.timeout } : {}), ...(c.send.compression === 'gzip' ? { compression: 1 as CompressionTypes } : {}) },
  }
}
