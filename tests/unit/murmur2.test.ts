import kafkajs from 'kafkajs'
import { describe, expect, test } from 'vitest'
import { murmur2, partitionForKey, toPositive } from '../../harness/partitioning/murmur2.js'
import { CORPUS } from '../partitioning/keys.js'

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

describe("the murmur2 reference (the Java client's key → partition rule), without a cluster", () => {
  test("the murmur2 reference reproduces Kafka's own UtilsTest vectors", () => {
    for (const [key, hash] of KAFKA_MURMUR2_VECTORS) expect(murmur2(Buffer.from(key)), key).toBe(hash)
    expect(toPositive(-1)).toBe(0x7fffffff)
    expect(toPositive(-2147483648)).toBe(0) // not Math.abs
  })

  test('the key corpus of tests/partitioning/key-hashing.test.ts: 10,001 keys of every kind', () => {
    expect(CORPUS).toHaveLength(10_001)
    expect(new Set(CORPUS.map((k) => k.kind))).toEqual(new Set(['empty', 'ascii', 'utf8', 'binary']))
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
