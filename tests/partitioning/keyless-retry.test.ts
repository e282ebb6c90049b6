import { describe, expect, test } from 'vitest'
import kafkajs from 'kafkajs'
import { killNode, withFault } from '../../harness/faults/index.js'
import { positionsById } from '../../harness/partitioning/produce.js'
import { freshName } from '../../harness/engines/index.js'
import { waitUntilWritable } from '../../harness/partitioning/topics.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

const { Partitioners } = kafkajs

/**
 * kafkajs 2.2.4 (src/producer/sendMessages.js) retries a send call by partitioning ALL its
 * messages again, but sends only to brokers that have not answered yet, and resolves with the
 * answers it has. When one leader of a call fails and its partitions move to brokers that already
 * answered, the retry has nothing to send and send() resolves without that partition's records.
 * With keys the caller can still tell which records those were (the ack for their partition is
 * missing; the workload's ledger records them `unknown`). Without keys it cannot: the round-robin
 * counter has moved on, so the retry put every record somewhere else, and the acks name only the
 * partitions that were written.
 */
describe('keyless records when a send call is retried (kafkajs)', () => {
  test("a leader dies under a 30-record keyless send: send() resolves, yet the 10 records its first attempt gave that leader are not in the log", async () => {
    const c = cluster()
    const topic = freshName('keyless-retry')
    await c.createTopic(topic, { partitions: 3 })
    await waitUntilWritable(c, topic)
    const ids = Array.from({ length: 30 }, (_, i) => `r-${i}`)
    const producer = c.kafka().producer({ createPartitioner: Partitioners.DefaultPartitioner })
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: [{ value: null, headers: { id: 'first' } }] }) // loads the topic's leaders
    const kill = killNode({ leaderOf: { topic, partition: 0 } })
    const acks = await withFault(c, kill, async () => {
      // The producer's metadata is from before the kill: its first attempt sends partition 0's
      // share to the dead node.
      await c.waitForLeader(topic, 0, { notOn: kill.node })
      return producer.send({ topic, acks: -1, messages: ids.map((id) => ({ value: id, headers: { id } })) })
    }).finally(() => producer.disconnect())

    const at = positionsById(await readTopic({ kafka: c.kafka(), topic }))
    const missing = ids.filter((id) => !at.has(id))
    console.log(`${kill.describe()}; send() resolved with acks for partitions [${acks.map((a) => a.partition).join(', ')}]; never written: ${missing.join(' ')}`)

    expect(acks.map((a) => a.partition)).not.toContain(0)
    expect(missing).toHaveLength(10)
    expect(new Set(missing.map((id) => Number(id.slice(2)) % 3)).size).toBe(1) // every third record: one partition's share
    expect(ids.filter((id) => at.get(id)?.length === 1)).toHaveLength(20) // the rest once each
  })
})
