/**
 * The producer-client seam: what the harness asks of any Kafka producer client, and what an
 * adapter for one client library (harness/clients/<name>/) provides.
 *
 * Everything that crosses the seam is data (records in, ledger entries and events out, a profile
 * and an endpoint to build from), and every call that does I/O is async, so an adapter may run
 * its client in another process (the Java client, a franz-go binary) behind a line protocol.
 */
import type { LedgerEntry, LedgerEvent } from '../workload/ledger.js'
import type { ClientEndpoint } from './endpoint.js'
import type { FieldNamer, ProducerProfile, RetrySettings } from './profile.js'

/** A record handed to one send call: id, key and per-key sequence already assigned by the workload. */
export interface OutgoingRecord {
  id: string
  /**
   * The record key. A string is sent as UTF-8; bytes as they are; null sends no key. The ledger
   * entry keeps a string key as it is (bytes: base64; none: '').
   */
  key: string | Uint8Array | null
  /** Per-key sequence number, run-wide record number (copied into the ledger entry). */
  seq: number
  n: number
  /** The record's value; null writes none (a tombstone). */
  value: string | null
  /** Explicit partition; otherwise the client's partitioner picks one. */
  partition?: number
  /** Extra headers; the adapter adds the `id` header (ID_HEADER) itself. */
  headers?: Record<string, string>
}

export interface SendCallOptions {
  /**
   * A transactional producer sends each call in its own transaction and commits it once its
   * records are acknowledged. `false` leaves the call's transaction open (as a process killed
   * before its commit would): its records are `ok` once acknowledged, uncommitted.
   */
  commit?: boolean
}

/** The producer id and epoch a client holds (idempotent or transactional producers). */
export interface ProducerIdentity {
  producerId: number
  epoch: number
}

/**
 * One producer of one client library, writing to one topic. Built by an adapter from a
 * client-neutral profile; the workload (ProducerSession) drives it.
 */
export interface ProducerClient {
  /** The adapter that built it ('kafkajs', ...). */
  readonly client: string
  /**
   * Connects (an idempotent producer also gets its producer id). Rejects if it cannot; the
   * session records the failure as an event and tries again.
   */
  connect(): Promise<void>
  /**
   * One send call of `records`, as an application makes one. Resolves with one ledger entry per
   * record, in the order given: `ok` with partition and offset, `failed` with a client-neutral
   * error class, or `unknown`. Never rejects.
   */
  send(records: readonly OutgoingRecord[], options?: SendCallOptions): Promise<LedgerEntry[]>
  /**
   * Settles every send call still in flight at once: their records become `unknown`
   * ('abandoned'); a result that arrives later becomes a 'late-result' event.
   */
  abandonInFlight(): void
  /**
   * What a transactional producer does before its first transaction (Java's initTransactions()):
   * get its producer id for its transactional id, which fences every earlier producer with that
   * id and aborts its open transaction.
   */
  initTransactions(): Promise<void>
  /** The producer id and epoch the client holds now; undefined before it has one (or never will). */
  identity(): Promise<ProducerIdentity | undefined>
  /** Disconnects. */
  close(): Promise<void>
}

/** Where a client's timeline goes: connects, retries, leader changes, errors seen (ledger events). */
export type EventSink = (event: LedgerEvent) => void

/** What an adapter builds a producer from: all data, except where its events go. */
export interface ClientSpec {
  topic: string
  profile: ProducerProfile
  endpoint: ClientEndpoint
  onEvent: EventSink
}

/** A claim a producer config can make (the gate's vocabulary). */
export type Claim = 'noAcknowledgedLoss' | 'noDuplicates' | 'perKeyOrder'

/**
 * The failure a config's claims are made against: 'node' (one node at a time), or 'all-replicas'
 * (also every replica's power cut at once).
 */
export type FailureDomain = 'node' | 'all-replicas'
export const CLAIMS: readonly Claim[] = ['noAcknowledgedLoss', 'noDuplicates', 'perKeyOrder']

/** A claim that the options themselves rule out: reported as an error naming the field. */
export interface Contradiction {
  field: string
  message: string
}

/**
 * A client library, as the harness knows it. Register one in `clients` (registry.ts); everything
 * specific to the library (its options, error classes, defaults, known misbehaviours) stays in
 * its folder, and the rest of the harness asks these questions instead.
 */
export interface ClientAdapter {
  readonly name: string
  /**
   * Throws ConfigError naming the field (as `name` spells it, default `producer.<field>`) for any
   * option of `profile` this client cannot honour or refuses in combination, saying the fix.
   */
  validate(profile: ProducerProfile, name?: FieldNamer): void
  /**
   * The profile as the client runs it in production: what it would default to filled in where
   * the test environment would change the default (e.g. kafkajs's retries under NODE_ENV=test).
   */
  production(profile: ProducerProfile): ProducerProfile
  /** The retry settings the client runs `profile` with in production. */
  productionRetry(profile: ProducerProfile): RetrySettings
  /**
   * Claims the options rule out for this client, before any fault: each a mechanism the suite
   * has shown on a real broker, against the failures the claims are made for (`domain`, default
   * 'node'). Messages name fields through `name`.
   */
  contradictions(profile: ProducerProfile, claims: Readonly<Record<Claim, boolean>>, name?: FieldNamer, domain?: FailureDomain): Contradiction[]
  /** A producer for `spec.topic`; validates the profile first (ConfigError). */
  create(spec: ClientSpec): ProducerClient
  /** The options the client runs a profile with, as data, for the ledger's settings. */
  describe(profile: ProducerProfile): Record<string, unknown>
  /** What its timeline events can tell a story (stories that wait on a retry read it). */
  readonly timeline: TimelineSignals
}

/** What a client's timeline events say about its retries. */
export interface TimelineSignals {
  /** Its retry events number a send call's attempts (detail.attempt). */
  numberedAttempts: boolean
  /** It reports each connection it loses (disconnect, connect-failed, attempt-error events). */
  connectionTrouble: boolean
}
