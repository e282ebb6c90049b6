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
import type { CompressionTypes, ProducerConfig } from 'kafkajs'
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
 * kafkajs's effective retries for these options: an explicit `retry.retries`, else 5, idempotent
 * or not. kafkajs 2.2.4's createProducer would give an idempotent producer MAX_SAFE_INTEGER
 * retries only when handed no retry object at all, but `Kafka#producer()` always hands it one
 * (`{ ...clientRetry, ...retry }`, src/index.js), so the retrier's default of 5 applies.
 * Pinned against the real client in tests/idempotency.
 */
export function effectiveRetries(p: GateConfig['producer']): number {
  return p.retry?.retries ?? 5
}

/** Claims that the options rule out before any fault is injected. */
export function contradictions(c: GateConfig): Contradiction[] {
  const out: Contradiction[] = []
  const retries = effectiveRetries(c.producer)
  if (c.claims.noDuplicates && !c.producer.idempotent && retries > 0 && c.send.acks !== 0) {
    out.push({
      field: 'claims.noDuplicates',
      message: `contradicts producer.idempotent=${c.producer.idempotent ?? false} with ${retries} retries: a non-idempotent producer that retries after a lost response writes the record again. Set producer.idempotent: true, or drop the claim`,
    })
  }
  if (c.claims.noAcknowledgedLoss && c.send.acks !== -1) {
    out.push({
      field: 'claims.noAcknowledgedLoss',
      message: `contradicts send.acks=${c.send.acks}: ${c.send.acks === 0 ? 'nothing is acknowledged, so nothing is known to be written' : 'the leader acknowledges before any follower has the record; losing the leader loses it'}. Set send.acks: "all"`,
    })
  }
  const inFlight = c.producer.maxInFlightRequests
  if (c.claims.perKeyOrder && !c.producer.idempotent && retries > 0 && (inFlight === undefined || inFlight > 1)) {
    out.push({
      field: 'claims.perKeyOrder',
      message: `contradicts producer.maxInFlightRequests=${inFlight ?? 'unlimited'} with retries and no idempotence: a retried request can land after a later one. Set producer.maxInFlightRequests: 1 or producer.idempotent: true`,
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
    producer: { ...c.producer, allowAutoTopicCreation: false },
    send: { acks: c.send.acks, ...(c.send.timeout !== undefined ? { timeout: c.send.timeout } : {}), ...(c.send.compression === 'gzip' ? { compression: 1 as CompressionTypes } : {}) },
  }
}
