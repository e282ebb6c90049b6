import { describe, expect, test } from 'vitest'
import { killNode, withFault } from '../../harness/faults/index.js'
import { misplaced, placements } from '../../harness/partitioning/affinity.js'
import { partitionForKey } from '../../harness/partitioning/murmur2.js'
import { freshName } from '../../harness/engines/index.js'
import { acknowledgedWhere, startKeyedWorkload } from '../../harness/partitioning/workload.js'
import { reconcile } from '../../harness/reconcile/index.js'
import { readTopic } from '../../harness/workload/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

describe('key affinity under a fault', () => {
  test('the leader of partition 0 is SIGKILLed mid-stream: every key stays in its murmur2 partition, in send order, nothing lost or duplicated', async () => {
    const c = cluster()
    const topic = freshName('affinity')
    await c.createTopic(topic, { partitions: 3 })
    const run = startKeyedWorkload(c, topic, 20)
    await run.acknowledged(100)

    const kill = killNode({ leaderOf: { topic, partition: 0 } })
    const killedAt = Date.now()
    const newLeader = await withFault(c, kill, async () => {
      const leader = await c.waitForLeader(topic, 0, { notOn: kill.node })
      await acknowledgedWhere(run, 'in partition 0 for a record sent after the kill', (e) => e.partition === 0 && e.start > killedAt)
      return leader
    })
    await run.acknowledged(run.progress().acknowledged + 100)
    run.stop()
    const ledger = await run.done
    const log = await readTopic({ kafka: c.kafka(), topic })
    const verdict = reconcile(ledger, log)
    console.log(`${kill.describe()}, partition 0 now led by node ${newLeader}; ${JSON.stringify(verdict.totals)}`)

    // The fault happened under the producer: it saw partition 0 change leader.
    expect(ledger.events).toContainEqual(expect.objectContaining({ type: 'leader-change', detail: expect.objectContaining({ partition: 0, to: newLeader }) }))
    expect(verdict).toHaveNoReordering()
    expect(verdict).toBeClean() // and nothing lost, duplicated, overwritten or phantom
    expect(verdict.anomalies.keySplit).toEqual({ count: 0, evidence: [] })
    expect(misplaced(placements(ledger, log), (r) => partitionForKey(r.key, 3))).toEqual([])
    expect(verdict.totals.read).toBeGreaterThanOrEqual(200)
  })
})
