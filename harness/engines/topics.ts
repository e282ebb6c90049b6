/**
 * Helpers any story may use: fresh names (for topics, lines, groups, transactional ids), a timed
 * wait for leadership to leave a node, and reading a topic back into a verdict. A topic is made
 * with `cluster.createTopic(freshName('orders'), { partitions, leader })`.
 */
import { randomBytes } from 'node:crypto'
import { DEADLINES, describePartition, waitFor, type Cluster } from '../cluster/index.js'
import { clientEndpoint } from '../clients/index.js'
import { reconcile, type Verdict } from '../reconcile/index.js'
import { HarnessError } from '../errors.js'
import { readTopic, sendRecords, type Ledger, type TopicLog } from '../workload/index.js'

/**
 * A name no earlier run used, `<prefix>-<time>-<random>`: for a topic, a client line, a consumer
 * group or a transactional.id.
 */
export function freshName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`
}

/**
 * Waits until every partition of `topics` is led by a node other than `from`; returns when that
 * was seen (ms since the epoch). Subtract the fault's start for the time to a new leader.
 */
export async function waitForLeadersOff(cluster: Cluster, topics: readonly string[], from: number): Promise<number> {
  await Promise.all(
    topics.map((topic) =>
      waitFor(`every partition of ${topic} to be led by a node other than ${from}`, async () => {
        const bad = (await cluster.partitions(topic)).filter((p) => p.leader < 0 || p.leader === from)
        if (bad.length) throw new Error(bad.map(describePartition).join('; '))
      }, { timeoutMs: DEADLINES.leader, maxIntervalMs: 100 }),
    ),
  )
  return Date.now()
}

/**
 * A write barrier before the final read: one acks=all record per partition, acknowledged. Once a
 * partition's barrier is acknowledged its high watermark covers everything the leader appended
 * before it, so records acknowledged with acks=1 but not yet replicated when the load stopped are
 * readable (a reader stops at the high watermark) instead of counted lost. Returns the barrier
 * records' ids, which are the harness's, not the producer's.
 */
async function writeBarrier(cluster: Cluster, topic: string): Promise<Set<string>> {
  const partitions = (await cluster.partitions(topic)).map((p) => p.partition)
  const ids = partitions.map((p) => `barrier-${topic}-${p}`)
  const ledger = await sendRecords({
    endpoint: clientEndpoint(cluster, { clientId: `barrier-${topic}` }),
    topic,
    producer: { acks: -1, retries: 10, retryBackoff: { initialMs: 100 } },
    records: partitions.map((partition, i) => ({ key: 'barrier', id: ids[i] as string, partition })),
  })
  const missed = ledger.entries.filter((e) => e.outcome !== 'ok')
  if (missed.length) throw new HarnessError(`the write barrier before reading ${topic} was not acknowledged on partitions ${missed.map((e) => e.partition).join(', ')} (${missed.map((e) => e.reason).join('; ')})`)
  return new Set(ids)
}

/**
 * Reads `ledger`'s topic back to its high watermarks, behind a write barrier, and reconciles,
 * every example kept. Records whose id is in `harnessIds` (written by the harness itself, not the
 * producer under test, e.g. to make followers fall behind, and the barrier) are taken out of the
 * log first.
 */
export async function readBack(
  cluster: Cluster,
  ledger: Ledger,
  harnessIds: ReadonlySet<string> = new Set(),
): Promise<{ log: TopicLog; verdict: Verdict }> {
  const barrier = await writeBarrier(cluster, ledger.topic)
  const read = await readTopic({ kafka: cluster.kafka({ clientId: `reader-${ledger.topic}` }), topic: ledger.topic })
  const log = { ...read, records: read.records.filter((r) => r.id === null || (!harnessIds.has(r.id) && !barrier.has(r.id))) }
  return { log, verdict: reconcile(ledger, log, { evidenceLimit: 10_000 }) }
}
