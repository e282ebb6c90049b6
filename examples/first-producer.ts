/**
 * The lecture's "First producer", in TypeScript with kafkajs: creates the orders topic if it is
 * missing (3 partitions, RF=3), writes 10 OrderPlaced records with keys order-0 … order-9 one at a
 * time (acks=all, idempotent producer), prints where each landed, then the log's end offsets.
 *
 *   npx tsx examples/first-producer.ts [--bootstrap host:port,...] [--topic name]
 *
 * Bootstrap: --bootstrap, else KAFKA_BOOTSTRAP, else localhost:19092,localhost:19093,localhost:19094.
 * Run it twice and TOTAL goes 10 → 20: every key lands in the same partition again, at offsets
 * after the first run's records.
 *
 * BROKER-TS is the record's timestamp as the log keeps it. Under message.timestamp.type=CreateTime
 * (Kafka's default) that is the time the producer stamped on the record, which this program sets
 * explicitly; under LogAppendTime the ack carries the broker's time and that is printed instead.
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import kafkajs, { type Kafka } from 'kafkajs'
import { clockTime, formatTable } from './table.js'

const { Kafka: KafkaClient, Partitioners, logLevel } = kafkajs

export const DEFAULT_TOPIC = 'brew.orders.v1'
export const DEFAULT_BOOTSTRAP = ['localhost:19092', 'localhost:19093', 'localhost:19094']

export interface FirstProducerOptions {
  /** A client to use; otherwise one is built from `bootstrap`. */
  kafka?: Kafka
  bootstrap?: readonly string[]
  /** Default brew.orders.v1. */
  topic?: string
  /** Records to write (default 10, as in the lecture). */
  messages?: number
  /** Where the lecture's output goes (default stdout). */
  out?: { write(text: string): unknown }
}

export interface ProducedRow {
  n: number
  key: string
  value: string
  /** As acknowledged by the broker. */
  partition: number
  offset: number
  /** The record's timestamp in the log (ms since the epoch). */
  timestamp: number
}

export interface EndOffset {
  partition: number
  /** The partition's end offset (high watermark): the offset the next record will get. */
  offset: number
}

export interface FirstProducerResult {
  topic: string
  /** Whether this run created the topic. */
  created: boolean
  rows: ProducedRow[]
  endOffsets: EndOffset[]
  total: number
}

export async function runFirstProducer(opts: FirstProducerOptions = {}): Promise<FirstProducerResult> {
  const topic = opts.topic ?? DEFAULT_TOPIC
  const messages = opts.messages ?? 10
  const out = opts.out ?? process.stdout
  const kafka =
    opts.kafka ??
    new KafkaClient({ clientId: 'order-service', brokers: [...(opts.bootstrap ?? DEFAULT_BOOTSTRAP)], logLevel: logLevel.WARN })

  const admin = kafka.admin()
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    // kafkajs 2.x's default, named so it does not warn: murmur2 on the key, as the Java client.
    createPartitioner: Partitioners.DefaultPartitioner,
  })
  await admin.connect()
  try {
    // Idempotent: false means the topic was already there, and the program moves on silently.
    const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }] })
    if (created) out.write(`topic "${topic}" created: partitions=3 rf=3\n`)
    out.write(`writing ${messages} OrderPlaced to topic "${topic}", one send at a time (acks=all, idempotent)\n`)

    await producer.connect()
    const rows: ProducedRow[] = []
    try {
      for (let n = 0; n < messages; n++) {
        const key = `order-${n}`
        const value = `OrderPlaced order_id=${key}`
        const stamped = Date.now()
        const [ack] = await producer.send({ topic, acks: -1, messages: [{ key, value, timestamp: String(stamped) }] })
        if (ack === undefined || ack.baseOffset === undefined) throw new Error(`produce ${n}: the broker's answer carries no offset`)
        const logAppendTime = Number(ack.logAppendTime ?? -1)
        rows.push({ n, key, value, partition: ack.partition, offset: Number(ack.baseOffset), timestamp: logAppendTime >= 0 ? logAppendTime : stamped })
      }
    } finally {
      await producer.disconnect()
    }
    out.write(formatTable(['N', 'KEY', 'VALUE', 'PARTITION', 'OFFSET', 'BROKER-TS'], rows.map((r) => [r.n, r.key, r.value, r.partition, r.offset, clockTime(r.timestamp)])))

    out.write('done. The same picture from the log side:\n')
    const endOffsets = (await admin.fetchTopicOffsets(topic))
      .map((p) => ({ partition: p.partition, offset: Number(p.high) }))
      .sort((a, b) => a.partition - b.partition)
    const total = endOffsets.reduce((sum, p) => sum + p.offset, 0)
    out.write(formatTable(['PARTITION', 'LATEST'], [...endOffsets.map((p) => [p.partition, p.offset]), ['TOTAL', total]]))
    return { topic, created, rows, endOffsets, total }
  } finally {
    await admin.disconnect()
  }
}

/** --bootstrap / --topic, then KAFKA_BOOTSTRAP, then the lecture's defaults. */
export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): { bootstrap: string[]; topic: string } {
  const flag = (name: string): string | undefined => {
    const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`))
    if (i < 0) return undefined
    const arg = argv[i] as string
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[i + 1]
    if (value === undefined || value === '') throw new Error(`--${name} needs a value`)
    return value
  }
  const list = flag('bootstrap') ?? env.KAFKA_BOOTSTRAP
  const bootstrap = list === undefined ? [...DEFAULT_BOOTSTRAP] : list.split(',').map((a) => a.trim()).filter((a) => a !== '')
  if (bootstrap.length === 0) throw new Error('no bootstrap address given')
  return { bootstrap, topic: flag('topic') ?? DEFAULT_TOPIC }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href
if (invokedDirectly) {
  try {
    await runFirstProducer(parseArgs(process.argv.slice(2)))
  } catch (e) {
    console.error(`first-producer: ${e instanceof Error ? e.message : String(e)}`)
    process.exitCode = 1
  }
}
