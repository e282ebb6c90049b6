/**
 * The reader: every record of a topic, from each partition's log start to its high watermark,
 * read after the scenario has healed.
 *
 * Where to stop is decided by offsets, never by a quiet period: `admin.fetchTopicOffsets` gives
 * each partition's `[low, high)` first (kafkajs 2.2.4's admin client has no isolation level of its
 * own, so its ListOffsets takes the request's default, read_committed: `high` is the last stable
 * offset, which is the high watermark unless a transaction is open, and is where a read_committed
 * consumer stops; see harness/cluster/watermarks.ts for the high watermark itself); a partition
 * is finished once the consumer has moved past
 * `high - 1`. Progress comes from kafkajs' `consumer.end_batch_process` instrumentation event,
 * whose `lastOffset` also covers batches that never reach `eachBatch` because everything in them
 * was filtered out (transaction control records, aborted transactional records under
 * read_committed) — so a partition whose tail is a commit marker still finishes. Empty
 * partitions (high == low) are finished from the start.
 *
 * kafkajs has no `assign()`: the reader subscribes with a fresh, unique consumer group from the
 * beginning and does not commit offsets; the group is deleted afterwards (best effort).
 * Records are de-duplicated by offset (a rebalance could re-deliver) and those at or past the
 * `high` fetched at the start are ignored, so the result is one snapshot.
 *
 * Under read_committed (the kafkajs default, `readUncommitted: false`) a partition with an open
 * transaction cannot be read past its last stable offset and will miss the deadline; the error
 * says which partition stopped where.
 */
import { randomBytes } from 'node:crypto'
import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs'
import { WaitTimeoutError } from '../errors.js'
import { now } from './clock.js'
import { ID_HEADER, idFromValue } from './record.js'

export interface LogRecord {
  partition: number
  offset: number
  key: string | null
  /** The `id` header, else the id in a JSON value, else null (a record from another writer). */
  id: string | null
  /** Record timestamp (ms since the epoch). */
  timestamp: number
  headers: Record<string, string>
}

export interface PartitionBounds {
  partition: number
  /** Log start offset when the read began. */
  low: number
  /** High watermark when the read began: the offset after the last readable record. */
  high: number
}

export interface TopicLog {
  topic: string
  readAt: number
  isolation: 'read_committed' | 'read_uncommitted'
  /** Sorted by partition. */
  partitions: PartitionBounds[]
  /** Sorted by partition, then offset. */
  records: LogRecord[]
}

export interface ReadOptions {
  kafka: Kafka
  topic: string
  /** Give up after this long (default 60000 ms) with an error naming the unfinished partitions. */
  timeoutMs?: number
  /** Read aborted and open transactional records too (default false: read_committed). */
  readUncommitted?: boolean
  groupIdPrefix?: string
}

/** The read did not reach every partition's high watermark in time. */
export class ReaderTimeoutError extends WaitTimeoutError {
  override name = 'ReaderTimeoutError'
  constructor(
    readonly topic: string,
    readonly unfinished: readonly { partition: number; reached: number; high: number }[],
    timeoutMs: number,
  ) {
    super(
      `reading topic ${topic} up to its high watermarks`,
      timeoutMs,
      unfinished.map((u) => `p${u.partition} read up to offset ${u.reached} of high watermark ${u.high}`).join('; '),
    )
  }
}

/** Per-partition progress towards the high watermark, and the records accepted so far. */
export class PartitionProgress {
  /** Next offset each partition still has to get past. */
  private readonly reached = new Map<number, number>()
  /** Next offset a record must have to be accepted (de-duplication, ordering). */
  private readonly accepted = new Map<number, number>()
  private readonly records = new Map<number, LogRecord[]>()
  private readonly byPartition = new Map<number, PartitionBounds>()
  private unfinished: number

  constructor(readonly bounds: readonly PartitionBounds[]) {
    for (const b of bounds) {
      this.byPartition.set(b.partition, b)
      this.reached.set(b.partition, b.low)
      this.accepted.set(b.partition, b.low)
      this.records.set(b.partition, [])
    }
    this.unfinished = bounds.filter((b) => b.high > b.low).length
  }

  get done(): boolean {
    return this.unfinished === 0
  }

  /** Keeps a record if it is inside `[low, high)` and past every record kept for its partition. */
  accept(record: LogRecord): void {
    const bound = this.bound(record.partition)
    const next = this.accepted.get(record.partition)
    if (bound === undefined || next === undefined || record.offset < next || record.offset >= bound.high) return
    this.accepted.set(record.partition, record.offset + 1)
    this.records.get(record.partition)?.push(record)
  }

  /** The consumer has processed partition `partition` up to and including `lastOffset`. */
  advance(partition: number, lastOffset: number): void {
    const bound = this.bound(partition)
    const reached = this.reached.get(partition)
    if (bound === undefined || reached === undefined || lastOffset + 1 <= reached) return
    this.reached.set(partition, lastOffset + 1)
    if (reached < bound.high && lastOffset + 1 >= bound.high) this.unfinished--
  }

  pending(): { partition: number; reached: number; high: number }[] {
    return this.bounds
      .map((b) => ({ partition: b.partition, reached: this.reached.get(b.partition) ?? b.low, high: b.high }))
      .filter((p) => p.reached < p.high)
  }

  result(): LogRecord[] {
    return [...this.bounds].sort((a, b) => a.partition - b.partition).flatMap((b) => this.records.get(b.partition) ?? [])
  }

  private bound(partition: number): PartitionBounds | undefined {
    return this.byPartition.get(partition)
  }
}

function headerText(value: IHeaders[string]): string | undefined {
  const first = Array.isArray(value) ? value[0] : value
  return first === undefined ? undefined : first.toString()
}

/** A consumed message as a LogRecord. */
export function decodeMessage(partition: number, message: KafkaMessage): LogRecord {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value)
    if (text !== undefined) headers[name] = text
  }
  return {
    partition,
    offset: Number(message.offset),
    key: message.key === null ? null : message.key.toString('utf8'),
    id: headers[ID_HEADER] ?? idFromValue(message.value),
    timestamp: Number(message.timestamp),
    headers,
  }
}

/** Reads the whole topic as it stands; see the module comment. */
export async function readTopic(opts: ReadOptions): Promise<TopicLog> {
  const { kafka, topic } = opts
  const timeoutMs = opts.timeoutMs ?? 60_000
  const readUncommitted = opts.readUncommitted ?? false
  const admin = kafka.admin()
  await admin.connect()
  const groupId = `${opts.groupIdPrefix ?? 'durability-reader'}-${topic}-${randomBytes(6).toString('hex')}`
  try {
    const offsets = await admin.fetchTopicOffsets(topic)
    const bounds = offsets
      .map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }))
      .sort((a, b) => a.partition - b.partition)
    const progress = new PartitionProgress(bounds)
    if (!progress.done) await consume(kafka, topic, groupId, readUncommitted, progress, timeoutMs)
    return {
      topic,
      readAt: now(),
      isolation: readUncommitted ? 'read_uncommitted' : 'read_committed',
      partitions: bounds,
      records: progress.result(),
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined)
    await admin.disconnect()
  }
}

async function consume(
  kafka: Kafka,
  topic: string,
  groupId: string,
  readUncommitted: boolean,
  progress: PartitionProgress,
  timeoutMs: number,
): Promise<void> {
  const consumer = kafka.consumer({ groupId, readUncommitted, maxWaitTimeInMs: 250, allowAutoTopicCreation: false })
  let timer: NodeJS.Timeout | undefined
  try {
    const finished = new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => reject(new ReaderTimeoutError(topic, progress.pending(), timeoutMs)), timeoutMs)
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic !== topic) return
        progress.advance(payload.partition, Number(payload.lastOffset))
        if (progress.done) resolve()
      })
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        if (!payload.restart) reject(new Error(`reader consumer crashed: ${payload.error.message}`, { cause: payload.error }))
      })
    })
    const started = (async () => {
      await consumer.connect()
      await consumer.subscribe({ topics: [topic], fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) progress.accept(decodeMessage(batch.partition, message))
        },
      })
    })()
    // Whichever fails first decides; the other must not become an unhandled rejection.
    started.catch(() => undefined)
    finished.catch(() => undefined)
    await Promise.race([started.then(() => finished), finished])
  } finally {
    clearTimeout(timer)
    await consumer.disconnect()
  }
}
