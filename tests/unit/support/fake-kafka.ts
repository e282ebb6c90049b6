/**
 * A stand-in for a kafkajs `Kafka` whose producers append to an in-memory log, so the workload's
 * bookkeeping (partitions, offsets, outcomes, events) through the kafkajs adapter can be checked
 * against what was really "written", without a cluster. It follows kafkajs where the adapter
 * depends on it: the configured partitioner is called for every message on every attempt, a
 * partition's messages of one call get contiguous offsets in call order, `send()` resolves with
 * one RecordMetadata per partition (none for acks=0), and instrumentation listeners get CONNECT
 * events.
 */
import type { Kafka, Message, PartitionMetadata, ProducerConfig, RecordMetadata } from 'kafkajs'
import type { ClientAdapter, ClientEndpoint } from '../../../harness/clients/index.js'
import { kafkajsAdapter } from '../../../harness/clients/kafkajs/index.js'
import type { LogRecord, TopicLog } from '../../../harness/workload/index.js'

export type Behaviour =
  | { kind: 'ack' }
  /** kafkajs retried once (the partitioner runs twice), then acked. */
  | { kind: 'retry-then-ack' }
  /** `send()` rejects with `error`; the records are appended first if `written`. */
  | { kind: 'throw'; error: unknown; written: boolean }
  /** `send()` never settles. */
  | { kind: 'hang' }

type Listener = (event: { id: string; type: string; timestamp: number; payload: unknown }) => void

export class FakeCluster {
  readonly records: LogRecord[] = []
  readonly values: string[] = []
  private readonly ends: number[]
  metadata: PartitionMetadata[]
  calls = 0
  connectFailures = 0
  script: (call: number, messages: readonly Message[]) => Behaviour = () => ({ kind: 'ack' })

  constructor(readonly partitions = 3) {
    this.ends = Array.from({ length: partitions }, () => 0)
    this.metadata = Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0, partitionId, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3],
    }))
  }

  kafka(): Kafka {
    return {
      producer: (config: ProducerConfig = {}) => new FakeProducer(this, config),
      // The adapter reads the producer id through the client's private createCluster (kafkajs 2.2.4); the fake's producers never call it.
      [Symbol('private:Kafka:createCluster')]: () => {
        throw new Error('the fake builds no kafkajs cluster')
      },
    } as unknown as Kafka
  }

  /** The session options of a kafkajs producer on this stand-in: the kafkajs adapter over it, and an endpoint it ignores. */
  client(): { client: ClientAdapter; endpoint: ClientEndpoint } {
    return { client: kafkajsAdapter(() => this.kafka()), endpoint: { clientId: 'fake', brokers: [], connectionTimeoutMs: 1, requestTimeoutMs: 1 } }
  }

  /** New metadata (a new array, as a kafkajs metadata refresh makes) with `leader` for `partition`. */
  moveLeader(partition: number, leader: number, isr: number[]): void {
    this.metadata = this.metadata.map((m) => (m.partitionId === partition ? { ...m, leader, isr } : m))
  }

  append(topic: string, partition: number, messages: readonly Message[]): number {
    const base = this.ends[partition]!
    messages.forEach((m, i) => {
      const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, String(v)]))
      this.records.push({ partition, offset: base + i, key: String(m.key), id: headers.id ?? null, timestamp: 0, headers })
      this.values.push(String(m.value))
    })
    this.ends[partition] = base + messages.length
    return base
  }

  topicLog(topic: string): TopicLog {
    return {
      topic,
      readAt: 0,
      isolation: 'read_committed',
      partitions: this.ends.map((high, partition) => ({ partition, low: 0, high })),
      records: [...this.records].sort((a, b) => a.partition - b.partition || a.offset - b.offset),
    }
  }
}

class FakeProducer {
  readonly events = {
    CONNECT: 'producer.connect',
    DISCONNECT: 'producer.disconnect',
    REQUEST: 'producer.network.request',
    REQUEST_TIMEOUT: 'producer.network.request_timeout',
    REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
  }
  private readonly listeners = new Map<string, Listener[]>()
  private readonly partitioner: ReturnType<NonNullable<ProducerConfig['createPartitioner']>>

  constructor(
    private readonly cluster: FakeCluster,
    config: ProducerConfig,
  ) {
    if (config.createPartitioner === undefined) throw new Error('the workload always passes a partitioner')
    this.partitioner = config.createPartitioner()
  }

  on(name: string, listener: Listener): () => void {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), listener])
    return () => this.listeners.set(name, (this.listeners.get(name) ?? []).filter((l) => l !== listener))
  }

  private emit(name: string, payload: unknown): void {
    for (const l of this.listeners.get(name) ?? []) l({ id: '0', type: name, timestamp: Date.now(), payload })
  }

  async connect(): Promise<void> {
    await nextTurn()
    if (this.cluster.connectFailures > 0) {
      this.cluster.connectFailures--
      throw Object.assign(new Error('Connection error: connect ECONNREFUSED'), { name: 'KafkaJSConnectionError', code: 'ECONNREFUSED' })
    }
    this.emit(this.events.CONNECT, null)
  }

  async disconnect(): Promise<void> {
    this.emit(this.events.DISCONNECT, null)
  }

  async send({ topic, messages, acks = -1 }: { topic: string; messages: Message[]; acks?: number }): Promise<RecordMetadata[]> {
    const behaviour = this.cluster.script(this.cluster.calls++, messages)
    const groups = new Map<number, Message[]>()
    for (let attempt = behaviour.kind === 'retry-then-ack' ? 2 : 1; attempt > 0; attempt--) {
      groups.clear()
      for (const message of messages) {
        const p = this.partitioner({ topic, partitionMetadata: this.cluster.metadata, message })
        groups.set(p, [...(groups.get(p) ?? []), message])
      }
    }
    await nextTurn()
    if (behaviour.kind === 'hang') return new Promise(() => {})
    if (behaviour.kind === 'throw' && !behaviour.written) throw behaviour.error
    const metadata = [...groups].map(([partition, ms]) => ({
      topicName: topic, partition, errorCode: 0, baseOffset: String(this.cluster.append(topic, partition, ms)),
    }))
    if (behaviour.kind === 'throw') throw behaviour.error
    return acks === 0 ? [] : metadata
  }
}

/** Yields to the event loop, as network I/O would. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
