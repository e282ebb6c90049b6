/**
 * One kafkajs producer behind the seam (a ProducerClient), watched: every `send()` call becomes
 * ledger entries, and what the producer sees (connects, request timeouts, retries, the errors of
 * attempts it retries, leader and ISR changes in its metadata) becomes ledger events.
 *
 * How acknowledged offsets are derived (verified against kafkajs 2.2.4 source,
 * node_modules/kafkajs/src/producer and src/protocol/requests/produce):
 * - `groupMessagesPerPartition` buckets a call's messages by partition with `reduce`, keeping
 *   the order they were given in;
 * - `produce/v3/request.js` (used by v3..v7) encodes each partition's messages as ONE record
 *   batch with `offsetDelta: i` for the i-th message, so the broker assigns them
 *   `baseOffset + i`, contiguous and in order;
 * - the response carries one `baseOffset` per topic-partition (`responseSerializer` flattens it
 *   to `RecordMetadata { topicName, partition, errorCode, baseOffset }`).
 * So the i-th record (in call order) of those sent to partition p got offset baseOffset(p) + i.
 *
 * Which partition each message went to is observed, not guessed: the producer is built with a
 * partitioner that wraps kafkajs' DefaultPartitioner (the profile's 'default' and 'murmur2') and
 * notes each message's partition. kafkajs re-partitions all of a call's messages on every retry attempt,
 * so the count of partitioner calls per message is the call's number of attempts, and the last
 * choice is the one the final attempt used.
 *
 * Known kafkajs behaviours the ledger stays honest about:
 * - acks=0: `send()` resolves with no metadata at all; records are `unknown` ('acks=0').
 * - a retry after a partial success reuses the responses of brokers that already answered and
 *   sends nothing more to them (`sendMessages.js`, `brokersWithoutResponse`). If leadership moved
 *   in between, some partitions of the call are never sent and have no metadata in the result;
 *   their records are `unknown` ('no metadata for partition').
 * - if the partition count changed between attempts of one call, the partitioner's last choice
 *   may differ from the attempt whose response was kept; offsets are then unreliable. Such
 *   changes are recorded as 'partition-count' events.
 */
import kafkajs from 'kafkajs'
import type { Kafka, LogEntry, Message, PartitionMetadata, PartitionerArgs, Producer, RecordMetadata } from 'kafkajs'
import { now } from '../../workload/clock.js'
import type { LedgerEntry, LedgerEvent, LedgerEventType } from '../../workload/ledger.js'
import { ID_HEADER } from '../../workload/record.js'
import type { ProducerProfile } from '../profile.js'
import type { EventSink, OutgoingRecord, ProducerClient, ProducerIdentity, SendCallOptions } from '../types.js'
import { classifySendError } from './classify.js'
import { watchProducerIds } from './connection.js'
import { kafkajsOptions, type KafkajsOptions } from './options.js'

const { Partitioners } = kafkajs

interface Assignment {
  partition: number
  attempts: number
}

/** What an acknowledgement says about each record of a call; pure, for testing. */
export type AckPlacement =
  | { outcome: 'ok'; partition: number; offset: number | null }
  | { outcome: 'unknown'; partition: number | null; reason: string }

/**
 * Maps `send()`'s RecordMetadata back to each record: the i-th record sent to partition p is at
 * baseOffset(p) + i. `partitions[k]` is the partition record k was assigned (null if none seen).
 */
export function placeAcks(
  topic: string,
  partitions: readonly (number | null)[],
  metadata: readonly RecordMetadata[],
): AckPlacement[] {
  const base = new Map<number, number | null>()
  for (const m of metadata) {
    if (m.topicName !== topic) continue
    const raw = m.baseOffset ?? m.offset
    const offset = raw === undefined ? null : Number(raw)
    base.set(m.partition, offset !== null && Number.isSafeInteger(offset) && offset >= 0 ? offset : null)
  }
  const index = new Map<number, number>()
  return partitions.map((partition): AckPlacement => {
    if (partition === null) return { outcome: 'unknown', partition, reason: 'resolved, but no partition was seen for this record' }
    if (!base.has(partition)) {
      return { outcome: 'unknown', partition, reason: 'resolved, but no metadata for partition in the response' }
    }
    const i = index.get(partition) ?? 0
    index.set(partition, i + 1)
    const b = base.get(partition) ?? null
    return { outcome: 'ok', partition, offset: b === null ? null : b + i }
  })
}

/** How a send call's entry records its key: a string as it is, bytes as base64, no key as ''. */
function ledgerKey(key: OutgoingRecord['key']): string {
  return typeof key === 'string' ? key : key === null ? '' : Buffer.from(key).toString('base64')
}

/**
 * kafkajs's producer logs each failed attempt of a send call it is about to retry (after a
 * metadata refresh) as `Failed to send messages: <error message>` (src/producer/sendMessages.js);
 * that is the error the producer caught.
 */
const RETRIED_ATTEMPT = 'Failed to send messages: '

export interface KafkajsProducerOptions {
  /** A kafkajs client of this producer's own (its cluster, and so its producer id, are this producer's). */
  kafka: Kafka
  topic: string
  profile: ProducerProfile
  onEvent: EventSink
}

/** One kafkajs producer behind the seam. */
export class KafkajsProducer implements ProducerClient {
  readonly client = 'kafkajs'
  private readonly options: KafkajsOptions
  private readonly producer: Producer
  private identitySeen: ProducerIdentity | undefined
  private readonly assignments = new WeakMap<object, Assignment>()
  /** The first message of each call, to its call number: retries are reported once per call. */
  private readonly firstOfCall = new WeakMap<object, number>()
  private readonly removeListeners: (() => void)[] = []
  private readonly inFlight = new Set<() => void>()
  private calls = 0
  private seenMetadata: PartitionMetadata[] | null = null
  private readonly leaders = new Map<number, number>()
  private readonly isrs = new Map<number, string>()

  constructor(private readonly opts: KafkajsProducerOptions) {
    this.options = kafkajsOptions(opts.profile)
    // 'default' and 'murmur2' are both kafkajs's DefaultPartitioner (Java's murmur2 rule for keys).
    const createInner = Partitioners.DefaultPartitioner
    watchProducerIds(opts.kafka, (identity) => {
      this.identitySeen = identity
    })
    this.producer = opts.kafka.producer({
      ...this.options.producer,
      createPartitioner: () => {
        const inner = createInner()
        return (args: PartitionerArgs) => {
          const partition = inner(args)
          this.observe(args, partition)
          return partition
        }
      },
    })
    const on = this.producer.on.bind(this.producer)
    const ev = this.producer.events
    this.removeListeners.push(
      on(ev.CONNECT, () => this.event('connect')),
      on(ev.DISCONNECT, () => this.event('disconnect')),
      on(ev.REQUEST_TIMEOUT, ({ payload }) =>
        this.event('request-timeout', {
          broker: payload.broker,
          apiName: payload.apiName,
          correlationId: payload.correlationId,
          pendingDuration: payload.pendingDuration,
        }),
      ),
    )
  }

  get acks(): -1 | 0 | 1 {
    return this.options.send.acks
  }

  private event(type: LedgerEventType, detail?: LedgerEvent['detail']): void {
    this.opts.onEvent(detail === undefined ? { at: now(), type } : { at: now(), type, detail })
  }

  /** Hands the producer's log entries to the timeline: each failed attempt it retries, with the error it caught. */
  log({ namespace, log }: LogEntry): void {
    if (namespace === 'Producer' && log.message.startsWith(RETRIED_ATTEMPT)) {
      this.event('attempt-error', { message: log.message.slice(RETRIED_ATTEMPT.length), retryCount: Number(log.retryCount ?? 0) })
    }
  }

  async connect(): Promise<void> {
    await this.producer.connect()
  }

  async close(): Promise<void> {
    for (const remove of this.removeListeners.splice(0)) remove()
    await this.producer.disconnect()
  }

  /**
   * What Java's initTransactions() does: InitProducerId for the transactional id, which fences an
   * earlier producer with the same id and aborts its open transaction. kafkajs does it on the
   * first transaction(); an empty transaction, aborted, sends nothing else.
   */
  async initTransactions(): Promise<void> {
    await (await this.producer.transaction()).abort()
  }

  async identity(): Promise<ProducerIdentity | undefined> {
    return this.identitySeen
  }

  /**
   * Sends `records` in one `producer.send()` call (a transactional producer: in its own
   * transaction) and returns their ledger entries. Never throws. `abandonInFlight()` settles
   * every pending call at once as `unknown`.
   */
  async send(records: readonly OutgoingRecord[], options: SendCallOptions = {}): Promise<LedgerEntry[]> {
    const call = this.calls++
    const messages: Message[] = records.map((r) => ({
      key: r.key === null ? null : typeof r.key === 'string' ? r.key : Buffer.from(r.key),
      value: r.value,
      headers: { ...r.headers, [ID_HEADER]: r.id },
      ...(r.partition === undefined ? {} : { partition: r.partition }),
    }))
    if (messages[0] !== undefined) this.firstOfCall.set(messages[0], call)
    const start = now()
    let abandon = (): void => {}
    const abandoned = new Promise<'abandoned'>((resolve) => {
      abandon = () => resolve('abandoned')
    })
    this.inFlight.add(abandon)
    const payload = { topic: this.opts.topic, messages, ...this.options.send }
    const sent = (this.options.producer.transactionalId === undefined ? this.producer.send(payload) : this.sendInTransaction(payload, options.commit ?? true))
      .then((metadata) => ({ metadata }), (error: unknown) => ({ error }))
    try {
      const result = await Promise.race([sent, abandoned])
      const end = now()
      const assigned = messages.map((m) => this.assignments.get(m))
      const entry = (i: number): LedgerEntry => {
        const r = records[i] as OutgoingRecord
        return {
          id: r.id, key: ledgerKey(r.key), seq: r.seq, n: r.n, call, start, end,
          outcome: 'unknown', partition: assigned[i]?.partition ?? null, offset: null,
          attempts: assigned[i]?.attempts ?? 0,
        }
      }
      if (result === 'abandoned') {
        void sent.then((late) => this.event('late-result', { call, outcome: 'error' in late ? 'error' : 'resolved' }))
        return records.map((_, i) => ({ ...entry(i), reason: 'abandoned: still in flight when the run ended' }))
      }
      if ('error' in result) {
        const partitions = new Set(assigned.flatMap((a) => (a === undefined ? [] : [a.partition]))).size
        const { outcome, reason, errorClass, error } = classifySendError(result.error, { partitions })
        return records.map((_, i) => ({ ...entry(i), outcome, reason, errorClass, error }))
      }
      if (this.acks === 0) return records.map((_, i) => ({ ...entry(i), reason: 'acks=0' }))
      const placed = placeAcks(this.opts.topic, assigned.map((a) => a?.partition ?? null), result.metadata)
      return placed.map((p, i) =>
        p.outcome === 'ok'
          ? { ...entry(i), outcome: 'ok', partition: p.partition, offset: p.offset }
          : { ...entry(i), partition: p.partition, reason: p.reason },
      )
    } finally {
      this.inFlight.delete(abandon)
    }
  }

  /**
   * A transactional producer's send call, as an application writes one: its own transaction,
   * committed once the records are acknowledged, aborted if anything fails (the error is the
   * call's). The records are `ok` only once the commit succeeded; a reader at read_committed
   * never sees an aborted call's records. Without `commit` the transaction is left open.
   */
  private async sendInTransaction(payload: Parameters<Producer['send']>[0], commit: boolean): Promise<RecordMetadata[]> {
    const txn = await this.producer.transaction()
    try {
      const metadata = await txn.send(payload)
      if (commit) await txn.commit()
      return metadata
    } catch (e) {
      await txn.abort().catch((abortError: unknown) => this.event('workload-error', { during: 'abort after a failed transactional call', message: String((abortError as Error)?.message ?? abortError) }))
      throw e
    }
  }

  abandonInFlight(): void {
    for (const abandon of this.inFlight) abandon()
  }

  private observe({ partitionMetadata, message }: PartitionerArgs, partition: number): void {
    const seen = this.assignments.get(message)
    const attempts = (seen?.attempts ?? 0) + 1
    this.assignments.set(message, { partition, attempts })
    const call = this.firstOfCall.get(message)
    if (attempts > 1 && call !== undefined) this.event('retry', { call, attempt: attempts })
    if (partitionMetadata !== this.seenMetadata) this.observeMetadata(partitionMetadata)
  }

  /** Notes leader, ISR and partition-count changes in the producer's view of the topic. */
  private observeMetadata(metadata: PartitionMetadata[]): void {
    const before = this.seenMetadata
    this.seenMetadata = metadata
    if (before !== null && before.length !== metadata.length) {
      this.event('partition-count', { from: before.length, to: metadata.length })
    }
    for (const p of metadata) {
      const leader = this.leaders.get(p.partitionId)
      if (leader !== p.leader) {
        if (leader !== undefined) this.event('leader-change', { partition: p.partitionId, from: leader, to: p.leader })
        this.leaders.set(p.partitionId, p.leader)
      }
      const isr = [...p.isr].sort((a, b) => a - b).join(',')
      const previous = this.isrs.get(p.partitionId)
      if (previous !== isr) {
        if (previous !== undefined) this.event('isr-change', { partition: p.partitionId, from: previous, to: isr })
        this.isrs.set(p.partitionId, isr)
      }
    }
  }
}
