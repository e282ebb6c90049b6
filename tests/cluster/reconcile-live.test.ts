import { describe, expect, test } from 'vitest'
import { clientEndpoint } from '../../harness/clients/index.js'
import { reconcile } from '../../harness/reconcile/index.js'
import { readTopic, sendRecords, startWorkload } from '../../harness/workload/index.js'
import { freshName } from '../../harness/engines/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * The reconciler on the real cluster: a clean run is clean, and the detectors see what really
 * happens to a log (records removed from it, a record written twice).
 */
describe('reconciling a real log', () => {
  test('a clean acks=all run with no fault reconciles to zero anomalies', async () => {
    const c = cluster()
    const topic = freshName('clean')
    await c.createTopic(topic, { partitions: 3 })
    const run = startWorkload({ endpoint: clientEndpoint(c), topic, producer: { acks: -1, idempotent: true }, keys: 12, count: 600, batchSize: 5, concurrency: 3 })
    const ledger = await run.done
    const verdict = reconcile(ledger, await readTopic({ kafka: c.kafka(), topic }))
    expect(verdict.totals).toMatchObject({ sent: 600, acknowledged: 600, failed: 0, unknown: 0, read: 600 })
    expect(verdict).toBeClean()
  })

  test('records removed from the log after their ack are reported lost, exactly those', async () => {
    const c = cluster()
    const topic = freshName('removed')
    await c.createTopic(topic, { partitions: 1 })
    const ledger = await sendRecords({ endpoint: clientEndpoint(c), topic, producer: { acks: -1 }, records: Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}` })), batchSize: 1 })
    // deleteRecords moves the log start offset: the first 7 acknowledged records are gone.
    const admin = c.kafka().admin()
    await admin.connect()
    await admin.fetchTopicMetadata({ topics: [topic] }) // kafkajs needs the leaders known first
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '7' }] })
    await admin.disconnect()
    const verdict = reconcile(ledger, await readTopic({ kafka: c.kafka(), topic }))
    expect(verdict).toHaveLost(7)
    expect(verdict.anomalies.lost.evidence.map((e) => e.ack?.offset).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(verdict).toHaveNoDuplicates()
  })

  test('a record written twice under one id is reported duplicated, with both offsets', async () => {
    const c = cluster()
    const topic = freshName('twice')
    await c.createTopic(topic, { partitions: 1 })
    const first = await sendRecords({ endpoint: clientEndpoint(c), topic, producer: { acks: -1 }, records: [{ key: 'order-7', id: 'payment-1' }, { key: 'order-8', id: 'payment-2' }] })
    // What a retry after a lost response does: the same record again, from a new producer.
    await sendRecords({ endpoint: clientEndpoint(c), topic, producer: { acks: -1 }, records: [{ key: 'order-7', id: 'payment-1' }] })
    const verdict = reconcile(first, await readTopic({ kafka: c.kafka(), topic }))
    expect(verdict).toHaveDuplicated(1)
    expect(verdict.anomalies.duplicated.evidence[0]?.positions).toEqual([
      { partition: 0, offset: 0 },
      { partition: 0, offset: 2 },
    ])
  })
})
