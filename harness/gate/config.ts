/**
 * The config a team writes to gate its producer: which client, its producer profile (client-neutral,
 * harness/clients/profile.ts), and the guarantees the team claims. JSON, validated strictly:
 *
 * {
 *   "name": "payments-producer",
 *   "client": "kafkajs",
 *   "producer": { "acks": "all", "idempotent": true, "requestsInFlight": 1, "retries": 10, "callsInFlight": 1 },
 *   "claims": { "noAcknowledgedLoss": true, "noDuplicates": true, "perKeyOrder": true }
 * }
 *
 * The first format (kafkajs's own names, a `producer` of ProducerConfig fields and a `send` of
 * per-send options) is still accepted: a config with `send` is read in it and mapped onto the
 * profile (LEGACY_FIELDS), and every message names the fields as that config spells them.
 *
 * What the options mean for a client (what it cannot honour, its production defaults, the claims
 * they rule out) is the client adapter's to say: the gate asks it.
 */
import { readFileSync } from 'node:fs'
import { adapterFor, DEFAULT_CLIENT, type ClientName } from '../clients/registry.js'
import { parseAcks, parseProfile, producerFields, type FieldNamer, type ProducerProfile, type ProfileField, type RetrySettings } from '../clients/profile.js'
import { checkShape, type Shape } from '../clients/shape.js'
import { CLAIMS, type Claim, type ClientAdapter, type Contradiction } from '../clients/types.js'
import { ConfigError } from '../errors.js'

export { CLAIMS, parseAcks, type Claim, type Contradiction }

export interface GateConfig {
  name: string
  description?: string
  /** The client library whose producer this is (a name in harness/clients/registry.ts; default kafkajs). */
  client: ClientName
  /**
   * The producer profile. callsInFlight and recordsPerCall say how the application drives the
   * producer: send calls in flight at once (default 1: it awaits each) and records per call (default 1).
   */
  producer: ProducerProfile & { acks: -1 | 0 | 1; callsInFlight: number; recordsPerCall: number }
  claims: Record<Claim, boolean>
  /** The format it was written in: 'profile', or 'kafkajs' (the first format: `producer` and `send` in kafkajs's names). */
  format: 'profile' | 'kafkajs'
}

const CLAIMS_SHAPE: Shape = { noAcknowledgedLoss: 'boolean', noDuplicates: 'boolean', perKeyOrder: 'boolean' }

const SCHEMA: Shape = { name: 'string', description: 'string', client: 'string', producer: 'any', claims: CLAIMS_SHAPE }

/** The first format: kafkajs ProducerConfig fields under `producer`, per-send options under `send`. */
const LEGACY_SCHEMA: Shape = {
  name: 'string',
  description: 'string',
  client: 'string',
  producer: {
    idempotent: 'boolean',
    maxInFlightRequests: 'integer',
    transactionalId: 'string',
    transactionTimeout: 'integer',
    metadataMaxAge: 'integer',
    retry: { retries: 'integer', initialRetryTime: 'integer', maxRetryTime: 'integer', factor: 'number', multiplier: 'number' },
  },
  send: { acks: 'any', timeout: 'integer', compression: 'string', callsInFlight: 'integer', recordsPerCall: 'integer' },
  claims: CLAIMS_SHAPE,
}

/** Each profile field, as the first format spells it. */
const LEGACY_FIELDS: Readonly<Partial<Record<ProfileField, string>>> = {
  acks: 'send.acks',
  ackTimeoutMs: 'send.timeout',
  compression: 'send.compression',
  callsInFlight: 'send.callsInFlight',
  recordsPerCall: 'send.recordsPerCall',
  idempotent: 'producer.idempotent',
  requestsInFlight: 'producer.maxInFlightRequests',
  transactionalId: 'producer.transactionalId',
  transactionTimeoutMs: 'producer.transactionTimeout',
  metadataMaxAgeMs: 'producer.metadataMaxAge',
  retries: 'producer.retry.retries',
  'retryBackoff.initialMs': 'producer.retry.initialRetryTime',
  'retryBackoff.maxMs': 'producer.retry.maxRetryTime',
  'retryBackoff.multiplier': 'producer.retry.multiplier',
  'retryBackoff.jitter': 'producer.retry.factor',
}
const legacyFields: FieldNamer = (f) => LEGACY_FIELDS[f] ?? producerFields(f)

/** How messages name a config's profile fields: as the config spells them. */
export function fieldsOf(c: Pick<GateConfig, 'format'>): FieldNamer {
  return c.format === 'kafkajs' ? legacyFields : producerFields
}

type Legacy = {
  producer?: { idempotent?: boolean; maxInFlightRequests?: number; transactionalId?: string; transactionTimeout?: number; metadataMaxAge?: number; retry?: { retries?: number; initialRetryTime?: number; maxRetryTime?: number; factor?: number; multiplier?: number } }
  send: { acks?: unknown; timeout?: number; compression?: ProducerProfile['compression']; callsInFlight?: number; recordsPerCall?: number }
}

/** A first-format config's `producer` and `send` as a profile (only the fields it sets). */
function fromLegacy(r: Legacy): ProducerProfile {
  const p = r.producer ?? {}
  const retry = p.retry ?? {}
  const defined = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
  const retryBackoff = defined({ initialMs: retry.initialRetryTime, maxMs: retry.maxRetryTime, multiplier: retry.multiplier, jitter: retry.factor })
  return defined({
    acks: r.send.acks === undefined ? undefined : parseAcks(r.send.acks, 'send.acks'),
    ackTimeoutMs: r.send.timeout,
    compression: r.send.compression,
    callsInFlight: r.send.callsInFlight,
    recordsPerCall: r.send.recordsPerCall,
    idempotent: p.idempotent,
    requestsInFlight: p.maxInFlightRequests,
    transactionalId: p.transactionalId,
    transactionTimeoutMs: p.transactionTimeout,
    metadataMaxAgeMs: p.metadataMaxAge,
    retries: retry.retries,
    retryBackoff: Object.keys(retryBackoff).length ? retryBackoff : undefined,
  })
}

/** Parses and validates a config object; throws ConfigError naming the first bad field (as the config spells it). */
export function parseGateConfig(raw: unknown): GateConfig {
  const legacy = typeof raw === 'object' && raw !== null && 'send' in raw
  checkShape(raw, legacy ? LEGACY_SCHEMA : SCHEMA, '')
  const r = raw as Record<string, unknown>
  if (typeof r.name !== 'string' || r.name.trim() === '') throw new ConfigError('name', 'is required: a short name for the matrix and the report')
  const fields = legacy ? legacyFields : producerFields
  const given = legacy ? fromLegacy(r as Legacy) : parseProfile(r.producer ?? {}, 'producer')
  if (given.acks === undefined) throw new ConfigError(fields('acks'), 'is required: 0, 1, -1 or "all"')
  const client = adapterFor(r.client ?? DEFAULT_CLIENT, 'client')
  const claims = (r.claims ?? {}) as Partial<Record<Claim, boolean>>
  if (!CLAIMS.some((c) => claims[c] !== undefined)) throw new ConfigError('claims', `must state at least one of ${CLAIMS.join(', ')}`)
  client.validate(given, fields)
  return {
    name: r.name,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    client: client.name as ClientName,
    producer: { ...given, acks: given.acks, compression: given.compression ?? 'none', callsInFlight: given.callsInFlight ?? 1, recordsPerCall: given.recordsPerCall ?? 1 },
    claims: { noAcknowledgedLoss: claims.noAcknowledgedLoss ?? false, noDuplicates: claims.noDuplicates ?? false, perKeyOrder: claims.perKeyOrder ?? false },
    format: legacy ? 'kafkajs' : 'profile',
  }
}

/** The adapter of the config's client. */
export function adapterOf(c: Pick<GateConfig, 'client'>): ClientAdapter {
  return adapterFor(c.client)
}

/**
 * The profile a config's lanes run: its own fields over its client's production defaults, so a
 * config that leaves retries out is gated with the retries it has in production (kafkajs picks
 * other defaults under NODE_ENV=test, which vitest sets).
 */
export function productionProfile(c: GateConfig): GateConfig['producer'] {
  return { ...c.producer, ...adapterOf(c).production(c.producer) }
}

/** The retry settings a config's producer runs with in production, as its client says. */
export function productionRetry(c: GateConfig): RetrySettings {
  return adapterOf(c).productionRetry(c.producer)
}

/** How the gate drives a config's producer: each send call in its own transaction when it has a transactionalId. */
export function isTransactional(c: GateConfig): boolean {
  return c.producer.transactionalId !== undefined
}

/**
 * Claims that the options rule out before any fault is injected, as the config's client adapter
 * knows them (kafkajs 2.2.4: harness/clients/kafkajs/contradictions.ts). A claim ruled out fails
 * the gate whatever the battery shows.
 */
export function contradictions(c: GateConfig): Contradiction[] {
  return adapterOf(c).contradictions(c.producer, c.claims, fieldsOf(c))
}

export function loadGateConfig(file: string): GateConfig {
  return inFile(file, () => parseGateConfig(readConfigJson(file)))
}

/** A config file's JSON, not yet validated; a ConfigError naming the file if it is not JSON. */
export function readConfigJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'))
  } catch (e) {
    throw new ConfigError(file, `cannot be read as JSON: ${(e as Error).message}`)
  }
}

/** Runs parse, a ConfigError it throws naming the field as `<file>: <field>`. */
export function inFile<T>(file: string, parse: () => T): T {
  try {
    return parse()
  } catch (e) {
    if (e instanceof ConfigError) throw new ConfigError(`${file}: ${e.field}`, e.rule, e.actual)
    throw e
  }
}
