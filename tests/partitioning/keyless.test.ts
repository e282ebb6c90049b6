import { describe, expect, test } from 'vitest'
import { positionsById, produceRaw, type RawRecord } from '../../harness/partitioning/produce.js'
import { freshName } from '../../harness/engines/index.js'
import { waitUntilWritable } from '../../harness/partitioning/topics.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * kafkajs 2.2.4's DefaultPartitioner (src/producer/partitioners/legacy/partitioner.js) gives a
 * record without a key the next partition of a per-topic counter that starts at a random value:
 * availablePartitions[toPositive(++counter) % available]. Round-robin per RECORD, not the Java
 * client's (and franz-go's) sticky partitioner, which fills one partition for a whole batch.
 */
const keyless = (count: number, prefix: string): RawRecord[] => Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}` }))
// (The counter passes through toPositive = & 0x7fffffff, so the rotation jumps once where the
// counter crosses a multiple of 2^31: about one chance in 10^7 for a run of 300 records.)
const rotation = (start: number, count: number, partitions: number) => Array.from({ length: count }, (_, i) => (start + i) % partitions)

async function writableTopic(partitions: number): Promise<string> {
  const c = cluster()
  const topic = freshName('keyless')
  await c.createTopic(topic, { partitions })
  await waitUntilWritable(c, topic)
  return topic
}

describe('records without a key (kafkajs DefaultPartitioner)', () => {
  test('one record per send: the acks walk the partitions round-robin, one partition per record', async () => {
    const topic = await writableTopic(3)
    const calls = await produceRaw(cluster(), topic, keyless(30, 'single'), { batchSize: 1, acks: -1 })

    const acked = calls.map((call) => call.acks.map((a) => a.partition))
    expect(acked.every((parts) => parts.length === 1)).toBe(true)
    const sequence = acked.flat()
    console.log(`30 single-record sends went to partitions ${sequence.join(' ')}`)
    expect(sequence).toEqual(rotation(sequence[0] ?? -1, 30, 3))
  })

  test('records in one send call are spread over the partitions too: record i of the run lands in (start + i) % 3, within and across calls', async () => {
    const topic = await writableTopic(3)
    const callSizes = [1, 2, 3, 4, 5, 6, 7, 8, 64, 200]
    const records = keyless(300, 'batched')
    const calls = await produceRaw(cluster(), topic, records, { callSizes, acks: -1 })
    const log = await readTopic({ kafka: cluster().kafka(), topic })

    const at = positionsById(log)
    const placed = records.map((r) => at.get(r.id)?.map((p) => p.partition) ?? [])
    const start = placed[0]?.[0] ?? -1
    expect(placed).toEqual(rotation(start, records.length, 3).map((p) => [p]))

    const perCall = calls.map((call) => [0, 1, 2].map((p) => call.records.filter((r) => at.get(r.id)?.[0]?.partition === p).length))
    console.log(`records per partition [p0, p1, p2] for each send call of ${callSizes.join(', ')} records:\n${perCall.map((c, i) => `  ${callSizes[i]}: ${JSON.stringify(c)}`).join('\n')}`)
    for (const counts of perCall) expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1)
    expect(perCall.reduce((sum, c) => sum.map((s, p) => s + (c[p] ?? 0)), [0, 0, 0])).toEqual([100, 100, 100])
  })
})
