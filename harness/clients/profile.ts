/**
 * The client-neutral producer profile: what a producer is configured to do, in Kafka's terms, not
 * in any one client library's. An adapter maps it onto its client's options and names, with the
 * field, whatever its client cannot honour.
 *
 * As JSON (a gate config's `producer`):
 *
 *   { "acks": "all", "idempotent": true, "retries": 10, "retryBackoff": { "initialMs": 100 },
 *     "requestsInFlight": 1, "callsInFlight": 1, "recordsPerCall": 1, "compression": "none" }
 */
import { ConfigError } from '../errors.js'
import { checkShape, type Shape } from './shape.js'

/** -1 (all in-sync replicas), 1 (the leader alone), 0 (no acknowledgement). */
export type Acks = -1 | 0 | 1
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const COMPRESSIONS: readonly Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
/**
 * 'default': the client's own default partitioner. 'murmur2': Java's rule for keyed records
 * (murmur2 of the key bytes, modulo the partition count).
 */
export type Partitioner = 'default' | 'murmur2'
export const PARTITIONERS: readonly Partitioner[] = ['default', 'murmur2']

/** Back-off between retries of a send: from initialMs, times multiplier each retry, up to maxMs, randomised by ±jitter. */
export interface RetryBackoff {
  initialMs?: number
  maxMs?: number
  multiplier?: number
  /** Randomisation factor, 0..1. */
  jitter?: number
}

export interface ProducerProfile {
  /** Default -1 (all). */
  acks?: Acks
  /** How long the broker may wait for the required acknowledgements (the produce request's timeout), ms. */
  ackTimeoutMs?: number
  idempotent?: boolean
  /** Retries of a failed send before it fails; absent: the client's default. */
  retries?: number
  retryBackoff?: RetryBackoff
  /** Produce requests in flight per connection (Java's max.in.flight.requests.per.connection); absent: the client's default. */
  requestsInFlight?: number
  /** How the application drives the producer: send calls in flight at once (default 1: it awaits each). */
  callsInFlight?: number
  /** Records the application hands each send call (default 1). */
  recordsPerCall?: number
  compression?: Compression
  /** How long the client may wait to fill a batch before sending, ms. */
  lingerMs?: number
  /** Largest batch per partition, bytes. */
  batchBytes?: number
  partitioner?: Partitioner
  /** Each send call in its own transaction, committed once acknowledged. */
  transactionalId?: string
  transactionTimeoutMs?: number
  /** Refresh metadata at least this often, ms. */
  metadataMaxAgeMs?: number
}

/** The retry settings a producer runs with, all filled in. */
export interface RetrySettings {
  retries: number
  initialMs: number
  maxMs: number
  multiplier: number
  jitter: number
}

/** A profile field, as a path below the profile ('retryBackoff.initialMs'). */
export type ProfileField = Exclude<keyof ProducerProfile, 'retryBackoff'> | `retryBackoff.${keyof RetryBackoff}`

/** How a message names a profile field: as the config the user wrote spells it. */
export type FieldNamer = (field: ProfileField) => string

/** Fields named as a profile under `producer` (the session's options, a gate config's `producer`). */
export const producerFields: FieldNamer = (field) => `producer.${field}`

export const PROFILE_SHAPE: Shape = {
  acks: 'any',
  ackTimeoutMs: 'integer',
  idempotent: 'boolean',
  retries: 'integer',
  retryBackoff: { initialMs: 'integer', maxMs: 'integer', multiplier: 'number', jitter: 'number' },
  requestsInFlight: 'integer',
  callsInFlight: 'integer',
  recordsPerCall: 'integer',
  compression: 'string',
  lingerMs: 'integer',
  batchBytes: 'integer',
  partitioner: 'string',
  transactionalId: 'string',
  transactionTimeoutMs: 'integer',
  metadataMaxAgeMs: 'integer',
}

/** acks as Kafka knows it: "all" and -1 are the same; 0 and 1 are the others. */
export function parseAcks(v: unknown, field = 'producer.acks'): Acks {
  if (v === 'all' || v === -1 || v === '-1') return -1
  if (v === 1 || v === '1') return 1
  if (v === 0 || v === '0') return 0
  throw new ConfigError(field, 'must be one of 0, 1, -1 or "all"', v)
}

/**
 * Parses a profile given as JSON: strict shape, acks as 0 / 1 / -1 / "all". Throws ConfigError
 * naming the first bad field under `path`.
 */
export function parseProfile(raw: unknown, path = 'producer'): ProducerProfile {
  checkShape(raw, PROFILE_SHAPE, path)
  const r = raw as Record<string, unknown>
  const profile = { ...r } as ProducerProfile
  if (r.acks !== undefined) profile.acks = parseAcks(r.acks, `${path}.acks`)
  checkProfile(profile, (f) => `${path}.${f}`)
  return profile
}

/**
 * The client-neutral rules every profile keeps, whatever the client: known options of the right
 * types, acks, counts at least 1, a known codec and partitioner, a non-empty transactional id.
 * Throws ConfigError naming the field.
 */
export function checkProfile(p: ProducerProfile, name: FieldNamer = producerFields): void {
  // Built in code, a profile can still carry an option of no client's (e.g. kafkajs's own name for one).
  if (name === producerFields) checkShape(p, PROFILE_SHAPE, 'producer')
  if (p.acks !== undefined && p.acks !== -1 && p.acks !== 0 && p.acks !== 1) parseAcks(p.acks, name('acks'))
  if (p.callsInFlight === 0) throw new ConfigError(name('callsInFlight'), 'must be at least 1', 0)
  if (p.recordsPerCall === 0) throw new ConfigError(name('recordsPerCall'), 'must be at least 1', 0)
  if (p.requestsInFlight === 0) throw new ConfigError(name('requestsInFlight'), 'must be at least 1 (or left out for no limit)', 0)
  if (p.compression !== undefined && !COMPRESSIONS.includes(p.compression)) throw new ConfigError(name('compression'), `must be one of ${COMPRESSIONS.join(', ')}`, p.compression)
  if (p.partitioner !== undefined && !PARTITIONERS.includes(p.partitioner)) throw new ConfigError(name('partitioner'), `must be one of ${PARTITIONERS.join(', ')}`, p.partitioner)
  if (p.transactionalId !== undefined && p.transactionalId.trim() === '') throw new ConfigError(name('transactionalId'), 'must not be empty', p.transactionalId)
}

/** acks with its default. */
export const acksOf = (p: ProducerProfile): Acks => p.acks ?? -1

