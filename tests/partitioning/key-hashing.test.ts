import { describe, expect, test } from 'vitest'
import kafkajs from 'kafkajs'
import { keyCorpus, showKey } from '../../harness/partitioning/keys.js'
import { murmur2, partitionForKey, toPositive } from '../../harness/partitioning/murmur2.js'
import { positionsById, produceRaw } from '../../harness/partitioning/produce.js'
import { uniqueTopic, waitUntilWritable } from '../../harness/partitioning/topics.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * Kafka's own vectors for Utils.murmur2: apache/kafka,
 * clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2
 * (read at commit f55581dc73953c3509a4702433aeeeddc2970779).
 */
const KAFKA_MURMUR2_VECTORS: [string, number][] = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
]

const corpus = keyCorpus({ ascii: 4000, utf8: 3500, binary: 2500 })

describe("keyed records land where the Java client's murmur2 puts them", () => {
  test("the murmur2 reference reproduces Kafka's own UtilsTest vectors", () => {
    for (const [key, hash] of KAFKA_MURMUR2_VECTORS) expect(murmur2(Buffer.from(key)), key).toBe(hash)
    expect(toPositive(-1)).toBe(0x7fffffff)
    expect(toPositive(-2147483648)).toBe(0) // not Math.abs
    expect(corpus).toHaveLength(10_001)
    expect(new Set(corpus.map((k) => k.kind))).toEqual(new Set(['empty', 'ascii', 'utf8', 'binary']))
  })

  test.each([1, 3, 12, 50])('%i partitions: the broker holds each of 10,001 records in partition toPositive(murmur2(key)) %% n', async (n) => {
    const c = cluster()
    const kafka = c.kafka()
    const topic = uniqueTopic(`hash-p${n}`)
    await c.createTopic(topic, { partitions: n })
    // Right after creation a leader can still answer NOT_LEADER; kafkajs's retry of a many-partition
    // call can then write records twice (seen at 50 partitions, even idempotent). Start after that.
    await waitUntilWritable(c, topic)

    const calls = await produceRaw(c, topic, corpus, { batchSize: 1000, acks: -1, producer: { idempotent: true, requestsInFlight: 1 } })
    const log = await readTopic({ kafka, topic })

    // The broker's answer to each call names exactly the partitions the reference predicts.
    const ackedPartitions = calls.map((call) => call.acks.map((a) => a.partition).sort((a, b) => a - b))
    const predicted = calls.map((call) => [...new Set(call.records.map((r) => partitionForKey(r.key ?? '', n)))].sort((a, b) => a - b))
    expect(ackedPartitions).toEqual(predicted)

    // Read back: every record present, only in the predicted partition, its key stored as sent.
    const at = positionsById(log)
    const wrong = corpus.flatMap((k) => {
      const found = at.get(k.id) ?? []
      const want = partitionForKey(k.key, n)
      const stored = found[0]?.key
      const keyAsSent = typeof k.key !== 'string' || stored === k.key
      if (found.length > 0 && found.every((f) => f.partition === want) && keyAsSent) return []
      return [{ id: k.id, kind: k.kind, key: showKey(k.key), want, found: found.map((f) => f.partition), stored }]
    })
    expect(wrong.slice(0, 20), `${wrong.length} of ${corpus.length} records misplaced`).toEqual([])
    const notOnce = corpus.filter((k) => at.get(k.id)?.length !== 1).map((k) => `${k.id} x${at.get(k.id)?.length ?? 0}`)
    expect(notOnce.slice(0, 20), `${notOnce.length} records not exactly once`).toEqual([])
    expect(at.get('k0')?.[0]?.key).toBe('') // the empty key is a key (hashed), not a null key
    const perPartition = Array.from({ length: n }, (_, p) => corpus.filter((k) => at.get(k.id)?.[0]?.partition === p).length)
    console.log(`${n} partitions: records per partition ${JSON.stringify(perPartition)}`)
  })

  test("kafkajs's LegacyPartitioner (the 1.x default) is not Java-compatible: 7 of the lecture's 10 keys go elsewhere", () => {
    const legacy = kafkajs.Partitioners.LegacyPartitioner()
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }))
    const differ = Array.from({ length: 10 }, (_, i) => `order-${i}`).filter(
      (key) => legacy({ topic: 't', partitionMetadata, message: { key, value: null } }) !== partitionForKey(key, 3),
    )
    expect(differ).toEqual(['order-2', 'order-4', 'order-5', 'order-6', 'order-7', 'order-8', 'order-9'])
  })
})
