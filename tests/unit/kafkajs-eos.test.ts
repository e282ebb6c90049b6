import { createRequire } from 'node:module'
import { describe, expect, test } from 'vitest'

/**
 * kafkajs, pinned without a cluster: after UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER,
 * what it does next, probed on its own code (sendMessages + eosManager) with a stand-in broker,
 * since Kafka 4.4 does not answer a produce request with UNKNOWN_PRODUCER_ID any more
 * (ProducerAppendInfo accepts any sequence from a producer it has no state for).
 */
describe('kafkajs after a produce error of the idempotent producer', () => {
  test.each(['UNKNOWN_PRODUCER_ID', 'OUT_OF_ORDER_SEQUENCE_NUMBER'] as const)(
    'kafkajs: after %s it fails the send at once, keeps its producer id and sends the same sequence number again; it never asks for a new producer id',
    async (errorType) => {
      const probe = await probeAfterProduceError(errorType)
      expect(probe.failing).toEqual({ outcome: 'error', name: 'KafkaJSProtocolError', type: errorType })
      expect(probe.next).toEqual(probe.failing)
      expect(probe.initProducerIdCalls).toBe(1)
      expect(probe.produced).toEqual([
        { producerId: 1001, producerEpoch: 0, firstSequence: 0 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 1 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 2 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 2 },
      ])
    },
  )
})

/** What kafkajs did after a produce request was answered with `errorType`. */
interface ProbeResult {
  /** InitProducerId requests made (1: the producer's start). */
  initProducerIdCalls: number
  /** Every produce request, in order. */
  produced: { producerId: number; producerEpoch: number; firstSequence: number }[]
  /** What the send that met the error, and the send after it, resolved or rejected with. */
  failing: { outcome: 'ok' | 'error'; name?: string; type?: string }
  next: { outcome: 'ok' | 'error'; name?: string; type?: string }
}

type Fn = (...args: never[]) => unknown
const requireKafkajs = createRequire(import.meta.url)

/**
 * Drives kafkajs's own sendMessages and eosManager (node_modules/kafkajs/src/producer) against a
 * stand-in cluster of one broker: two sends are accepted, then the broker answers every produce
 * request with `errorType` (as a broker that has lost or refuses this producer's state would).
 */
async function probeAfterProduceError(errorType: 'UNKNOWN_PRODUCER_ID' | 'OUT_OF_ORDER_SEQUENCE_NUMBER'): Promise<ProbeResult> {
  const createSendMessages = requireKafkajs('kafkajs/src/producer/sendMessages.js') as Fn
  const createEosManager = requireKafkajs('kafkajs/src/producer/eosManager/index.js') as Fn
  const createRetry = requireKafkajs('kafkajs/src/retry/index.js') as Fn
  const { errorCodes, createErrorFromCode } = requireKafkajs('kafkajs/src/protocol/error.js') as {
    errorCodes: { type: string; code: number }[]
    createErrorFromCode: (code: number) => Error
  }
  const code = errorCodes.find((e) => e.type === errorType)?.code
  if (code === undefined) throw new Error(`internal: this kafkajs knows no error ${errorType}; its protocol/error.js changed`)

  let initProducerIdCalls = 0
  let refuse = false
  const produced: ProbeResult['produced'] = []
  type TopicData = { topic: string; partitions: { partition: number; firstSequence: number }[] }[]
  const broker = {
    nodeId: 1,
    async initProducerId() {
      initProducerIdCalls++
      return { producerId: 1000 + initProducerIdCalls, producerEpoch: 0 }
    },
    async produce({ producerId, producerEpoch, topicData }: { producerId: number; producerEpoch: number; topicData: TopicData }) {
      const [t] = topicData
      const [p] = t?.partitions ?? []
      produced.push({ producerId, producerEpoch, firstSequence: p?.firstSequence ?? -1 })
      if (refuse) throw createErrorFromCode(code)
      return { topics: [{ topicName: t?.topic, partitions: [{ partition: p?.partition, errorCode: 0, baseOffset: String(produced.length - 1) }] }] }
    },
  }
  const retry = { retries: 5, initialRetryTime: 1, maxRetryTime: 2 }
  const cluster = {
    retry,
    async refreshMetadataIfNecessary() {},
    async refreshMetadata() {},
    async addMultipleTargetTopics() {},
    isConnected: () => true,
    findTopicPartitionMetadata: () => [{ partitionId: 0, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }],
    findLeaderForPartitions: (_topic: string, partitions: string[]) => ({ 1: partitions.map(Number) }),
    async findBroker() {
      return broker
    },
    async findControllerBroker() {
      return broker
    },
  }
  const quiet = { info() {}, warn() {}, error() {}, debug() {}, namespace: () => quiet }
  const eosManager = createEosManager({ logger: quiet, cluster, transactional: false } as never) as { initProducerId(): Promise<void> }
  await eosManager.initProducerId()
  const sendMessages = createSendMessages({ logger: quiet, cluster, partitioner: () => 0, eosManager, retrier: createRetry(retry as never) } as never) as (
    a: unknown,
  ) => Promise<unknown>
  const send = (): Promise<ProbeResult['failing']> =>
    sendMessages({ acks: -1, topicMessages: [{ topic: 'payments', messages: [{ key: 'order-42', value: 'PaymentReceived p-42' }] }] }).then(
      () => ({ outcome: 'ok' as const }),
      (e: { name?: string; type?: string }) => ({ outcome: 'error' as const, ...(e.name ? { name: e.name } : {}), ...(e.type ? { type: e.type } : {}) }),
    )
  await send()
  await send()
  refuse = true
  const failing = await send()
  const next = await send()
  return { initProducerIdCalls, produced, failing, next }
}
