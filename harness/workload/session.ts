/**
 * A producer session: one producer client (any adapter of harness/clients), one ledger. The
 * workload drives one; a deterministic scenario uses one directly ("send these K records now,
 * record what happened").
 *
 * Nothing here throws at the caller because of Kafka: connect failures are recorded as events
 * and retried with back-off, send failures become ledger entries.
 */
import { adapterFor, type ClientName } from '../clients/registry.js'
import type { ClientEndpoint } from '../clients/endpoint.js'
import { acksOf, type ProducerProfile } from '../clients/profile.js'
import type { ClientAdapter, OutgoingRecord, ProducerClient, ProducerIdentity, SendCallOptions } from '../clients/types.js'
import { now, pause } from './clock.js'
import { summarize, type Ledger, type LedgerEntry, type LedgerEvent, type LedgerEventType } from './ledger.js'
import { newIdPrefix, recordValue } from './record.js'

/** A record ready to send: id, key and per-key sequence assigned (the session's keys are strings, or null: no key). */
export type PreparedRecord = OutgoingRecord & { key: string | null }

export interface ProducerSessionOptions {
  topic: string
  /** Where the client connects and as whom (`clientEndpoint(cluster, …)`). */
  endpoint: ClientEndpoint
  /** The producer's settings, in no client's terms (default: acks all, the client's defaults). */
  producer?: ProducerProfile
  /** Which client library (a name in `clients`, default 'kafkajs'), or an adapter of one. */
  client?: ClientName | ClientAdapter
  /** Prefix of generated record ids (`<prefix>-<n>`); random per session by default. */
  idPrefix?: string
  /** Pad record values to this many bytes (default: no padding). */
  valueBytes?: number
  /** Back-off between connect attempts, doubling from `minMs` to `maxMs` (100, 2000). */
  connectBackoff?: { minMs?: number; maxMs?: number }
  /**
   * Once the session stops issuing sends, how long sends still in flight may take before they
   * are recorded `unknown` ('abandoned') so the run can end (default 30000 ms). The client's own
   * retries (kafkajs: as many as configured; an idempotent producer given no `retries` gets
   * kafkajs's default, 5, not unlimited) could otherwise keep a run open long after the load stopped.
   */
  drainTimeoutMs?: number
}

/** A record to send. `id` is generated unless given; it must be unique within the topic. */
export interface RecordSpec {
  /** null: a record without a key (its partition is the client's keyless strategy's choice). */
  key: string | null
  id?: string
  partition?: number
  valueBytes?: number
  headers?: Record<string, string>
}

export interface Progress {
  /** Records handed to the client's send so far. */
  sent: number
  acknowledged: number
  failed: number
  unknown: number
  /** Records whose send call has not settled yet. */
  inFlight: number
}

export interface SendOptions {
  /** Records per send call (default 1). */
  batchSize?: number
  /** Send calls in flight at once (default 1: one call after the other, in order). */
  concurrency?: number
}

interface Waiter {
  n: number
  resolve: () => void
  reject: (e: Error) => void
}

export class ProducerSession {
  private readonly adapter: ClientAdapter
  private readonly profile: ProducerProfile
  private readonly client: ProducerClient
  private readonly entries: LedgerEntry[] = []
  private readonly events: LedgerEvent[] = []
  private readonly watchers = new Set<(event: LedgerEvent) => void>()
  private readonly startedAt = now()
  private readonly prefix: string
  private readonly seqs = new Map<string, number>()
  private readonly pending = new Set<Promise<unknown>>()
  private readonly waiters: Waiter[] = []
  private readonly stopping = new AbortController()
  private created = 0
  private counts = { sent: 0, acknowledged: 0, failed: 0, unknown: 0 }
  private connecting: Promise<boolean> | null = null
  private connected = false
  private closed: Promise<Ledger> | null = null
  private drainTimer: NodeJS.Timeout | null = null

  /** Throws ConfigError (before anything runs) for a profile the client cannot honour. */
  constructor(private readonly opts: ProducerSessionOptions) {
    this.adapter = typeof opts.client === 'object' ? opts.client : adapterFor(opts.client, 'client')
    this.profile = opts.producer ?? {}
    this.prefix = opts.idPrefix ?? newIdPrefix()
    this.client = this.adapter.create({ topic: opts.topic, profile: this.profile, endpoint: opts.endpoint, onEvent: (e) => this.push(e) })
  }

  private push(event: LedgerEvent): void {
    this.events.push(event)
    for (const watch of this.watchers) watch(event)
  }

  /** Calls `watch` with each event as the producer sees it (the ledger keeps them too); returns the unsubscribe. */
  watch(watch: (event: LedgerEvent) => void): () => void {
    this.watchers.add(watch)
    return () => this.watchers.delete(watch)
  }

  /** The producer id and epoch the client holds now (idempotent or transactional producers). */
  identity(): Promise<ProducerIdentity | undefined> {
    return this.client.identity()
  }

  /** Java's initTransactions(): a transactional producer gets its producer id, fencing earlier ones with its transactional id. */
  async initTransactions(): Promise<void> {
    await this.client.initTransactions()
  }

  /** Aborted once the session stops issuing sends (`close()` or `stopIssuing()`). */
  get signal(): AbortSignal {
    return this.stopping.signal
  }

  /** Assigns run-wide numbers, per-key sequence numbers, ids and values. */
  prepare(specs: readonly RecordSpec[]): PreparedRecord[] {
    return specs.map((s) => {
      const n = this.created++
      const seq = this.seqs.get(s.key ?? '') ?? 0
      this.seqs.set(s.key ?? '', seq + 1)
      const id = s.id ?? `${this.prefix}-${n}`
      const value = recordValue(id, s.key ?? '', seq, s.valueBytes ?? this.opts.valueBytes)
      const record: PreparedRecord = { id, key: s.key, seq, n, value }
      if (s.partition !== undefined) record.partition = s.partition
      if (s.headers !== undefined) record.headers = s.headers
      return record
    })
  }

  /**
   * Connects the producer if it is not connected, retrying with back-off until it succeeds or
   * the session stops issuing sends. Resolves true when connected.
   */
  ready(): Promise<boolean> {
    if (this.connected) return Promise.resolve(true)
    this.connecting ??= this.connectLoop().finally(() => {
      this.connecting = null
    })
    return this.connecting
  }

  private async connectLoop(): Promise<boolean> {
    const min = this.opts.connectBackoff?.minMs ?? 100
    const max = this.opts.connectBackoff?.maxMs ?? 2000
    for (let attempt = 0; !this.signal.aborted; attempt++) {
      try {
        await this.client.connect()
        this.connected = true
        return true
      } catch (e) {
        this.note('connect-failed', { attempt, ...summarize(e) })
        await pause(Math.min(max, min * 2 ** attempt), this.signal)
      }
    }
    return false
  }

  /** Adds an event to the ledger. */
  note(type: LedgerEventType, detail?: LedgerEvent['detail']): void {
    this.push(detail === undefined ? { at: now(), type } : { at: now(), type, detail })
  }

  /** One send call for `records`, recorded in the ledger. Never throws. */
  async sendCall(records: readonly PreparedRecord[], options?: SendCallOptions): Promise<LedgerEntry[]> {
    this.counts.sent += records.length
    const call = this.client.send(records, options)
    this.pending.add(call)
    try {
      const entries = await call
      for (const e of entries) this.record(e)
      if (entries.some((e) => e.errorClass === 'not-connected')) {
        this.connected = false
      }
      return entries
    } finally {
      this.pending.delete(call)
    }
  }

  /**
   * Sends `specs` now (after connecting), `batchSize` records per call and `concurrency` calls in
   * flight, and returns their entries in the order given. With the defaults the records are sent
   * one call at a time, in order. If the session stops before some were sent, those are left out
   * (they were never attempted).
   */
  async send(specs: readonly RecordSpec[], options: SendOptions = {}): Promise<LedgerEntry[]> {
    const batchSize = positiveInteger('batchSize', options.batchSize ?? 1)
    const concurrency = positiveInteger('concurrency', options.concurrency ?? 1)
    const calls: RecordSpec[][] = []
    for (let i = 0; i < specs.length; i += batchSize) calls.push(specs.slice(i, i + batchSize))
    const results: LedgerEntry[][] = []
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < calls.length && !this.signal.aborted && (await this.ready())) {
        // another worker may have taken the last call while this one awaited ready()
        if (next >= calls.length) break
        const index = next++
        results[index] = await this.sendCall(this.prepare(calls[index] as RecordSpec[]))
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    return results.flat()
  }

  progress(): Progress {
    const settled = this.counts.acknowledged + this.counts.failed + this.counts.unknown
    return { ...this.counts, inFlight: this.counts.sent - settled }
  }

  /**
   * Resolves once at least `n` records of this session have been acknowledged (`ok`); rejects
   * if the session closes first.
   */
  acknowledged(n: number): Promise<void> {
    if (this.counts.acknowledged >= n) return Promise.resolve()
    if (this.closed !== null) return Promise.reject(this.shortOfAcks(n))
    return new Promise((resolve, reject) => this.waiters.push({ n, resolve, reject }))
  }

  private shortOfAcks(n: number): Error {
    return new Error(`the run ended with ${this.counts.acknowledged} of ${n} awaited records acknowledged`)
  }

  private record(e: LedgerEntry): void {
    this.entries.push(e)
    if (e.outcome === 'ok') this.counts.acknowledged++
    else if (e.outcome === 'failed') this.counts.failed++
    else this.counts.unknown++
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i] as Waiter
      if (this.counts.acknowledged >= w.n) {
        this.waiters.splice(i, 1)
        w.resolve()
      }
    }
  }

  /**
   * Stops issuing sends (pending connect attempts and pacing end) and gives the sends in flight
   * `drainTimeoutMs` to settle before they are abandoned. Idempotent.
   */
  stopIssuing(): void {
    if (this.signal.aborted) return
    this.stopping.abort()
    this.drainTimer = setTimeout(() => this.client.abandonInFlight(), this.opts.drainTimeoutMs ?? 30_000)
  }

  /** The ledger so far (a copy). */
  ledger(): Ledger {
    const settings = {
      client: this.adapter.name,
      profile: { ...this.profile, acks: acksOf(this.profile) },
      ...this.adapter.describe(this.profile),
      idPrefix: this.prefix,
      valueBytes: this.opts.valueBytes ?? 0,
    }
    return {
      topic: this.opts.topic,
      startedAt: this.startedAt,
      endedAt: now(),
      settings: JSON.parse(JSON.stringify(settings)) as Record<string, unknown>,
      entries: [...this.entries].sort((a, b) => a.n - b.n),
      events: [...this.events].sort((a, b) => a.at - b.at),
    }
  }

  /**
   * Stops issuing, waits for the sends in flight (abandoning them after `drainTimeoutMs`),
   * disconnects the producer and returns the final ledger. Idempotent; never rejects.
   */
  close(): Promise<Ledger> {
    this.closed ??= (async () => {
      this.stopIssuing()
      await Promise.allSettled(this.pending)
      if (this.drainTimer !== null) clearTimeout(this.drainTimer)
      await Promise.race([this.connecting, pause(this.opts.drainTimeoutMs ?? 30_000)])
      const disconnect = this.client.close().catch((e: unknown) => {
        this.note('workload-error', { during: 'disconnect', ...summarize(e) })
      })
      await Promise.race([disconnect, pause(10_000)])
      for (const w of this.waiters.splice(0)) w.reject(this.shortOfAcks(w.n))
      return this.ledger()
    })()
    return this.closed
  }
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${value}`)
  return value
}

/** Opens a session; the producer connects on first use. */
export function openProducerSession(opts: ProducerSessionOptions): ProducerSession {
  return new ProducerSession(opts)
}

/**
 * The deterministic path: connects, sends exactly `records` (in order, by default one per call
 * and one call at a time), disconnects, and returns the ledger.
 */
export async function sendRecords(
  opts: ProducerSessionOptions & SendOptions & { records: readonly RecordSpec[] },
): Promise<Ledger> {
  const session = openProducerSession(opts)
  await session.send(opts.records, opts)
  return session.close()
}
