/**
 * High watermarks, read_uncommitted. kafkajs's admin `fetchTopicOffsets` sends ListOffsets at
 * read_committed (its client has no isolation level, and the request's default is
 * READ_COMMITTED), so it returns each partition's last stable offset: the same as the high
 * watermark until a transaction is open, then stuck at that transaction's first record. A
 * scenario that must see what a transactional producer's leader has written (its records whose
 * answer is held back) needs the high watermark itself: this asks each leader with
 * READ_UNCOMMITTED, through a kafkajs cluster client built for that (kafkajs exposes no other way).
 */
import { createRequire } from 'node:module'
import type { Cluster } from './cluster.js'

const requireKafkajs = createRequire(import.meta.url)

interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadata(): Promise<void>
  fetchTopicsOffset(topics: { topic: string; partitions: { partition: number }[]; fromBeginning: boolean }[]): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>
}

const READ_UNCOMMITTED = 0

export class HighWatermarks {
  private constructor(
    private readonly cluster: Cluster,
    private readonly client: KafkajsCluster,
  ) {}

  static async open(cluster: Cluster): Promise<HighWatermarks> {
    const KafkajsClusterClass = requireKafkajs('kafkajs/src/cluster') as new (opts: object) => KafkajsCluster
    const { createLogger, LEVELS } = requireKafkajs('kafkajs/src/loggers') as { createLogger(o: object): unknown; LEVELS: { NOTHING: number } }
    const socketFactory = (requireKafkajs('kafkajs/src/network/socketFactory') as () => unknown)()
    const client = new KafkajsClusterClass({
      brokers: cluster.bootstrap,
      clientId: 'harness-high-watermarks',
      connectionTimeout: 3_000,
      requestTimeout: 3_000,
      enforceRequestTimeout: true,
      metadataMaxAge: 300_000,
      allowAutoTopicCreation: false,
      maxInFlightRequests: null,
      isolationLevel: READ_UNCOMMITTED,
      retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 },
      logger: createLogger({ level: LEVELS.NOTHING, logCreator: () => () => {} }),
      socketFactory,
      offsets: new Map(),
      instrumentationEmitter: null,
    })
    await client.connect()
    return new HighWatermarks(cluster, client)
  }

  /** The sum of `topic`'s high watermarks, each asked of its partition's leader. */
  async sum(topic: string): Promise<number> {
    const partitions = (await this.cluster.partitions(topic)).map((p) => ({ partition: p.partition }))
    await this.client.addTargetTopic(topic)
    try {
      const [result] = await this.client.fetchTopicsOffset([{ topic, partitions, fromBeginning: false }])
      return (result?.partitions ?? []).reduce((s, p) => s + Number(p.offset), 0)
    } catch (e) {
      await this.client.refreshMetadata().catch(() => {}) // a leader moved: ask the new one next time
      throw e
    }
  }

  async close(): Promise<void> {
    await this.client.disconnect()
  }
}
