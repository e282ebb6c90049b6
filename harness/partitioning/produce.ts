/**
 * A bare producer for the partitioning tests: keys of any shape (string, Buffer, none), many
 * records per send call, and the broker's answer to each call kept. The workload's session
 * (harness/workload) only takes string keys, so binary and null keys go through here.
 */
import { adapterFor, clientEndpoint, type ClientName, type ProducerProfile } from '../clients/index.js'
import type { Cluster } from '../cluster/index.js'
import { HarnessError } from '../errors.js'
import type { TopicLog } from '../workload/index.js'

/** A record to send: its id (value and `id` header) and its key; no key (undefined/null) means keyless. */
export interface RawRecord {
  id: string
  key?: string | Buffer | null
}

/** A partition's answer to a send call: where its records of the call start. */
export interface PartitionAck {
  partition: number
  baseOffset: number | null
}

/** One send call: the records in it and the broker's answer (one entry per partition written, in the order the records were). */
export interface SentCall {
  records: readonly RawRecord[]
  acks: PartitionAck[]
}

export interface ProduceOptions {
  /** Records per send call (default 1). */
  batchSize?: number
  /** Sizes of the successive send calls instead (must add up to the number of records). */
  callSizes?: readonly number[]
  /** -1 (all) or 1 (leader); default 1. */
  acks?: -1 | 1
  producer?: Omit<ProducerProfile, 'acks'>
  /** The client library (default kafkajs). */
  client?: ClientName
}

/**
 * Sends `records` in order, `batchSize` (or `callSizes`) per send call, one call at a time, with
 * the client's default partitioner (kafkajs: its DefaultPartitioner, named, so it does not warn).
 * Throws if a call fails: these tests run without faults, a failed send is a broken test.
 */
export async function produceRaw(cluster: Cluster, topic: string, records: readonly RawRecord[], opts: ProduceOptions = {}): Promise<SentCall[]> {
  const sizes = opts.callSizes ?? Array.from({ length: Math.ceil(records.length / (opts.batchSize ?? 1)) }, () => opts.batchSize ?? 1)
  if (sizes.reduce((a, b) => a + b, 0) < records.length) throw new HarnessError(`produceRaw: callSizes add up to less than the ${records.length} records; give sizes that cover them all`)
  const producer = adapterFor(opts.client).create({ topic, profile: { ...opts.producer, acks: opts.acks ?? 1 }, endpoint: clientEndpoint(cluster), onEvent: () => {} })
  await producer.connect()
  const calls: SentCall[] = []
  try {
    let next = 0
    for (const size of sizes) {
      const batch = records.slice(next, (next += size))
      if (batch.length === 0) break
      const entries = await producer.send(batch.map((r, i) => ({ id: r.id, key: r.key ?? null, seq: 0, n: next - size + i, value: r.id })))
      const failed = entries.find((e) => e.error !== undefined)
      if (failed) throw new Error(`send call of ${batch.length} records to ${topic} failed: ${failed.reason} (${failed.error?.name}: ${failed.error?.message})`)
      const acks = new Map<number, PartitionAck>()
      for (const e of entries) if (e.outcome === 'ok' && e.partition !== null && !acks.has(e.partition)) acks.set(e.partition, { partition: e.partition, baseOffset: e.offset })
      calls.push({ records: batch, acks: [...acks.values()] })
    }
  } finally {
    await producer.close()
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
