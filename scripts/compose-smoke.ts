/**
 * Checks a running `docker compose up` of docker-compose.yml from the host: three brokers
 * registered and advertising localhost:19092-19094, Toxiproxy's nine proxies, and an RF=3 topic
 * that takes acks=all writes (its high watermarks count them). Used by scripts/containers-ci.sh:
 *   docker compose up -d && npx tsx scripts/compose-smoke.ts
 */
import { Kafka, logLevel } from 'kafkajs'
import { Toxiproxy } from 'toxiproxy-node-client'
import { waitFor } from '../harness/cluster/index.js'
import { toxiproxyProxies } from '../harness/cluster/containers/wiring.js'
import { freshName } from '../harness/engines/topics.js'

const brokers = ['localhost:19092', 'localhost:19093', 'localhost:19094']
const kafka = new Kafka({ clientId: 'compose-smoke', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 })
const admin = kafka.admin()
const say = (l: string) => console.log(`[compose-smoke] ${l}`)

const proxies = await waitFor('Toxiproxy at localhost:8474 to list its proxies', async () => Object.keys(await new Toxiproxy('http://localhost:8474').getAll()), { timeoutMs: 30_000 })
const expected = toxiproxyProxies(3).map((p) => p.name)
if (expected.some((n) => !proxies.includes(n))) throw new Error(`Toxiproxy has proxies [${proxies.sort().join(', ')}], expected [${expected.join(', ')}]`)

const advertised = await waitFor(
  'three brokers to be registered behind localhost:19092-19094',
  async () => {
    await admin.connect()
    const { brokers: live } = await admin.describeCluster()
    if (live.length !== 3) throw new Error(`registered: ${live.map((b) => b.nodeId).join(', ') || 'none'}`)
    return live.map((b) => `${b.host}:${b.port}`).sort()
  },
  { timeoutMs: 120_000 },
)
if (advertised.join(',') !== brokers.join(',')) throw new Error(`brokers advertise ${advertised.join(', ')}, expected ${brokers.join(', ')}`)
say(`3 brokers advertise ${advertised.join(', ')}; Toxiproxy has ${proxies.length} proxies`)

const topic = freshName('compose-smoke')
await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true })
await waitFor(`topic ${topic} to have a full ISR`, async () => {
  const md = await admin.fetchTopicMetadata({ topics: [topic] })
  const short = md.topics[0]?.partitions.filter((p) => p.isr.length !== 3) ?? []
  if (short.length) throw new Error(`partitions with ISR < 3: ${short.map((p) => p.partitionId).join(', ')}`)
}, { timeoutMs: 30_000 })

const producer = kafka.producer({ idempotent: true })
await producer.connect()
const values = Array.from({ length: 20 }, (_, i) => `v${i}`)
await producer.send({ topic, acks: -1, messages: values.map((value, i) => ({ key: `k${i}`, value })) })
await producer.disconnect()

const offsets = await admin.fetchTopicOffsets(topic)
const total = offsets.reduce((n, o) => n + Number(o.high), 0)
await admin.disconnect()
if (total !== values.length) throw new Error(`topic ${topic} holds ${total} records, expected ${values.length}`)
say(`RF=3 topic ${topic}: ${total} acks=all records written and in the log`)
