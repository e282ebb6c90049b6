/**
 * What the adapters of harness/clients/<name>/ share: a record's ledger entry before its outcome
 * is known, the protocol's table of Kafka error codes as ledger classes, the refusals that are the
 * harness's and not one client's, and the settling of calls a run gave up on (abandoned).
 */
import { ConfigError } from '../errors.js'
import { now } from '../workload/clock.js'
import type { ErrorClass, LedgerEntry, SendErrorInfo } from '../workload/ledger.js'
import { acksOf, checkProfile, producerFields, type FieldNamer, type ProducerProfile, type RetrySettings } from './profile.js'
import { KAFKA_ERROR_CODES } from './protocol.js'
import type { Claim, ClientAdapter, ClientSpec, Contradiction, EventSink, OutgoingRecord, ProducerClient } from './types.js'

/** How a send call's entry records its key: a string as it is, bytes as base64, no key as ''. */
export function ledgerKey(key: OutgoingRecord['key']): string {
  return typeof key === 'string' ? key : key === null ? '' : Buffer.from(key).toString('base64')
}

/** A record's entry before its outcome is known: `unknown`, no partition, no offset, no attempts counted. */
export function pendingEntry(r: OutgoingRecord, call: number, start: number, end: number): LedgerEntry {
  return { id: r.id, key: ledgerKey(r.key), seq: r.seq, n: r.n, call, start, end, outcome: 'unknown', partition: null, offset: null, attempts: 0 }
}

/**
 * A Kafka protocol error code as the ledger classes it (the driver protocol's table, which both
 * drivers carry): `failed` when the broker refused the batch before appending it, else `unknown`.
 * A code not in the table: 'retriable' or 'fatal' by the client's own flag, `unknown`.
 */
export function byKafkaCode(code: number, retriable: boolean): { errorClass: ErrorClass; outcome: 'failed' | 'unknown'; type?: string } {
  const known = KAFKA_ERROR_CODES[code]
  if (known) return { errorClass: known.class, outcome: known.outcome, type: known.type }
  return { errorClass: retriable ? 'retriable' : 'fatal', outcome: 'unknown' }
}

/** A record's failed or unknown entry from a classified error. */
export function erred(entry: LedgerEntry, outcome: 'failed' | 'unknown', errorClass: ErrorClass, error: SendErrorInfo, reason = error.message): LedgerEntry {
  return { ...entry, outcome, reason, errorClass, error }
}

/**
 * The refusals every adapter but kafkajs's shares, because they are the harness's: its reader is
 * kafkajs with no codec plugin, so it reads no snappy, lz4 or zstd batch, and an adapter maps
 * compression exactly (absent is none, whatever the client's own default: franz-go's is snappy);
 * and a transactional producer sends each call in its own transaction, one at a time.
 */
export function refuseWhatTheHarnessCannot(p: ProducerProfile, client: string, name: FieldNamer = producerFields): void {
  if (p.compression !== undefined && p.compression !== 'none' && p.compression !== 'gzip') {
    throw new ConfigError(name('compression'), `must be "none" or "gzip" with ${client}: the harness reads the log back with kafkajs, which decodes no ${p.compression} batch (absent means none for every client, whatever its own default)`, p.compression)
  }
  if (p.transactionalId !== undefined && (p.callsInFlight ?? 1) > 1) {
    throw new ConfigError(name('callsInFlight'), `must be 1 with ${name('transactionalId')}: each call is sent in its own transaction, and a producer has one open transaction at a time`, p.callsInFlight)
  }
}

/**
 * The send calls of an in-process client still waiting for their answer. `abandonAll()` settles
 * every one at once (its records `unknown`, 'abandoned'); the client's own answer, when it comes,
 * becomes a 'late-result' event.
 */
export class OpenCalls {
  private readonly open = new Set<() => void>()

  constructor(private readonly onEvent: EventSink) {}

  /** `answer` raced against an abandon: the answer, or 'abandoned'. */
  async race<T>(call: number, answer: Promise<T>, outcomeOf: (late: T) => string): Promise<T | 'abandoned'> {
    let abandon = (): void => {}
    const abandoned = new Promise<'abandoned'>((resolve) => {
      abandon = () => resolve('abandoned')
    })
    this.open.add(abandon)
    try {
      const first = await Promise.race([answer, abandoned])
      if (first === 'abandoned') void answer.then((late) => this.onEvent({ at: now(), type: 'late-result', detail: { call, outcome: outcomeOf(late) } }))
      return first
    } finally {
      this.open.delete(abandon)
    }
  }

  abandonAll(): void {
    for (const abandon of this.open) abandon()
  }
}

export const ABANDONED = 'abandoned: still in flight when the run ended'

/** The production retry settings of a profile over a client's defaults. */
export function retryOver(defaults: RetrySettings, p: ProducerProfile): RetrySettings {
  const b = p.retryBackoff ?? {}
  return { retries: p.retries ?? defaults.retries, initialMs: b.initialMs ?? defaults.initialMs, maxMs: b.maxMs ?? defaults.maxMs, multiplier: b.multiplier ?? defaults.multiplier, jitter: b.jitter ?? defaults.jitter }
}

/**
 * The claims every client's options rule out, Kafka's and not one client's: at acks 1 or 0 the
 * leader alone (or nobody) has a record when it is acknowledged. Shown per client by
 * tests/clients/<client>.test.ts ('acks 1 loses what only the killed leader had').
 */
export function acksContradictions(p: ProducerProfile, claims: Readonly<Record<Claim, boolean>>, name: FieldNamer = producerFields): Contradiction[] {
  const acks = acksOf(p)
  if (!claims.noAcknowledgedLoss || acks === -1) return []
  return [{ field: 'claims.noAcknowledgedLoss', message: `contradicts ${name('acks')}=${acks}: the leader acknowledges before any follower has the record; losing the leader loses it. Set ${name('acks')}: "all"` }]
}

/** What sets one adapter apart; defineAdapter fills in the rest alike for every client but kafkajs. */
export interface AdapterSpec {
  name: string
  /** The client's own retry defaults, filled in where the profile says nothing. */
  retry: RetrySettings
  /** Throws ConfigError naming the field for what this client cannot honour (after the shared rules). */
  refuse(profile: ProducerProfile, name: FieldNamer): void
  /** Default: acksContradictions. */
  contradictions?: ClientAdapter['contradictions']
  /** Default: attempts not numbered, each lost connection reported. */
  timeline?: ClientAdapter['timeline']
  describe(profile: ProducerProfile): Record<string, unknown>
  /** A producer for a profile already validated. */
  build(spec: ClientSpec): ProducerClient
}

export function defineAdapter(s: AdapterSpec): ClientAdapter {
  const adapter: ClientAdapter = {
    name: s.name,
    validate(profile, name = producerFields) {
      checkProfile(profile, name)
      refuseWhatTheHarnessCannot(profile, s.name, name)
      s.refuse(profile, name)
    },
    production: (p) => {
      const r = retryOver(s.retry, p)
      return { ...p, retries: r.retries, retryBackoff: { initialMs: r.initialMs, maxMs: r.maxMs, multiplier: r.multiplier, jitter: r.jitter } }
    },
    productionRetry: (p) => retryOver(s.retry, p),
    contradictions: s.contradictions ?? acksContradictions,
    describe: s.describe,
    timeline: s.timeline ?? { numberedAttempts: false, connectionTrouble: true },
    create(spec) {
      adapter.validate(spec.profile)
      return s.build(spec)
    },
  }
  return adapter
}
