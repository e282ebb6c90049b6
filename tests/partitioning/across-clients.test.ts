/**
 * Partitioning through every client. Each client's own rule for a keyed record, read from its
 * source: kafkajs's DefaultPartitioner, Java's BuiltInPartitioner, franz-go's default
 * UniformBytesPartitioner (keys hashed by murmur2 as Kafka does) and confluent's murmur2_random
 * (the package's KafkaJS API default, which the adapter keeps) all place a key at
 * toPositive(murmur2(key)) % n. @platformatic/kafka's defaultPartitioner returns murmur2(key) >>> 0:
 * the unsigned hash, not the sign bit cleared, so a key whose hash is negative lands elsewhere,
 * except on a power-of-two partition count. Its compatibilityPartitioner ('murmur2') is Java's.
 */
import { describe, expect, test } from 'vitest'
import { CLIENT_NAMES, clientEndpoint, type ClientName, type Partitioner } from '../../harness/clients/index.js'
import { freshName, PRODUCER, readBack } from '../../harness/engines/index.js'
import { murmur2, partitionForKey } from '../../harness/partitioning/murmur2.js'
import { mergeLedgers, sendRecords, type Ledger, type RecordSpec } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { installedClient, skipNote } from '../clients/prove-adapter.js'

const PARTITIONS = 3
const ORDERS = Array.from({ length: 10 }, (_, i) => `order-${i}`)
/** The lecture's table: where the Java client puts order-0..9 on 3 partitions. */
const LECTURE = [1, 1, 0, 0, 2, 2, 0, 1, 2, 1]

const unsignedMurmur2 = (key: string, n: number) => (murmur2(Buffer.from(key)) >>> 0) % n
/** Where a client puts a key, by its partitioner: every client's rule is Java's but @platformatic/kafka's default. */
const ruleOf = (client: ClientName, partitioner: Partitioner) => (client === 'platformatic' && partitioner === 'default' ? unsignedMurmur2 : partitionForKey)


async function produce(client: ClientName, topic: string, records: readonly RecordSpec[], partitioner: Partitioner, recordsPerCall = 1): Promise<Ledger> {
  const endpoint = clientEndpoint(cluster(), { clientId: `${client}-partitioning` })
  const producer = { ...PRODUCER, acks: -1 as const, idempotent: true, partitioner, recordsPerCall }
  return sendRecords({ endpoint, topic, client, producer, records, idPrefix: `${topic}-${client}`, batchSize: recordsPerCall, concurrency: 1 })
}

async function topicOf(name: string, partitions = PARTITIONS): Promise<string> {
  const topic = freshName(name)
  await cluster().createTopic(topic, { partitions })
  return topic
}

describe("the lecture's ten orders through every client", () => {
  test("the reference rules: Java's puts order-0..9 where the lecture's table has them; the unsigned hash moves some on 3 partitions and none on a power of two", () => {
    expect(ORDERS.map((k) => partitionForKey(k, PARTITIONS))).toEqual(LECTURE)
    const moved = ORDERS.filter((k) => unsignedMurmur2(k, PARTITIONS) !== partitionForKey(k, PARTITIONS))
    console.log(`@platformatic/kafka's default partitioner on 3 partitions moves ${moved.length} of 10 orders: ${moved.join(' ')}`)
    expect(moved.length).toBeGreaterThan(0)
    for (const n of [1, 2, 4, 8, 16]) expect(ORDERS.filter((k) => unsignedMurmur2(k, n) !== partitionForKey(k, n))).toEqual([])
  })

  for (const client of CLIENT_NAMES) {
    for (const partitioner of ['default', 'murmur2'] as const) {
      test.skipIf(!installedClient(client))(`${client}, ${partitioner} partitioner: each order acknowledged and read back in the partition its rule gives${skipNote(client)}`, async () => {
        const topic = await topicOf(`orders-${client}-${partitioner}`)
        const ledger = await produce(client, topic, ORDERS.map((key) => ({ key })), partitioner)
        const { log } = await readBack(cluster(), ledger)
        const want = ORDERS.map((k) => ruleOf(client, partitioner)(k, PARTITIONS))
        console.log(`${client.padEnd(12)} ${partitioner.padEnd(8)} ${ORDERS.map((k, i) => `${k}→${ledger.entries[i]?.partition}`).join(' ')}`)
        expect(ledger.entries.map((e) => e.partition)).toEqual(want)
        expect(ORDERS.map((_, i) => log.records.find((r) => r.id === ledger.entries[i]?.id)?.partition)).toEqual(want)
      })
    }
  }
})

describe('two services writing the same keys with different clients', () => {
  const KEYS = Array.from({ length: 200 }, (_, i) => `customer-${i}`)
  const both = installedClient('java') && installedClient('platformatic')

  test.skipIf(!both)(`java and @platformatic/kafka, each with its default partitioner: every key whose hash is negative is split over two partitions, the reconciler counts them${skipNote('platformatic')}`, async () => {
    const topic = await topicOf('two-services-default')
    const ledger = mergeLedgers([await produce('java', topic, KEYS.map((key) => ({ key })), 'default', 20), await produce('platformatic', topic, KEYS.map((key) => ({ key })), 'default', 20)])
    const { verdict } = await readBack(cluster(), ledger)
    const expected = KEYS.filter((k) => unsignedMurmur2(k, PARTITIONS) !== partitionForKey(k, PARTITIONS))
    console.log(`${verdict.anomalies.keySplit.count} of ${KEYS.length} keys split (the reference rules predict ${expected.length}); e.g. ${JSON.stringify(verdict.anomalies.keySplit.evidence.slice(0, 2))}`)
    expect(expected.length).toBeGreaterThan(0)
    expect(verdict.anomalies.keySplit.count).toBe(expected.length)
    for (const e of verdict.anomalies.keySplit.evidence) expect(expected, `${e.key} was split but the rules agree on it`).toContain(e.key)
  })

  test.skipIf(!both)(`the same two services with the Java-compatible partitioner ('murmur2') on both: no key split${skipNote('platformatic')}`, async () => {
    const topic = await topicOf('two-services-murmur2')
    const ledger = mergeLedgers([await produce('java', topic, KEYS.map((key) => ({ key })), 'murmur2', 20), await produce('platformatic', topic, KEYS.map((key) => ({ key })), 'murmur2', 20)])
    const { verdict } = await readBack(cluster(), ledger)
    expect(verdict.anomalies.keySplit.count).toBe(0)
    expect(verdict.totals).toMatchObject({ sent: 2 * KEYS.length, acknowledged: 2 * KEYS.length })
  })
})

/** How a run of keyless records spread: partitions used, runs of one partition, the longest run. */
function spread(partitions: readonly number[]): { used: number; runs: number; longest: number; sequence: string } {
  let runs = 0
  let longest = 0
  let run = 0
  partitions.forEach((p, i) => {
    run = i > 0 && partitions[i - 1] === p ? run + 1 : 1
    if (run === 1) runs++
    longest = Math.max(longest, run)
  })
  return { used: new Set(partitions).size, runs, longest, sequence: partitions.join('') }
}

/**
 * What each client does with records without a key, as measured here (60 records, one per call
 * and then 10 per call, each run on a topic of its own):
 * - kafkajs and @platformatic/kafka: round-robin per record, within a call as across calls;
 * - Java (KIP-794's uniform sticky partitioner) and franz-go (UniformBytesPartitioner, 64 KiB):
 *   sticky by bytes: all 60 small records in one partition, however they are called;
 * - confluent (librdkafka): sticky by time (sticky.partitioning.linger.ms, 10 ms): a call's 10
 *   records share a partition, and one record per call spreads over the partitions.
 */
const STRATEGY: Record<ClientName, 'round-robin' | 'sticky by bytes' | 'sticky by time'> = {
  kafkajs: 'round-robin',
  platformatic: 'round-robin',
  java: 'sticky by bytes',
  'franz-go': 'sticky by bytes',
  confluent: 'sticky by time',
}

describe("each client's strategy for records without a key, measured", () => {
  for (const client of CLIENT_NAMES) {
    test.skipIf(!installedClient(client))(`${client}: 60 keyless records, one per call and then 10 per call: ${STRATEGY[client]}${skipNote(client)}`, async () => {
      const keyless = Array.from({ length: 60 }, () => ({ key: null }))
      const [single, batched] = [await produce(client, await topicOf(`keyless-${client}-1`), keyless, 'default', 1), await produce(client, await topicOf(`keyless-${client}-10`), keyless, 'default', 10)]
      const placed = (ledger: Ledger) => ledger.entries.map((e) => e.partition ?? -1)
      const [one, ten] = [spread(placed(single)), spread(placed(batched))]
      console.log(`${client} keyless (${STRATEGY[client]}), one per call: ${JSON.stringify(one)}; 10 per call: ${JSON.stringify(ten)}`)
      for (const ledger of [single, batched]) {
        const { verdict } = await readBack(cluster(), ledger)
        expect(verdict.totals).toMatchObject({ sent: 60, acknowledged: 60 })
        expect(verdict.violations).toEqual([])
      }
      const roundRobin = (p: readonly number[]) => p.every((x, i) => x === (p[0]! + i) % PARTITIONS)
      if (STRATEGY[client] === 'round-robin') for (const ledger of [single, batched]) expect(roundRobin(placed(ledger)), placed(ledger).join('')).toBe(true)
      if (STRATEGY[client] === 'sticky by bytes') expect([one.used, ten.used]).toEqual([1, 1])
      if (STRATEGY[client] === 'sticky by time') {
        const calls = Array.from({ length: 6 }, (_, c) => new Set(placed(batched).slice(10 * c, 10 * c + 10)).size)
        expect(calls).toEqual([1, 1, 1, 1, 1, 1])
        expect(one.used).toBeGreaterThan(1)
      }
    })
  }
})
