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
import { checkAgainst } from './schema.js'

/** -1 (all in-sync replicas), 1 (the leader alone), 0 (no acknowledgement). */
export type Acks = -1 | 0 | 1
export type Compression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
/**
 * 'default': the client's own default partitioner. 'murmur2': Java's rule for keyed records
 * (murmur2 of the key bytes, modulo the partition count).
 */
export type Partitioner = 'default' | 'murmur2'

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

/** acks as Kafka knows it: "all" and -1 are the same; 0 and 1 are the others. */
export function parseAcks(v: unknown, field = 'producer.acks'): Acks {
  if (v === 'all' || v === -1 || v === '-1') return -1
  if (v === 1 || v === '1') return 1
  if (v === 0 || v === '0') return 0
  throw new ConfigError(field, 'must be one of 0, 1, -1 or "all"', v)
}

/**
 * Parses a profile given as JSON (the schema's producerProfile: schema/gate-config.schema.json),
 * acks as 0 / 1 / -1 / "all". Throws ConfigError naming the first bad field under `path`.
 */
export function parseProfile(raw: unknown, path = 'producer'): ProducerProfile {
  checkAgainst('/definitions/producerProfile', raw, (f) => (f ? `${path}.${f}` : path))
  const profile = { ...(raw as ProducerProfile) }
  if (profile.acks !== undefined) profile.acks = parseAcks(profile.acks, `${path}.acks`)
  return profile
}

/**
 * The client-neutral rules every profile keeps, whatever the client: the schema's producerProfile
 * (known options of the right types, acks, counts at least 1, a known codec and partitioner, a
 * non-empty transactional id). A profile built in code is held to them as one read from JSON is.
 * Throws ConfigError naming the field as `name` spells it.
 */
export function checkProfile(p: ProducerProfile, name: FieldNamer = producerFields): void {
  checkAgainst('/definitions/producerProfile', p, (f) => (f ? name(f as ProfileField) : 'producer'))
}

/** acks with its default. */
export const acksOf = (p: ProducerProfile): Acks => p.acks ?? -1

