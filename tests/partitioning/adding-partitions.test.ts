import { describe, expect, test } from 'vitest'
import { DEADLINES, waitFor, type Cluster } from '../../harness/cluster/index.js'
import { freshName } from '../../harness/engines/index.js'
import { misplaced, placements, type Placed } from '../../harness/partitioning/affinity.js'
import { partitionForKey } from '../../harness/partitioning/murmur2.js'
import { acknowledgedWhere, startKeyedWorkload } from '../../harness/partitioning/workload.js'
import { reconcile, type Verdict } from '../../harness/reconcile/index.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

const KEYS = Array.from({ length: 20 }, (_, i) => `order-${i}`)

describe('adding partitions moves keys', () => {
  test('a topic grows from 3 to 6 partitions mid-stream: the keys murmur2 moves are split across two partitions, the rest stay', async () => {
    const c = cluster()
    const topic = freshName('grow')
    await c.createTopic(topic, { partitions: 3 })
    // metadataMaxAge: kafkajs refreshes its metadata, and so learns the new count, every 500 ms.
    const run = startKeyedWorkload(c, topic, KEYS, { metadataMaxAgeMs: 500 })
    await run.acknowledged(100) // five records per key, all in their 3-partition homes

    await growTopic(c, topic, 6)
    await acknowledgedWhere(run, 'in a new partition (3, 4 or 5)', (e) => e.partition !== null && e.partition >= 3)
    await run.acknowledged(run.progress().acknowledged + 100) // five more per key, in their 6-partition homes
    run.stop()
    const ledger = await run.done
    const log = await readTopic({ kafka: c.kafka(), topic })
    const verdict = reconcile(ledger, log, { evidenceLimit: KEYS.length })
    const records = placements(ledger, log)

    const predicted = movedKeys(KEYS, 3, 6)
    console.log(`keys moved by 3 -> 6 partitions: ${predicted.map((m) => `${m.key} p${m.from}->p${m.to}`).join(', ')}`)
    console.log(`stayed: ${KEYS.filter((k) => !predicted.some((m) => m.key === k)).join(', ')}`)

    // The producer saw the new count and switched every key at one point of the stream: records
    // created before it are in their 3-partition home, those after in their 6-partition home.
    expect(ledger.events).toContainEqual(expect.objectContaining({ type: 'partition-count', detail: { from: 3, to: 6 } }))
    const cut = Math.min(...records.filter((r) => r.partition !== partitionForKey(r.key, 3)).map((r) => r.n))
    console.log(`the producer switched to 6 partitions at record ${cut} of ${records.length}`)
    expect(misplaced(records, (r) => partitionForKey(r.key, r.n < cut ? 3 : 6))).toEqual([])

    // The reconciler sees exactly the predicted keys split, each over its old and new partition.
    expect(verdict.anomalies.keySplit.count).toBe(predicted.length)
    expect(splitKeys(verdict)).toEqual(predicted.map((m) => ({ key: m.key, partitions: [m.from, m.to] })).sort((a, b) => a.key.localeCompare(b.key)))
    expect(verdict).toBeClean()

    // Per-key order no longer holds across the change: the moved key's next record sits in another
    // partition, at a lower offset than its previous one; nothing in the log orders the two runs.
    const [moved] = predicted
    if (moved === undefined) throw new Error('murmur2 moves none of KEYS from 3 to 6 partitions: pick other keys')
    console.log(`${moved.key} (seq:partition@offset): ${keyStory(records, moved.key)}`)
    const ofKey = records.filter((r) => r.key === moved.key)
    const lastOld = ofKey.filter((r) => r.partition === moved.from).at(-1)
    const firstNew = ofKey.find((r) => r.partition === moved.to)
    if (lastOld === undefined || firstNew === undefined) throw new Error(`${moved.key} is not split: ${keyStory(records, moved.key)}`)
    expect(firstNew.seq).toBe(lastOld.seq + 1)
    expect(firstNew.offset).toBeLessThan(lastOld.offset)
  })
})

/**
 * Grows `topic` to `count` partitions (admin.createPartitions) and waits until the metadata shows
 * all of them led with a full ISR.
 */
async function growTopic(cluster: Cluster, topic: string, count: number): Promise<void> {
  await (await cluster.admin()).createPartitions({ topicPartitions: [{ topic, count }] })
  await waitFor(
    `${topic} to have ${count} partitions`,
    async () => {
      const n = (await cluster.partitions(topic)).length
      if (n !== count) throw new Error(`${n} partitions`)
    },
    { timeoutMs: DEADLINES.leader },
  )
  await cluster.waitForIsr(topic, 'full')
}

/** A key whose partition changes when the topic grows from `from` to `to` partitions. */
interface MovedKey {
  key: string
  from: number
  to: number
}

/** The keys murmur2 sends elsewhere after the partition count changes. */
function movedKeys(keys: readonly string[], from: number, to: number): MovedKey[] {
  return keys
    .map((key) => ({ key, from: partitionForKey(key, from), to: partitionForKey(key, to) }))
    .filter((m) => m.from !== m.to)
}

/** One key's records in creation order, as `seq:partition@offset`. */
function keyStory(records: readonly Placed[], key: string): string {
  return records
    .filter((r) => r.key === key)
    .map((r) => `${r.seq}:p${r.partition}@${r.offset}`)
    .join(' ')
}

/** The reconciler's keySplit evidence as {key, partitions}, sorted by key then partition. */
function splitKeys(verdict: Verdict): { key: string; partitions: number[] }[] {
  return verdict.anomalies.keySplit.evidence
    .map((e) => ({ key: e.key, partitions: e.partitions.map((p) => p.partition).sort((a, b) => a - b) }))
    .sort((a, b) => a.key.localeCompare(b.key))
}
