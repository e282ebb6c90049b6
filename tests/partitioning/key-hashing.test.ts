import { describe, expect, test } from 'vitest'
import { freshName } from '../../harness/engines/index.js'
import { partitionForKey } from '../../harness/partitioning/murmur2.js'
import { positionsById, produceRaw } from '../../harness/partitioning/produce.js'
import { waitUntilWritable } from '../../harness/partitioning/topics.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { CORPUS as corpus, showKey } from './keys.js'

describe("keyed records land where the Java client's murmur2 puts them", () => {
  test.each([1, 3, 12, 50])('%i partitions: the broker holds each of 10,001 records in partition toPositive(murmur2(key)) %% n', async (n) => {
    const c = cluster()
    const kafka = c.kafka()
    const topic = freshName(`hash-p${n}`)
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
})
