/**
 * A bare producer for the partitioning tests: keys of any shape (string, Buffer, none), many
 * records per send call, and the broker's answer to each call kept. The workload's session
 * (harness/workload) only takes string keys, so binary and null keys go through here.
 */
import kafkajs from 'kafkajs'
import type { Kafka, ProducerConfig, RecordMetadata } from 'kafkajs'
import { HarnessError } from '../errors.js'
import type { TopicLog } from '../workload/index.js'

const { Partitioners } = kafkajs

/** A record to send: its id (value and `id` header) and its key; no key (undefined/null) means keyless. */
export interface RawRecord {
  id: string
  key?: string | Buffer | null
}

/** One send call: the records in it and the broker's answer (one entry per partition written). */
export interface SentCall {
  records: readonly RawRecord[]
  acks: RecordMetadata[]
}

export interface ProduceOptions {
  /** Records per send call (default 1). */
  batchSize?: number
  /** Sizes of the successive send calls instead (must add up to the number of records). */
  callSizes?: readonly number[]
  /** -1 (all) or 1 (leader); default 1. */
  acks?: -1 | 1
  producer?: ProducerConfig
}

/**
 * Sends `records` in order, `batchSize` (or `callSizes`) per `producer.send()` call, one call at a time, with
 * kafkajs's DefaultPartitioner (named, so it does not warn). Throws if a call fails: these tests
 * run without faults, a failed send is a broken test.
 */
export async function produceRaw(kafka: Kafka, topic: string, records: readonly RawRecord[], opts: ProduceOptions = {}): Promise<SentCall[]> {
  const sizes = opts.callSizes ?? Array.from({ length: Math.ceil(records.length / (opts.batchSize ?? 1)) }, () => opts.batchSize ?? 1)
  if (sizes.reduce((a, b) => a + b, 0) < records.length) throw new HarnessError(`produceRaw: callSizes add up to less than the ${records.length} records; give sizes that cover them all`)
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...opts.producer })
  await producer.connect()
  const calls: SentCall[] = []
  try {
    let next = 0
    for (const size of sizes) {
      const batch = records.slice(next, (next += size))
      if (batch.length === 0) break
      const acks = await producer.send({
        topic,
        acks: opts.acks ?? 1,
        messages: batch.map((r) => ({ key: r.key ?? null, value: r.id, headers: { id: r.id } })),
      })
      calls.push({ records: batch, acks })
    }
  } finally {
    await producer.disconnect()
  }
  return calls
}

/** Where each id sits in the log: every (partition, offset) holding it, in log order. */
export function positionsById(log: TopicLog): Map<string, { partition: number; offset: number; key: string | null }[]> {
  const at = new Map<string, { partition: number; offset: number; key: string | null }[]>()
  for (const r of log.records) {
    if (r.id === null) continue
    const list = at.get(r.id) ?? []
    list.push({ partition: r.partition, offset: r.offset, key: r.key })
    at.set(r.id, list)
  }
  return at
}
