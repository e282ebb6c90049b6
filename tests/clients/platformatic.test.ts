import { describe, expect, test } from 'vitest'
import { clientEndpoint } from '../../harness/clients/index.js'
import { freshName, readBack, runStory } from '../../harness/engines/index.js'
import { productionProfile, parseGateConfig } from '../../harness/gate/config.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { sendRecords } from '../../harness/workload/index.js'
import { afterAGiveUp } from '../idempotency/stories/after-a-give-up.js'
import { installedClient, proveAdapter, skipNote } from './prove-adapter.js'

// @platformatic/kafka's idempotent producer takes its sequence numbers right (below) only one
// send() call at a time: the adapter's proof runs it so.
proveAdapter('platformatic', {
  callsInFlight: 1,
  refuses: [
    // What an idempotent @platformatic/kafka producer silently forces (one request in flight, unlimited retries for 0 or 1).
    [{ idempotent: true, requestsInFlight: 5 }, 'producer.requestsInFlight'],
    [{ idempotent: true, retries: 1 }, 'producer.retries'],
    [{ lingerMs: 5 }, 'producer.lingerMs'],
  ],
})

/**
 * A departure from Java (whose idempotent producer keeps up to 5 requests in flight, each batch
 * with its own sequence numbers): @platformatic/kafka 1.35.0 advances a partition's sequence
 * number only when a produce answer arrives (#performSend: `#sequences.postIncrement` after the
 * response), while each request takes its first sequence when it is built. Two send() calls in
 * flight to one partition take the same sequence numbers: the leader writes the first and, for
 * the second (same size), finds the batch it already holds and answers with that batch's offset.
 * The second call is acknowledged at the first call's offsets and never written. The sequence
 * numbers then run ahead of what the leader holds: later calls were seen written, and seen failing
 * with OUT_OF_ORDER_SEQUENCE_NUMBER, depending on when each request was built.
 */
describe('@platformatic/kafka: an idempotent producer with two send calls in flight', () => {
  test.skipIf(!installedClient('platformatic'))(`acknowledges the second call at the first call's offsets and never writes it${skipNote('platformatic')}`, async () => {
    const c = cluster()
    const topic = freshName('clients-platformatic-two-in-flight')
    await c.createTopic(topic, { partitions: 1 })
    const ledger = await sendRecords({
      endpoint: clientEndpoint(c, { clientId: 'platformatic-two-in-flight' }),
      topic,
      client: 'platformatic',
      producer: { acks: -1, idempotent: true, recordsPerCall: 5, callsInFlight: 2 },
      records: Array.from({ length: 20 }, () => ({ key: 'order-1' })),
      batchSize: 5,
      concurrency: 2,
    })
    const { log, verdict } = await readBack(c, ledger)
    const inLog = new Set(log.records.map((r) => r.id))
    const byCall = [0, 1, 2, 3].map((call) => ledger.entries.filter((e) => e.call === call))
    // The first call is written where it was acknowledged; the second is acknowledged at the very same offsets and absent.
    expect(byCall[0]?.every((e) => e.outcome === 'ok' && inLog.has(e.id))).toBe(true)
    expect(byCall[1]?.map((e) => [e.outcome, e.offset, inLog.has(e.id)])).toEqual(byCall[0]?.map((e) => ['ok', e.offset, false]))
    // What later calls do depends on when each request took its sequence numbers: seen written, and
    // seen failing OUT_OF_ORDER_SEQUENCE_NUMBER (sequence numbers ahead of the leader's). Not pinned.
    expect(verdict.anomalies.lost.count).toBeGreaterThanOrEqual(5)
    expect(verdict.anomalies.overwritten.count).toBe(verdict.anomalies.lost.count)
  })
})

/**
 * The same mechanism with one call at a time, as the gate's connections-reset scenario first
 * showed it (safe-profile@platformatic: 1 acknowledged and lost, its offset holding an earlier
 * record): a call that gives up (its 3 production retries used up) although the leader wrote it
 * never advanced the partition's sequence number, so the next call of the same size is built with
 * the given-up call's numbers; the leader takes it for a retry of the batch it holds and answers
 * with that batch's offset. The Java client moves its sequence numbers on (or bumps its epoch)
 * after a batch expires, and never reports a record at another record's offset.
 */
describe('@platformatic/kafka: the next send after a give-up', () => {
  test.skipIf(!installedClient('platformatic'))(`an idempotent producer with its production retries: the next same-size call is acknowledged at the given-up record's offset and never written${skipNote('platformatic')}`, async () => {
    const config = parseGateConfig({ name: 'platformatic idempotent', client: 'platformatic', producer: { acks: 'all', idempotent: true }, claims: { noAcknowledgedLoss: true } })
    const outcome = await runStory(cluster(), { suite: 'clients' }, afterAGiveUp(1), [{ variant: config.name, client: 'platformatic', producer: productionProfile(config) }])
    const lane = outcome.variant(config.name)
    const call = (key: string) => lane.ledger.entries.filter((e) => e.key === key)
    const [one, two, three] = [call('order-1'), call('order-2'), call('order-3')]
    expect(one.map((e) => e.outcome)).toEqual([expect.stringMatching(/^(unknown|failed)$/)])
    const written = lane.log.records.filter((r) => r.id === one[0]?.id).map((r) => r.offset)
    expect(written).toHaveLength(1)
    expect(two).toMatchObject([{ outcome: 'ok', offset: written[0] }])
    expect(lane.verdict).toHaveLost(1)
    expect(lane.verdict.anomalies.lost.evidence).toMatchObject([{ id: two[0]?.id, ack: { offset: written[0] }, holder: { id: one[0]?.id } }])
    expect(three.map((e) => e.outcome)).toEqual(['ok'])
  })
})
