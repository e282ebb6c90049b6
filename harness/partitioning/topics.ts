import { adapterFor, clientEndpoint } from '../clients/index.js'
import { DEADLINES, waitFor, type Cluster } from '../cluster/index.js'

/** Id header of the probe records `waitUntilWritable` leaves in the topic. */
const PROBE_PREFIX = 'probe-'

/**
 * Waits until every partition's leader accepts a produce. `createTopic` waits until the metadata
 * shows a full ISR, but a leader can still answer NOT_LEADER_OR_FOLLOWER for a moment after that
 * (its own metadata lags). kafkajs retries such a send by calling the partitioner again (a keyless
 * record takes the next partition) and re-sends to every broker that has not answered yet, even
 * one whose answer is still on its way (a second copy, idempotent or not). A test that pins where
 * keyless records go, or counts copies, must start after that. Leaves one probe record (id `probe-<p>`, maybe more than one copy) per partition.
 */
export async function waitUntilWritable(cluster: Cluster, topic: string): Promise<void> {
  const partitions = (await cluster.partitions(topic)).map((p) => p.partition)
  const producer = adapterFor().create({ topic, profile: { acks: -1, retries: 0 }, endpoint: clientEndpoint(cluster, { clientId: 'writable-probe' }), onEvent: () => {} })
  await producer.connect()
  try {
    await waitFor(
      `every partition of ${topic} to accept a produce on its leader`,
      async () => {
        const entries = await producer.send(partitions.map((p) => ({ id: `${PROBE_PREFIX}${p}`, key: null, seq: 0, n: p, partition: p, value: null })))
        const refused = entries.filter((e) => e.outcome !== 'ok')
        if (refused.length) throw new Error(refused.map((e) => `partition ${e.partition}: ${e.reason}`).join('; '))
      },
      { timeoutMs: DEADLINES.leader },
    )
  } finally {
    await producer.close()
  }
}
