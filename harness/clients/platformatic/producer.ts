/**
 * One @platformatic/kafka producer behind the seam: a send() call per application call, its base
 * offsets placed per record (see ./index.ts for why that is exact), its errors classified
 * (./classify.ts), its client events ('client:broker:*', 'client:performWithRetry:retry') on the
 * timeline, and its producer id from its own producerId / producerEpoch.
 */
import { now } from '../../workload/clock.js'
import type { LedgerEntry } from '../../workload/ledger.js'
import { ID_HEADER } from '../../workload/record.js'
import { ABANDONED, erred, OpenCalls, pendingEntry } from '../common.js'
import { acksOf, type ProducerProfile } from '../profile.js'
import type { ClientSpec, OutgoingRecord, ProducerClient, ProducerIdentity, SendCallOptions } from '../types.js'
import { classifyPlatformaticError, producedOf } from './classify.js'

interface Message {
  topic: string
  key?: Buffer
  value?: Buffer
  headers: Map<Buffer, Buffer>
  partition?: number
}
export interface ProduceResult {
  offsets?: { topic: string; partition: number; offset: bigint }[]
}
interface Transaction {
  send(options: { messages: Message[] }): Promise<ProduceResult>
  commit(): Promise<void>
  abort(): Promise<void>
}
interface PProducer {
  readonly producerId: bigint | undefined
  readonly producerEpoch: number | undefined
  send(options: { messages: Message[] }): Promise<ProduceResult>
  initIdempotentProducer(options: Record<string, never>): Promise<unknown>
  beginTransaction(): Promise<Transaction>
  close(force?: boolean): Promise<void>
  on(event: string, listener: (...args: unknown[]) => void): void
  metadata(options: { topics: string[] }): Promise<{ topics: Map<string, { partitionsCount: number }> }>
}
type PartitionerFn = (message: unknown, key: Buffer | undefined) => number
export interface Platformatic {
  Producer: new (options: Record<string, unknown>) => PProducer
  compatibilityPartitioner: PartitionerFn
  defaultPartitioner: PartitionerFn
}

/** The profile as @platformatic/kafka's producer options (data only: the back-off function and partitioner are added by the producer). */
function dataOptions(p: ProducerProfile): Record<string, string | number | boolean | Record<string, number>> {
  const set: [string, unknown][] = [
    ['acks', acksOf(p)],
    ['idempotent', p.idempotent === true || p.transactionalId !== undefined],
    ['timeout', p.ackTimeoutMs],
    ['retries', p.retries],
    ['retryDelay', p.retryBackoff],
    ['maxInflights', p.requestsInFlight],
    ['compression', p.compression ?? 'none'],
    ['partitioner', p.partitioner === 'murmur2' ? 'compatibilityPartitioner (Java murmur2)' : 'default (murmur2(key) >>> 0: not Java)'],
    ['transactionalId', p.transactionalId],
    ['metadataMaxAge', p.metadataMaxAgeMs],
    ['autocreateTopics', false],
  ]
  return Object.fromEntries(set.filter(([, v]) => v !== undefined)) as Record<string, string | number | boolean | Record<string, number>>
}

/** A back-off as @platformatic/kafka takes it: a function of the attempt (1-based). */
function retryDelay(p: ProducerProfile): ((client: unknown, op: string, attempt: number) => number) | undefined {
  const b = p.retryBackoff
  if (b === undefined) return undefined
  const initial = b.initialMs ?? 1_000
  const { maxMs = Number.POSITIVE_INFINITY, multiplier = 1, jitter = 0 } = b
  return (_client, _op, attempt) => Math.min(maxMs, initial * multiplier ** (attempt - 1)) * (1 - jitter + 2 * jitter * Math.random())
}

/** Each record's partition and offset from a call's base offsets: the i-th of the call's records in partition p at base(p) + i. */
export function placeOffsets(topic: string, partitions: readonly number[], result: ProduceResult | undefined): (number | null)[] {
  const base = new Map((result?.offsets ?? []).filter((o) => o.topic === topic).map((o) => [o.partition, Number(o.offset)]))
  const index = new Map<number, number>()
  return partitions.map((p) => {
    const b = base.get(p)
    if (b === undefined) return null
    const i = index.get(p) ?? 0
    index.set(p, i + 1)
    return b + i
  })
}

export class PlatformaticProducer implements ProducerClient {
  readonly client = 'platformatic'
  private readonly producer: PProducer
  private readonly partitioner: PartitionerFn
  private readonly open: OpenCalls
  private calls = 0
  private partitionCount = 0
  private roundRobin = 0

  static options = dataOptions

  constructor(
    library: Platformatic,
    private readonly spec: ClientSpec,
  ) {
    this.open = new OpenCalls(spec.onEvent)
    const p = spec.profile
    const delay = retryDelay(p)
    const { partitioner: _described, retryDelay: _backoff, ...options } = dataOptions(p)
    this.producer = new library.Producer({
      ...options,
      clientId: spec.endpoint.clientId,
      bootstrapBrokers: [...spec.endpoint.brokers],
      connectTimeout: spec.endpoint.connectionTimeoutMs,
      requestTimeout: spec.endpoint.requestTimeoutMs,
      ...(delay ? { retryDelay: delay } : {}),
      ...(p.partitioner === 'murmur2' ? { partitioner: library.compatibilityPartitioner } : {}),
    })
    this.partitioner = p.partitioner === 'murmur2' ? library.compatibilityPartitioner : library.defaultPartitioner
    const on = (event: string, type: 'connect' | 'disconnect' | 'connect-failed' | 'retry') =>
      this.producer.on(event, (...args: unknown[]) => spec.onEvent({ at: now(), type, detail: { source: event, args: args.filter((a) => typeof a === 'string' || typeof a === 'number').map(String) } }))
    on('client:broker:connect', 'connect')
    on('client:broker:disconnect', 'disconnect')
    on('client:broker:failed', 'connect-failed')
    on('client:performWithRetry:retry', 'retry')
  }

  async connect(): Promise<void> {
    const metadata = await this.producer.metadata({ topics: [this.spec.topic] })
    this.partitionCount = metadata.topics.get(this.spec.topic)?.partitionsCount ?? 0
    if (this.spec.profile.idempotent === true && this.spec.profile.transactionalId === undefined) await this.producer.initIdempotentProducer({})
  }

  /** Java's initTransactions(): @platformatic/kafka gets the producer id for the transactional id on its first transaction; an empty one, aborted, sends nothing else. */
  async initTransactions(): Promise<void> {
    await (await this.producer.beginTransaction()).abort()
  }

  async identity(): Promise<ProducerIdentity | undefined> {
    const id = this.producer.producerId
    return id === undefined ? undefined : { producerId: Number(id), epoch: this.producer.producerEpoch ?? 0 }
  }

  async send(records: readonly OutgoingRecord[], options: SendCallOptions = {}): Promise<LedgerEntry[]> {
    const call = this.calls++
    const start = now()
    const messages: Message[] = records.map((r) => {
      const key = r.key === null ? undefined : Buffer.from(r.key)
      const headers = new Map(Object.entries({ ...r.headers, [ID_HEADER]: r.id }).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]))
      const partition = r.partition ?? this.partitionFor(key)
      return { topic: this.spec.topic, ...(key ? { key } : {}), ...(r.value === null ? {} : { value: Buffer.from(r.value) }), headers, ...(partition === undefined ? {} : { partition }) }
    })
    const answer = (this.spec.profile.transactionalId === undefined ? this.producer.send({ messages }) : this.inTransaction(messages, options.commit ?? true)).then(
      (result) => ({ result }),
      (error: unknown) => ({ error }),
    )
    const settled = await this.open.race(call, answer, (late) => ('error' in late ? 'error' : 'resolved'))
    const end = now()
    const partitions = messages.map((m) => m.partition ?? -1)
    const entry = (i: number): LedgerEntry => ({ ...pendingEntry(records[i] as OutgoingRecord, call, start, end), partition: partitions[i] === -1 ? null : (partitions[i] as number) })
    if (settled === 'abandoned') return records.map((_, i) => ({ ...entry(i), reason: ABANDONED }))
    if (acksOf(this.spec.profile) === 0 && !('error' in settled)) return records.map((_, i) => ({ ...entry(i), reason: 'acks=0' }))
    const offsets = placeOffsets(this.spec.topic, partitions, 'error' in settled ? producedOf(settled.error) : settled.result)
    const failure = 'error' in settled ? classifyPlatformaticError(settled.error) : undefined
    return records.map((_, i) => {
      const offset = offsets[i] ?? null
      if (offset !== null) return { ...entry(i), outcome: 'ok', offset }
      if (failure) return erred(entry(i), failure.outcome, failure.errorClass, failure.error)
      return { ...entry(i), reason: 'resolved, but no offset for its partition in the answer' }
    })
  }

  /**
   * The partition the client would pick (#assignPartition: its partitioner for a keyed record,
   * round-robin for a keyless one, then modulo the partition count), given to it explicitly, so
   * every record's partition is known whatever its outcome.
   */
  private partitionFor(key: Buffer | undefined): number | undefined {
    if (this.partitionCount === 0) return undefined
    return (key ? this.partitioner(undefined, key) : this.roundRobin++) % this.partitionCount
  }

  /** A call in its own transaction, committed once its records are acknowledged, aborted if the send fails (the error is the call's). */
  private async inTransaction(messages: Message[], commit: boolean): Promise<ProduceResult> {
    const txn = await this.producer.beginTransaction()
    try {
      const result = await txn.send({ messages })
      if (commit) await txn.commit()
      return result
    } catch (e) {
      await txn.abort().catch((abortError: unknown) => this.spec.onEvent({ at: now(), type: 'workload-error', detail: { during: 'abort after a failed transactional call', message: String((abortError as Error)?.message ?? abortError) } }))
      // Nothing of an aborted call is committed: no partial offsets.
      if (typeof e === 'object' && e !== null) delete (e as { produced?: unknown }).produced
      throw e
    }
  }

  abandonInFlight(): void {
    this.open.abandonAll()
  }

  async close(): Promise<void> {
    await this.producer.close(true)
    this.open.abandonAll()
  }
}
