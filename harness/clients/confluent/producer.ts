/**
 * One librdkafka producer (@confluentinc/kafka-javascript's Producer) behind the seam. Every
 * record is produced with its own opaque and settles from its own delivery report: `ok` with the
 * partition and the offset librdkafka reports for that message (librdkafka sets each message's
 * offset from the batch's base offset and the message's place in it, as kafka-clients does);
 * an error report is classified by its code (./classify.ts). At acks=0 the report carries no
 * offset (-1): the record is `unknown` ('acks=0').
 */
import { now } from '../../workload/clock.js'
import type { LedgerEntry } from '../../workload/ledger.js'
import { ID_HEADER } from '../../workload/record.js'
import { ABANDONED, erred, OpenCalls, pendingEntry } from '../common.js'
import { acksOf } from '../profile.js'
import type { ClientSpec, OutgoingRecord, ProducerClient, ProducerIdentity, SendCallOptions } from '../types.js'
import { classifyLibrdkafkaError, type LibrdkafkaError } from './classify.js'
import { endpointOptions, librdkafkaOptions } from './options.js'

interface DeliveryReport {
  topic: string
  partition: number
  offset: number
  opaque?: unknown
}

type Callback = (err: LibrdkafkaError | null) => void

/** The part of @confluentinc/kafka-javascript's Producer (node-rdkafka API) the adapter uses. */
interface RdProducer {
  connect(options: { topic?: string; timeout?: number }, cb: (err: LibrdkafkaError | null) => void): void
  disconnect(timeout: number, cb: (err: unknown) => void): void
  produce(topic: string, partition: number | null, value: Buffer | null, key: Buffer | string | null, timestamp: number | null, opaque: unknown, headers: Record<string, string>[]): boolean
  setPollInterval(ms: number): void
  initTransactions(timeout: number, cb: Callback): void
  beginTransaction(cb: Callback): void
  commitTransaction(timeout: number, cb: Callback): void
  abortTransaction(timeout: number, cb: Callback): void
  on(event: 'delivery-report', cb: (err: LibrdkafkaError | null, report: DeliveryReport) => void): void
  on(event: 'ready' | 'disconnected', cb: () => void): void
  on(event: 'event.error', cb: (err: LibrdkafkaError) => void): void
  on(event: 'event.stats', cb: (stats: { message: string }) => void): void
  once(event: 'event.stats', cb: (stats: { message: string }) => void): void
}

export interface Librdkafka {
  Producer: new (config: Record<string, string | number | boolean>) => RdProducer
}

/** How long connect, a transaction's begin/commit/abort and the close's flush may take, ms. */
const TIMEOUT_MS = 30_000

type Settle = (err: LibrdkafkaError | null, report: DeliveryReport) => void

export class ConfluentProducer implements ProducerClient {
  readonly client = 'confluent'
  private readonly producer: RdProducer
  private readonly open: OpenCalls
  private readonly pending = new Map<number, Settle>()
  private nextOpaque = 0
  private calls = 0
  private identitySeen: ProducerIdentity | undefined
  private readonly transactional: boolean
  private readonly idempotent: boolean

  constructor(
    library: Librdkafka,
    private readonly spec: ClientSpec,
  ) {
    this.open = new OpenCalls(spec.onEvent)
    this.transactional = spec.profile.transactionalId !== undefined
    this.idempotent = this.transactional || spec.profile.idempotent === true
    this.producer = new library.Producer({ ...endpointOptions(spec.endpoint), ...librdkafkaOptions(spec.profile), dr_cb: true })
    this.producer.on('delivery-report', (err, report) => {
      const key = report.opaque as number
      const settle = this.pending.get(key)
      this.pending.delete(key)
      settle?.(err, report)
    })
    this.producer.on('ready', () => this.event('connect'))
    this.producer.on('disconnected', () => this.event('disconnect'))
    this.producer.on('event.error', (err) => this.event('attempt-error', { code: err.code, message: err.message, source: 'event.error' }))
    this.producer.on('event.stats', (stats) => this.readStats(stats.message))
  }

  private event(type: 'connect' | 'disconnect' | 'attempt-error', detail?: Record<string, string | number | boolean | null>): void {
    this.spec.onEvent(detail === undefined ? { at: now(), type } : { at: now(), type, detail })
  }

  /** librdkafka's statistics: the idempotent producer's id and epoch (eos.producer_id, -1 before it has one). */
  private readStats(json: string): void {
    const eos = (JSON.parse(json) as { eos?: { producer_id?: number; producer_epoch?: number } }).eos
    if (eos?.producer_id !== undefined && eos.producer_id >= 0) this.identitySeen = { producerId: eos.producer_id, epoch: eos.producer_epoch ?? 0 }
  }

  private callback<T = void>(run: (cb: (err: LibrdkafkaError | null, value?: T) => void) => void): Promise<T> {
    return new Promise((resolve, reject) => run((err, value) => (err ? reject(err) : resolve(value as T))))
  }

  async connect(): Promise<void> {
    await this.callback((cb) => this.producer.connect({ topic: this.spec.topic, timeout: TIMEOUT_MS }, cb))
    this.producer.setPollInterval(10)
  }

  async initTransactions(): Promise<void> {
    await this.callback((cb) => this.producer.initTransactions(TIMEOUT_MS, cb))
  }

  /** The id and epoch from the latest statistics; an idempotent producer without one yet waits for the next (each second). */
  async identity(): Promise<ProducerIdentity | undefined> {
    if (this.identitySeen === undefined && this.idempotent) {
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, 3_000)
        this.producer.once('event.stats', () => {
          clearTimeout(deadline)
          resolve()
        })
      })
    }
    return this.identitySeen
  }

  /** One record into librdkafka's queue; its delivery report settles it. */
  private produce(r: OutgoingRecord, base: () => LedgerEntry): Promise<LedgerEntry> {
    return new Promise<LedgerEntry>((resolve) => {
      const opaque = this.nextOpaque++
      this.pending.set(opaque, (err, report) => {
        const entry = { ...base(), partition: report.partition }
        if (err) {
          const c = classifyLibrdkafkaError(err)
          resolve(erred(entry, c.outcome, c.errorClass, c.error))
        } else if (acksOf(this.spec.profile) === 0 || report.offset < 0) resolve({ ...entry, reason: 'acks=0' })
        else resolve({ ...entry, outcome: 'ok', offset: report.offset })
      })
      try {
        const key = r.key === null ? null : typeof r.key === 'string' ? r.key : Buffer.from(r.key)
        const headers = Object.entries({ ...r.headers, [ID_HEADER]: r.id }).map(([k, v]) => ({ [k]: v }))
        this.producer.produce(this.spec.topic, r.partition ?? null, r.value === null ? null : Buffer.from(r.value), key, null, opaque, headers)
      } catch (e) {
        // Refused before librdkafka took it (queue full, a closed producer, a state error): never sent.
        this.pending.delete(opaque)
        const c = classifyLibrdkafkaError(e as LibrdkafkaError, 'refused')
        resolve(erred(base(), c.outcome, c.errorClass, c.error))
      }
    })
  }

  async send(records: readonly OutgoingRecord[], options: SendCallOptions = {}): Promise<LedgerEntry[]> {
    const call = this.calls++
    const start = now()
    let end = start
    const base = (r: OutgoingRecord) => () => pendingEntry(r, call, start, end)
    const answer = (async () => {
      if (this.transactional) return this.inTransaction(records, base, options.commit ?? true)
      return Promise.all(records.map((r) => this.produce(r, base(r))))
    })().finally(() => (end = now()))
    const result = await this.open.race(call, answer, (late) => late.map((e) => e.outcome).join(','))
    if (result === 'abandoned') {
      end = now()
      return records.map((r) => ({ ...pendingEntry(r, call, start, end), reason: ABANDONED }))
    }
    return result.map((e) => ({ ...e, end }))
  }

  /** A call in its own transaction: committed once every record is acknowledged, aborted otherwise. */
  private async inTransaction(records: readonly OutgoingRecord[], base: (r: OutgoingRecord) => () => LedgerEntry, commit: boolean): Promise<LedgerEntry[]> {
    try {
      await this.callback((cb) => this.producer.beginTransaction(cb))
    } catch (e) {
      const c = classifyLibrdkafkaError(e as LibrdkafkaError, 'refused')
      return records.map((r) => erred(base(r)(), c.outcome, c.errorClass, c.error, `beginTransaction: ${c.error.message}`))
    }
    const entries = await Promise.all(records.map((r) => this.produce(r, base(r))))
    const acknowledged = entries.every((e) => e.outcome === 'ok')
    if (acknowledged && !commit) return entries
    let decided: LibrdkafkaError | null = null
    try {
      await this.callback((cb) => (acknowledged ? this.producer.commitTransaction(TIMEOUT_MS, cb) : this.producer.abortTransaction(TIMEOUT_MS, cb)))
      if (acknowledged) return entries
    } catch (e) {
      decided = e as LibrdkafkaError
    }
    // Aborted (or the commit failed): nothing of the call is visible to a read_committed reader.
    return entries.map((e) => {
      if (e.outcome !== 'ok') return e
      if (decided === null) return { ...e, outcome: 'failed' as const, offset: null, reason: 'aborted: another record of the call failed' }
      const c = classifyLibrdkafkaError(decided)
      return erred({ ...e, offset: null }, c.outcome, c.errorClass, c.error, `${acknowledged ? 'commit' : 'abort'} failed: ${c.error.message}`)
    })
  }

  abandonInFlight(): void {
    this.open.abandonAll()
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.producer.disconnect(5_000, () => resolve()))
    this.open.abandonAll()
  }
}
