import { describe, expect, test } from 'vitest'
import type { Kafka } from 'kafkajs'
import { cutPaths, cutReplication, killNode, pauseNode } from '../../harness/faults/index.js'
import { freshName } from '../../harness/engines/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

async function roundTrip(kafka: Kafka, topic: string, count: number): Promise<string[]> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  const values = Array.from({ length: count }, (_, i) => `v${i}`)
  try {
    await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value })) })
  } finally {
    await producer.disconnect()
  }
  const consumer = kafka.consumer({ groupId: freshName('rt') })
  const seen: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(String(message.value))
            if (seen.length === count) resolve()
          },
        })
        .catch(reject)
    })
  } finally {
    await consumer.disconnect()
  }
  return seen.sort()
}

describe('the cluster: three KRaft nodes, every path through Toxiproxy', () => {
  test('boots with 3 registered brokers, and a new RF=3 topic has a full ISR on every partition', async () => {
    const c = cluster()
    expect(await c.brokers()).toEqual([1, 2, 3])
    const parts = await c.createTopic(freshName('boot'), { partitions: 6 })
    expect(parts).toHaveLength(6)
    for (const p of parts) {
      expect(p.replicas).toEqual([1, 2, 3])
      expect(p.isr).toEqual([1, 2, 3])
      expect(p.leader).toBeGreaterThan(0)
    }
  })

  test('clients are given only proxy addresses, and a producer and a consumer round-trip through them', async () => {
    const c = cluster()
    const proxied = c.nodes.map((n) => n.proxies.client.listen)
    const direct = c.nodes.map((n) => `127.0.0.1:${n.ports.client}`)
    const admin = c.kafka().admin()
    await admin.connect()
    const { brokers } = await admin.describeCluster()
    await admin.disconnect()
    expect(brokers.map((b) => `${b.host}:${b.port}`).sort()).toEqual([...proxied].sort())
    expect(brokers.map((b) => `${b.host}:${b.port}`).some((a) => direct.includes(a))).toBe(false)

    const topic = freshName('roundtrip')
    await c.createTopic(topic)
    const seen = await roundTrip(c.kafka(), topic, 30)
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`).sort())
  })

  test("disabling a node's client proxy makes it unreachable to clients while the cluster stays healthy", async () => {
    const c = cluster()
    const topic = freshName('client-cut')
    await c.createTopic(topic)
    const clientOnly = cutPaths(2, ['client'])
    await clientOnly.apply(c)
    try {
      const lonely = c.kafka({ brokers: [c.node(2).proxies.client.listen], retry: { retries: 0 }, connectionTimeout: 1000 }).admin()
      await expect(lonely.connect()).rejects.toThrow(/Connection error|ECONNREFUSED|ECONNRESET|Closed connection/)
      // Replication and the controller do not go through the client proxy: node 2 stays
      // registered and in every ISR. (The harness's metadata requests may pick node 2 and fail
      // to connect, so they are retried until another node answers.)
      await c.waitForBrokers([1, 2, 3])
      const parts = await c.waitForIsr(topic, 'full')
      for (const p of parts) expect(p.isr).toEqual([1, 2, 3])
    } finally {
      await clientOnly.heal(c)
    }
    const lonely = c.kafka({ brokers: [c.node(2).proxies.client.listen] }).admin()
    await lonely.connect()
    expect((await lonely.describeCluster()).brokers).toHaveLength(3)
    await lonely.disconnect()
  })

  test('SIGKILL of a leader moves leadership to a follower and shrinks the ISR; a restart restores it', async () => {
    const c = cluster()
    const topic = freshName('kill')
    await c.createTopic(topic, { partitions: 1 })
    const fault = killNode({ leaderOf: { topic, partition: 0 } })
    await fault.apply(c)
    const old = fault.node as number
    const leader = await c.waitForLeader(topic, 0, { notOn: old })
    expect(leader).not.toBe(old)
    const [p] = await c.waitForIsr(topic, 2, { without: old })
    expect(p?.isr).not.toContain(old)
    await fault.heal(c)
    const [healed] = await c.waitForIsr(topic, 'full')
    expect(healed?.isr).toEqual([1, 2, 3])
    expect(healed?.leader).toBe(leader) // leaders do not move back by themselves
  })

  test('SIGSTOP of a leader (frozen, sockets open, as in a long GC pause): it is fenced and a follower leads; resumed, it rejoins the ISR', async () => {
    const c = cluster()
    const topic = freshName('pause')
    await c.createTopic(topic, { partitions: 1 })
    const fault = pauseNode({ leaderOf: { topic, partition: 0 } })
    await fault.apply(c)
    try {
      const frozen = fault.node as number
      expect(await c.state(frozen)).toBe('paused')
      await c.waitForFenced(frozen)
      expect(await c.waitForLeader(topic, 0, { notOn: frozen })).not.toBe(frozen)
    } finally {
      await fault.heal(c)
    }
    const [healed] = await c.waitForIsr(topic, 'full')
    expect(healed?.isr).toEqual([1, 2, 3])
  })

  test("cutting a leader's replication proxy drops its followers from the ISR; healing brings them back", async () => {
    const c = cluster()
    const topic = freshName('repl-cut')
    await c.createTopic(topic, { partitions: 1 })
    const leader = await c.leaderOf(topic, 0)
    const fault = cutReplication(leader)
    await fault.apply(c)
    try {
      // Followers cannot fetch; after replica.lag.time.max.ms the leader shrinks the ISR to itself
      // once it has data the followers lack.
      const producer = c.kafka().producer()
      await producer.connect()
      await producer.send({ topic, acks: 1, messages: [{ key: 'k', value: 'behind' }] })
      await producer.disconnect()
      const [p] = await c.waitForIsr(topic, 1)
      expect(p?.isr).toEqual([leader])
      expect(p?.leader).toBe(leader)
    } finally {
      await fault.heal(c)
    }
    const [healed] = await c.waitForIsr(topic, 'full')
    expect(healed?.isr).toEqual([1, 2, 3])
  })
})
