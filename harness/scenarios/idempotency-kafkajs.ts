/**
 * kafkajs's own behaviour around idempotence, pinned, so an upgrade that changes it is noticed.
 *
 * 1. A send queued behind a lost answer. The idempotent producer serialises produce requests per
 *    broker (eosManager.acquireBrokerLock) and assigns sequence numbers when a request is built.
 *    When a request fails on the client side (here: its connection closes after the leader wrote
 *    it), kafkajs gives its sequence numbers back (sendMessages.js, updateSequence(-n)) and
 *    releases the lock; the call queued behind it is built next and takes those same numbers,
 *    before the failed call's retry. The leader already holds a batch with them:
 *    - the queued batch has a different record count: OUT_OF_ORDER_SEQUENCE_NUMBER. kafkajs treats
 *      it as not retriable and fails that call at once. The producer recovers by itself: the
 *      sequence was given back again, the first call's retry is the exact batch the leader holds
 *      (answered from it, nothing written), and later sends go on in sequence.
 *    - the same record count: the leader takes it for a retry of the batch it holds and answers
 *      with that batch's offsets. The queued call is acknowledged but never written, and the first
 *      call's retry, now one sequence number further, is written again: lost acknowledgements and
 *      duplicates from the idempotent producer.
 * 2. The retry count of an idempotent producer given no retry option: src/producer/index.js means
 *    to default it to Number.MAX_SAFE_INTEGER (`retry || { retries: idempotent ? MAX_SAFE_INTEGER
 *    : 5 }`), but src/index.js always passes an object (`{ ...clusterRetry, ...retry }`), so the
 *    branch never runs and the retrier's defaults apply: 5 retries, or 15 when NODE_ENV=test
 *    (src/retry/index.js picks defaults.test.js), which is how vitest runs.
 * 3. After UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER, what kafkajs does next, probed on
 *    its own code (sendMessages + eosManager) with a stand-in broker, since Kafka 4.4 does not
 *    answer a produce request with UNKNOWN_PRODUCER_ID any more (ProducerAppendInfo accepts any
 *    sequence from a producer it has no state for).
 */
import { createRequire } from 'node:module'
import { cutLine, withFault, type FaultWindow } from '../faults/index.js'
import type { LedgerEntry } from '../workload/index.js'
import { IDEMPOTENT, leaderOf, loseTheAnswer, precondition, type IdempotencyLab, type Settled } from './idempotency.js'

export interface QueuedBehind extends Settled {
  /** The call whose answer was lost (one record). */
  first: LedgerEntry[]
  /** The call queued behind it. */
  queued: LedgerEntry[]
  /** A send after both settled. */
  after: LedgerEntry[]
}

/**
 * Idempotent producer, 1-partition topic. Call 1 (one record) is written by the leader but its
 * answer is dropped on the line; call 2 (`queuedRecords` records) is handed to send() and waits
 * behind it; the line heals (the held connection closes). Then call 3 (one record).
 */
export async function queuedBehindLostAnswer(lab: IdempotencyLab, queuedRecords: number): Promise<QueuedBehind> {
  const producer = await lab.warmProducer('queued-behind', IDEMPOTENT)
  const { topic, session } = producer
  const faults: FaultWindow[] = []
  const calls = await loseTheAnswer(lab, producer, [{ key: 'order-1' }], faults, () =>
    session.send(Array.from({ length: queuedRecords }, () => ({ key: 'order-2' })), { batchSize: queuedRecords }),
  )
  const first = await calls.call
  const queued = await calls.meanwhile
  const after = await session.send([{ key: 'order-3' }])
  const ledger = await session.close()
  const settled = await lab.settle({
    scenario: 'kafkajs: a send queued behind a lost answer',
    variant: `idempotent, queued call of ${queuedRecords} record${queuedRecords > 1 ? 's' : ''} (first call: 1)`,
    topic,
    ledger,
    faults,
    notes: { queuedError: queued[0]?.error?.type ?? queued[0]?.error?.cause?.type ?? 'none', afterSend: after[0]?.outcome ?? 'none' },
  })
  return { ...settled, first, queued, after }
}

export interface RetryCount extends Settled {
  entry: LedgerEntry
}

/**
 * kafka.producer({ idempotent: true }) with no retry option, sending to a leader its line refuses
 * (every attempt: ECONNREFUSED, nothing reaches the broker). The call fails after kafkajs's
 * retries; the ledger entry carries how many.
 */
export async function retriesWhenNoneGiven(lab: IdempotencyLab): Promise<RetryCount> {
  const c = lab.cluster
  const { topic, line, session } = await lab.warmProducer('retry-count', IDEMPOTENT)
  const faults: FaultWindow[] = []
  const [entry] = await withFault(c, cutLine(line, leaderOf(topic)), () => session.send([{ key: 'order-1' }]), faults)
  precondition(entry !== undefined, 'the send was attempted')
  const ledger = await session.close()
  const settled = await lab.settle({
    scenario: 'kafkajs: retries when none are configured',
    variant: 'idempotent, no retry option',
    topic,
    ledger,
    faults,
    notes: { retries: entry.error?.retries ?? -1, nodeEnv: process.env.NODE_ENV ?? '' },
  })
  return { ...settled, entry }
}

/** What kafkajs did after a produce request was answered with `errorType`. */
export interface ProbeResult {
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
export async function probeAfterProduceError(errorType: 'UNKNOWN_PRODUCER_ID' | 'OUT_OF_ORDER_SEQUENCE_NUMBER'): Promise<ProbeResult> {
  const createSendMessages = requireKafkajs('kafkajs/src/producer/sendMessages.js') as Fn
  const createEosManager = requireKafkajs('kafkajs/src/producer/eosManager/index.js') as Fn
  const createRetry = requireKafkajs('kafkajs/src/retry/index.js') as Fn
  const { errorCodes, createErrorFromCode } = requireKafkajs('kafkajs/src/protocol/error.js') as {
    errorCodes: { type: string; code: number }[]
    createErrorFromCode: (code: number) => Error
  }
  const code = errorCodes.find((e) => e.type === errorType)?.code
  if (code === undefined) throw new Error(`kafkajs knows no error ${errorType}`)

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
