import { randomBytes } from 'node:crypto'
import type { Kafka } from 'kafkajs'
import { afterEach, describe, expect, test } from 'vitest'
import { waitFor, type Cluster } from '../../harness/cluster/index.js'
import { ClientLine, cutPaths, dropResponsesOn, withFault } from '../../harness/faults/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * Client lines on the real cluster: a line is one listener index (LINEk) on every node, each
 * advertised at its own proxy, so a client handed the line's bootstrap, with no socket hook, is
 * told only the line's addresses and every connection it makes goes through them.
 */
const opened: ClientLine[] = []
afterEach(async () => {
  for (const line of opened.splice(0)) await line.close()
})
async function open(c: Cluster, name: string): Promise<ClientLine> {
  const line = await ClientLine.open(c, `${name}-${randomBytes(2).toString('hex')}`)
  opened.push(line)
  return line
}

/** Every address a producer of `kafka` sent a request to, while sending one record to each partition of `topic`. */
async function addressesUsed(kafka: Kafka, topic: string, partitions: number): Promise<Set<string>> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  const seen = new Set<string>()
  producer.on(producer.events.REQUEST, (e) => seen.add(e.payload.broker))
  await producer.connect()
  try {
    await producer.send({ topic, acks: -1, messages: Array.from({ length: partitions }, (_, partition) => ({ partition, value: `p${partition}` })) })
  } finally {
    await producer.disconnect()
  }
  return seen
}

/** The partition's high watermark as the harness's admin client (the node's client proxy) reads it from the leader. */
async function highWatermark(c: Cluster, topic: string, partition: number): Promise<number> {
  const offsets = await (await c.admin()).fetchTopicOffsets(topic)
  return Number(offsets.find((o) => o.partition === partition)?.high ?? -1)
}

describe('client lines: per-client network paths from listeners of their own', () => {
  test('a client bootstrapped on line k is told only line k’s proxies, and sends every request through them', async () => {
    const c = cluster()
    const [a, b] = [await open(c, 'meta-a'), await open(c, 'meta-b')]
    expect(a.index).not.toBe(b.index)
    const topic = `line-meta-${randomBytes(3).toString('hex')}`
    await c.createTopic(topic, { partitions: 6 })

    for (const line of [a, b]) {
      const admin = c.kafka({ brokers: line.bootstrap }).admin()
      await admin.connect()
      try {
        const { brokers } = await admin.describeCluster()
        expect(brokers.map((x) => `${x.host}:${x.port}`).sort()).toEqual([...line.bootstrap].sort())
      } finally {
        await admin.disconnect()
      }
      const used = await addressesUsed(c.kafka({ brokers: line.bootstrap }), topic, 6)
      expect([...used].sort()).toEqual([...line.bootstrap].sort())
    }
    expect(a.bootstrap.filter((x) => b.bootstrap.includes(x) || c.bootstrap.includes(x))).toEqual([])
  })

  test('dropping the answers on line k holds its producer only: the harness’s admin and another line’s producer go on', async () => {
    const c = cluster()
    const [held, other] = [await open(c, 'held'), await open(c, 'other')]
    const topic = `line-drop-${randomBytes(3).toString('hex')}`
    await c.createTopic(topic, { partitions: 1 })
    const producerOn = async (line: ClientLine) => {
      const p = c.kafka({ brokers: line.bootstrap, requestTimeout: 30_000 }).producer({ idempotent: true, maxInFlightRequests: 1 })
      await p.connect()
      await p.send({ topic, acks: -1, messages: [{ value: `warm-up ${line.name}` }] })
      return p
    }
    const [heldProducer, otherProducer] = [await producerOn(held), await producerOn(other)]
    try {
      const before = await highWatermark(c, topic, 0)
      let answered = false
      const { send } = await withFault(c, dropResponsesOn(held, { leaderOf: { topic, partition: 0 } }), async () => {
        const send = heldProducer.send({ topic, acks: -1, messages: [{ value: 'answer dropped' }] }).finally(() => (answered = true))
        await waitFor('the held line’s record to be written (the high watermark read through the client proxy passes it)', async () => {
          const hw = await highWatermark(c, topic, 0)
          if (hw < before + 1) throw new Error(`high watermark ${hw}, want ${before + 1}`)
        }, { timeoutMs: 10_000 })
        const [ok] = await otherProducer.send({ topic, acks: -1, messages: [{ value: 'other line' }] })
        expect(ok?.errorCode).toBe(0)
        expect(await highWatermark(c, topic, 0)).toBe(before + 2)
        expect(answered).toBe(false)
        return { send } // wrapped: a returned promise would be awaited before the heal
      })
      // Healing closes the held connection; the idempotent retry is answered from the batch the leader holds.
      const [ack] = await send
      expect(ack?.errorCode).toBe(0)
      expect(await highWatermark(c, topic, 0)).toBe(before + 2)
    } finally {
      await heldProducer.disconnect()
      await otherProducer.disconnect()
    }
  })

  test('cutting a node’s client path cuts every line to it too', async () => {
    const c = cluster()
    const line = await open(c, 'cut')
    const lineAddress = line.bootstrap[1] as string
    const lonely = (address: string) => c.kafka({ brokers: [address], retry: { retries: 0 }, connectionTimeout: 1_000 }).admin()
    await withFault(c, cutPaths(2, ['client']), async () => {
      await expect(lonely(lineAddress).connect()).rejects.toThrow(/Connection error|ECONNREFUSED|ECONNRESET|Closed connection/)
    })
    const healed = lonely(lineAddress)
    await healed.connect()
    expect((await healed.describeCluster()).brokers).toHaveLength(3)
    await healed.disconnect()
  })

  test('closing a line refuses its clients and gives its index back to the next line', async () => {
    const c = cluster()
    const line = await open(c, 'closing')
    const k = line.index
    expect(c.lines.claims().get(k)?.line).toBe(line.name)
    await line.close()
    expect(c.lines.claims().has(k)).toBe(false)
    for (const id of c.nodeIds) expect((await line.proxy(id)).enabled).toBe(false)
    const left = c.kafka({ brokers: line.bootstrap, retry: { retries: 0 }, connectionTimeout: 1_000 }).admin()
    await expect(left.connect()).rejects.toThrow(/Connection error|ECONNREFUSED/)
    const next = await open(c, 'next')
    expect(next.index).toBe(k)
    expect(next.bootstrap).toEqual(line.bootstrap)
  })
})
