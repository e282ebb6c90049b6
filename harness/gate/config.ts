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
 * Its JSON Schema is schema/gate-config.schema.json (teams point their editor at it with
 * "$schema"); the gate validates a config against that same file (harness/clients/schema.ts).
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
import { checkAgainst } from '../clients/schema.js'
import { CLAIMS, type Claim, type ClientAdapter, type Contradiction, type FailureDomain } from '../clients/types.js'
import { ConfigError } from '../errors.js'

export { CLAIMS, parseAcks, type Claim, type Contradiction, type FailureDomain }

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
  /**
   * The failure the claims are made against: 'node' (one node at a time: the battery), or
   * 'all-replicas' (also every replica's power cut at once: the battery's power-loss scenario).
   */
  failureDomain: FailureDomain
  /** Durability settings of the team's topics, given to the lane's topic where they matter (the power-loss scenario). */
  topicConfig: { 'flush.messages'?: number }
  /** The format it was written in: 'profile', or 'kafkajs' (the first format: `producer` and `send` in kafkajs's names). */
  format: 'profile' | 'kafkajs'
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

/** The value at a dotted path of a JSON object ('producer.retry.retries'), if there is one. */
const valueAt = (raw: unknown, path: string): unknown => path.split('.').reduce<unknown>((at, k) => (typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[k] : undefined), raw)

/** A first-format config's `producer` and `send` as a profile (only the fields it sets; acks as given). */
function fromLegacy(raw: unknown): ProducerProfile {
  const profile: Record<string, unknown> = {}
  for (const [field, legacy] of Object.entries(LEGACY_FIELDS)) {
    const v = valueAt(raw, legacy)
    if (v === undefined) continue
    const [top, below] = field.split('.') as [string, string | undefined]
    if (below === undefined) profile[top] = v
    else profile[top] = { ...(profile[top] as object | undefined), [below]: v }
  }
  return profile as ProducerProfile
}

/**
 * Parses and validates a config object: first against schema/gate-config.schema.json, then its
 * client's rules across fields and what the client cannot honour. Throws ConfigError naming the
 * first bad field (as the config spells it).
 */
export function parseGateConfig(raw: unknown): GateConfig {
  checkAgainst('', raw, (f) => f || '(config)')
  const r = raw as {
    name: string; description?: string; client?: ClientName; producer?: object; send?: object; claims: Partial<Record<Claim, boolean>>
    failureDomain?: FailureDomain; topicConfig?: GateConfig['topicConfig']
  }
  const legacy = r.send !== undefined
  const fields = legacy ? legacyFields : producerFields
  const written = legacy ? fromLegacy(r) : parseProfile(r.producer, 'producer')
  const acks = parseAcks(written.acks, fields('acks'))
  const given: ProducerProfile = { ...written, acks }
  const client = adapterFor(r.client ?? DEFAULT_CLIENT, 'client')
  client.validate(given, fields)
  return {
    name: r.name,
    ...(r.description !== undefined ? { description: r.description } : {}),
    client: client.name as ClientName,
    producer: { ...given, acks, compression: given.compression ?? 'none', callsInFlight: given.callsInFlight ?? 1, recordsPerCall: given.recordsPerCall ?? 1 },
    claims: { noAcknowledgedLoss: r.claims.noAcknowledgedLoss ?? false, noDuplicates: r.claims.noDuplicates ?? false, perKeyOrder: r.claims.perKeyOrder ?? false },
    failureDomain: r.failureDomain ?? 'node',
    topicConfig: { ...r.topicConfig },
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
  return adapterOf(c).contradictions(c.producer, c.claims, fieldsOf(c), c.failureDomain)
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
