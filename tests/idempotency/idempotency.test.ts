import { afterAll, afterEach, beforeEach, describe, expect, test } from 'vitest'
import { printNotes, IdempotencyLab, IDEMPOTENT, NON_IDEMPOTENT, SUITE } from '../../harness/scenarios/idempotency.js'
import { probeAfterProduceError, queuedBehindLostAnswer, retriesWhenNoneGiven } from '../../harness/scenarios/idempotency-kafkajs.js'
import { overtakenRetry } from '../../harness/scenarios/idempotency-order.js'
import { resetMidProduce, responseLostAfterAppend } from '../../harness/scenarios/idempotency-retries.js'
import { doubleCharge } from '../../harness/scenarios/payments.js'
import { KILLED_AFTER_COMMIT, KILLED_BEFORE_COMMIT, KILLED_IDEMPOTENT, paymentResentAfterCrash } from '../../harness/scenarios/payments-restart.js'
import { ResultsCollector } from '../../harness/report/index.js'
import type { Verdict } from '../../harness/reconcile/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

const results = new ResultsCollector(SUITE)
let lab: IdempotencyLab
beforeEach(() => {
  lab = new IdempotencyLab(cluster(), results)
})
afterEach(() => lab.tearDown())
afterAll(() => {
  results.print('idempotency: scenario × producer')
  printNotes(results.rows)
  results.save()
})

const duplicatedIds = (v: Verdict): string[] => v.anomalies.duplicated.evidence.map((e) => e.id).sort()
/** Each record of a key read before one handed to send() earlier: [read first, sent first]. */
const overtakes = (v: Verdict): string[][] => v.anomalies.outOfSendOrder.evidence.map((e) => [e.readFirst.id, e.sentFirst.id])
const MAX_IN_FLIGHT_1 = { name: NON_IDEMPOTENT.name, producer: { ...NON_IDEMPOTENT.producer, requestsInFlight: 1 } }

describe('idempotency: retry duplicates, the double charge, and where the idempotent producer stops helping', () => {
  test('the answer is lost after the leader appended 3 records: the non-idempotent retry writes exactly those 3 again', async () => {
    const run = await responseLostAfterAppend(lab, NON_IDEMPOTENT)
    expect(run.verdict).toHaveDuplicated(3)
    expect(duplicatedIds(run.verdict)).toEqual([...run.lostAnswer].sort())
    expect(run.verdict).toHaveNoLostAcks()
  })

  test('the answer is lost after the leader appended 3 records: the idempotent retry is answered from the batch the leader holds', async () => {
    const run = await responseLostAfterAppend(lab, IDEMPOTENT)
    expect(run.verdict).toBeClean()
    expect(run.verdict.totals).toMatchObject({ sent: 4, acknowledged: 4, read: 4 })
  })

  test('connections reset mid-produce under steady load: the non-idempotent producer duplicates exactly the records written without an answer', async () => {
    const run = await resetMidProduce(lab, NON_IDEMPOTENT, 4)
    expect(run.writtenUnanswered).toBe(8)
    expect(run.verdict).toHaveDuplicated(run.writtenUnanswered)
    expect(run.verdict).toHaveNoLostAcks()
  })

  // One send in flight: with several, a call queued behind the reset one can take its sequence
  // numbers (see the two 'queued behind a lost answer' tests), and which call goes first after the
  // heal is kafkajs's random back-off, not the scenario's construction.
  test('connections reset mid-produce under steady load: the idempotent producer writes nothing twice', async () => {
    const run = await resetMidProduce(lab, IDEMPOTENT, 1)
    expect(run.writtenUnanswered).toBe(2)
    expect(run.verdict).toBeClean()
  })

  test('10:02 payment-service sends PaymentReceived p-17, the connection resets after the broker wrote it, the retry succeeds: billing charges order-17 twice', async () => {
    const run = await doubleCharge(lab, NON_IDEMPOTENT)
    run.story.print('the April postmortem, non-idempotent payment-service:')
    expect(run.chargedTwice).toEqual(['p-17'])
    expect(run.verdict).toHaveDuplicated(run.chargedTwice.length)
    expect(duplicatedIds(run.verdict)).toEqual(run.chargedTwice)
  })

  test('the same 10:02 with the idempotent producer: the leader recognises the retry, billing charges every order once', async () => {
    const run = await doubleCharge(lab, IDEMPOTENT)
    run.story.print('the April postmortem, idempotent payment-service:')
    expect(run.chargedTwice).toEqual([])
    expect(run.verdict).toBeClean()
  })

  test('payment-service is SIGKILLed after the broker wrote p-42; its restart, a new producer id, resends p-42: written twice, billing charges order-42 twice, billing v2 (dedupes by payment id) once', async () => {
    const run = await paymentResentAfterCrash(lab, KILLED_IDEMPOTENT)
    run.story.print('where idempotence ends: payment-service dies, its restart resends')
    expect(run.producers.after.id).not.toBe(run.producers.before.id)
    expect(run.verdict).toHaveDuplicated(1)
    expect(duplicatedIds(run.verdict)).toEqual(['p-42'])
    expect(run.charges.get('p-42')).toBe(2)
    expect([...run.chargesDeduped.values()]).toEqual([1, 1, 1])
  })

  test('a transactional payment-service killed before its commit: the restart (same transactional.id, a later epoch) fences it and aborts the unfinished p-42, charged once', async () => {
    const run = await paymentResentAfterCrash(lab, KILLED_BEFORE_COMMIT)
    run.story.print('transactional payment-service, killed before commit')
    expect(run.producers.after.id).toBe(run.producers.before.id)
    expect(run.producers.after.epoch).toBeGreaterThan(run.producers.before.epoch ?? Infinity)
    expect(run.copiesInLog).toBe(2)
    expect(run.verdict).toBeClean()
    expect(run.charges.get('p-42')).toBe(1)
  })

  test('a transactional payment-service killed after its commit, before it recorded p-42 as sent: the resend commits too, charged twice', async () => {
    const run = await paymentResentAfterCrash(lab, KILLED_AFTER_COMMIT)
    run.story.print('transactional payment-service, killed after commit')
    expect(run.verdict).toHaveDuplicated(1)
    expect(run.charges.get('p-42')).toBe(2)
    expect(run.chargesDeduped.get('p-42')).toBe(1)
  })

  test('order within a key: a send retried by kafkajs is overtaken by a later send of the same key (non-idempotent, maxInFlightRequests 1)', async () => {
    const run = await overtakenRetry(lab, MAX_IN_FLIGHT_1, 'together')
    expect(run.verdict.anomalies.outOfSendOrder.count).toBe(1)
    expect(overtakes(run.verdict)).toEqual([[run.b.id, run.a.id]])
    expect(run.verdict).toHaveNoReordering() // B was sent before A was acknowledged: no real-time order broken
    expect(run.verdict.violations).toEqual(['outOfSendOrder'])
  })

  test('order within a key: the idempotent producer is overtaken the same way (kafkajs gives the failed batch’s sequence numbers to the next one)', async () => {
    const run = await overtakenRetry(lab, IDEMPOTENT, 'together')
    expect(run.verdict.anomalies.outOfSendOrder.count).toBe(1)
    expect(overtakes(run.verdict)).toEqual([[run.b.id, run.a.id]])
    expect(run.verdict.violations).toEqual(['outOfSendOrder'])
  })

  test('order within a key: awaiting each send keeps the send order through the same fault', async () => {
    const run = await overtakenRetry(lab, MAX_IN_FLIGHT_1, 'one at a time')
    expect(run.a.attempts).toBeGreaterThan(1)
    expect(run.verdict).toKeepSendOrder()
    expect(run.verdict).toBeClean()
  })

  test('kafkajs: a send queued behind a lost answer meets OUT_OF_ORDER_SEQUENCE_NUMBER, is not retried, and the producer recovers', async () => {
    const run = await queuedBehindLostAnswer(lab, 2)
    expect(run.queued.map((e) => [e.outcome, e.attempts, e.error?.type ?? e.error?.cause?.type])).toEqual([
      ['failed', 1, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      ['failed', 1, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
    ])
    expect(run.after.map((e) => e.outcome)).toEqual(['ok'])
    expect(run.verdict).toBeClean()
  })

  test('kafkajs: a same-size send queued behind a lost answer is acknowledged but never written, and the first send is written twice', async () => {
    const run = await queuedBehindLostAnswer(lab, 1)
    expect(run.queued.map((e) => e.outcome)).toEqual(['ok'])
    expect(run.verdict).toHaveLost(1)
    expect(run.verdict.anomalies.lost.evidence.map((e) => e.id)).toEqual(run.queued.map((e) => e.id))
    expect(run.verdict).toHaveDuplicated(1)
    expect(duplicatedIds(run.verdict)).toEqual(run.first.map((e) => e.id))
  })

  test('kafkajs: an idempotent producer given no retry option gives up after the retrier defaults (15 retries under NODE_ENV=test, else 5), not Number.MAX_SAFE_INTEGER', async () => {
    const run = await retriesWhenNoneGiven(lab)
    const expected = process.env.NODE_ENV === 'test' ? 15 : 5
    expect(run.entry).toMatchObject({ outcome: 'failed', attempts: expected + 1, error: { name: 'KafkaJSNumberOfRetriesExceeded', retries: expected } })
  })

  test.each(['UNKNOWN_PRODUCER_ID', 'OUT_OF_ORDER_SEQUENCE_NUMBER'] as const)(
    'kafkajs: after %s it fails the send at once, keeps its producer id and sends the same sequence number again; it never asks for a new producer id',
    async (errorType) => {
      const probe = await probeAfterProduceError(errorType)
      expect(probe.failing).toEqual({ outcome: 'error', name: 'KafkaJSProtocolError', type: errorType })
      expect(probe.next).toEqual(probe.failing)
      expect(probe.initProducerIdCalls).toBe(1)
      expect(probe.produced).toEqual([
        { producerId: 1001, producerEpoch: 0, firstSequence: 0 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 1 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 2 },
        { producerId: 1001, producerEpoch: 0, firstSequence: 2 },
      ])
    },
  )
})
