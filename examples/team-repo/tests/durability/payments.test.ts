import { describe, expect, test } from 'vitest'
import { clientEndpoint } from 'kafka-durability/clients'
import { freshName, leaderChangesSeen, waitForLeadersOff } from 'kafka-durability/engines'
import { killNode, withFault } from 'kafka-durability/faults'
import { cluster } from 'kafka-durability/fixture'
import { reconcile } from 'kafka-durability/reconcile'
import { readTopic, startWorkload } from 'kafka-durability/workload'

/** The payments team's own story: its producer settings through a SIGKILL of the leader, under load. */
describe('payments producer through a leader crash', () => {
  test('nothing acknowledged is lost and nothing is written twice', async () => {
    const c = cluster()
    const topic = freshName('payments')
    await c.createTopic(topic, { leader: 1 })
    const run = startWorkload({
      endpoint: clientEndpoint(c, { clientId: 'payments' }),
      topic,
      producer: { acks: -1, idempotent: true, requestsInFlight: 1, retries: Number.MAX_SAFE_INTEGER, retryBackoff: { initialMs: 100, maxMs: 1_000 } },
      keys: 12,
      rate: 100,
    })
    await run.acknowledged(100)
    await withFault(c, killNode(1), async () => {
      await waitForLeadersOff(c, [topic], 1)
      await run.acknowledged(run.progress().acknowledged + 100)
    })
    run.stop()
    const ledger = await run.done
    const verdict = reconcile(ledger, await readTopic({ kafka: c.kafka(), topic }))

    expect(leaderChangesSeen(ledger, 1)).toBeGreaterThan(0)
    expect(verdict).toHaveNoLostAcks()
    expect(verdict).toHaveNoDuplicates()
  })
})
