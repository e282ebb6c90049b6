import { describe, expect, test } from 'vitest'
import { clientEndpoint } from 'kafka-durability/clients'
import { freshName, leaderChangesSeen, waitForLeadersOff } from 'kafka-durability/engines'
import { killNode, withFault } from 'kafka-durability/faults'
import { cluster } from 'kafka-durability/fixture'
import { reconcile } from 'kafka-durability/reconcile'
import { readTopic, startWorkload } from 'kafka-durability/workload'

/** A team's own story, written on the harness: its payments producer through a leader crash. */
describe('payments producer (acks=all, idempotent) through a leader crash', () => {
  test('a leader SIGKILL under load loses nothing and writes nothing twice', async () => {
    const c = cluster()
    const leader = 1
    const topic = freshName('payments')
    await c.createTopic(topic, { leader })
    const run = startWorkload({
      endpoint: clientEndpoint(c, { clientId: 'payments' }),
      topic,
      producer: { acks: -1, idempotent: true, retries: 15, retryBackoff: { initialMs: 100, maxMs: 1_000 } },
      keys: 12,
      rate: 100,
    })
    await run.acknowledged(150)
    await withFault(c, killNode(leader), async () => {
      await waitForLeadersOff(c, [topic], leader)
      await run.acknowledged(run.progress().acknowledged + 150)
    })
    run.stop()
    const ledger = await run.done
    const verdict = reconcile(ledger, await readTopic({ kafka: c.kafka(), topic }))

    expect(leaderChangesSeen(ledger, leader)).toBeGreaterThan(0)
    expect(verdict).toHaveNoLostAcks()
    expect(verdict).toHaveNoDuplicates()
  })
})
