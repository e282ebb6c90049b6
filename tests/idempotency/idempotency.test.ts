import { afterAll, describe, expect, test } from 'vitest'
import { freshName, once, runStory, type LaneResult, type Profile, type Story } from '../../harness/engines/index.js'
import type { Verdict } from '../../harness/reconcile/index.js'
import { ResultsCollector, type ScenarioResult } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { doubleCharge } from './stories/double-charge.js'
import { aAndB, overtakenRetry } from './stories/overtaken-retry.js'
import { paymentResentAfterCrash } from './stories/payment-resent-after-crash.js'
import { queuedBehindLostAnswer } from './stories/queued-behind.js'
import { resetMidProduce } from './stories/reset-mid-produce.js'
import { LOST_ANSWER_IDS, responseLostAfterAppend } from './stories/response-lost.js'
import { retriesWhenNoneGiven } from './stories/retries-when-none-given.js'

const results = new ResultsCollector('idempotency')
afterAll(() => {
  results.print('idempotency: scenario × producer')
  printNotes(results.rows)
  results.save()
})
/** Runs a story once over `profiles`, however many tests read it. */
const run = <O extends Awaited<ReturnType<Story>>>(story: Story<O>, ...profiles: Profile[]) => once(() => runStory(cluster(), { suite: 'idempotency', results }, story, profiles))

/** kafkajs's plain producer: retries (5 by default; 15 under NODE_ENV=test), no sequence numbers. */
const NON_IDEMPOTENT: Profile = { variant: 'non-idempotent', producer: { acks: -1, idempotent: false } }
/** kafkajs's idempotent producer: a producer id and per-partition sequence numbers. */
const IDEMPOTENT: Profile = { variant: 'idempotent', producer: { acks: -1, idempotent: true } }
const MAX_IN_FLIGHT_1: Profile = { ...NON_IDEMPOTENT, variant: 'non-idempotent, maxInFlightRequests 1', producer: { acks: -1, idempotent: false, requestsInFlight: 1 } }
/** payment-service's producer: idempotent, or transactional with one transactional.id across its restarts. */
const PAYMENT_SERVICE: Profile = { variant: 'idempotent payment-service', producer: { acks: -1, idempotent: true, requestsInFlight: 1 } }
const TRANSACTIONAL = (): Profile => ({ variant: 'transactional payment-service', producer: { ...PAYMENT_SERVICE.producer, transactionalId: freshName('payment-service') } })

const duplicatedIds = (v: Verdict): string[] => v.anomalies.duplicated.evidence.map((e) => e.id).sort()
/** Each record of a key read before one handed to send() earlier: [read first, sent first]. */
const overtakes = (v: Verdict): string[][] => v.anomalies.outOfSendOrder.evidence.map((e) => [e.readFirst.id, e.sentFirst.id])
/** The entries of a lane's sends of `key`, in send order. */
const sendsOf = (lane: LaneResult, key: string) => lane.ledger.entries.filter((e) => e.key === key).sort((a, b) => a.n - b.n)

const lostAnswer = run(responseLostAfterAppend, NON_IDEMPOTENT, IDEMPOTENT)
const resets = run(resetMidProduce, { variant: 'non-idempotent, 4 sends in flight', producer: { ...NON_IDEMPOTENT.producer, callsInFlight: 4, recordsPerCall: 2 } }, { variant: 'idempotent, 1 send in flight', producer: { ...IDEMPOTENT.producer, callsInFlight: 1, recordsPerCall: 2 } })
const charged = run(doubleCharge, NON_IDEMPOTENT, IDEMPOTENT)
const overtaken = run(overtakenRetry('together'), MAX_IN_FLIGHT_1, IDEMPOTENT)

describe('idempotency: retry duplicates, the double charge, and where the idempotent producer stops helping', () => {
  test('the answer is lost after the leader appended 3 records: the non-idempotent retry writes exactly those 3 again', async () => {
    const { verdict } = (await lostAnswer()).variant('non-idempotent')
    expect(verdict).toHaveDuplicated(3)
    expect(duplicatedIds(verdict)).toEqual(LOST_ANSWER_IDS)
    expect(verdict).toHaveNoLostAcks()
  })

  test('the answer is lost after the leader appended 3 records: the idempotent retry is answered from the batch the leader holds', async () => {
    const { verdict } = (await lostAnswer()).variant('idempotent')
    expect(verdict).toBeClean()
    expect(verdict.totals).toMatchObject({ sent: 4, acknowledged: 4, read: 4 })
  })

  test('connections reset mid-produce under steady load: the non-idempotent producer duplicates exactly the records written without an answer', async () => {
    const { facts, verdict } = (await resets()).variant('non-idempotent, 4 sends in flight')
    expect(facts.writtenUnanswered).toBe(8)
    expect(verdict).toHaveDuplicated(8)
    expect(verdict).toHaveNoLostAcks()
  })

  // One send in flight: with several, a call queued behind the reset one can take its sequence
  // numbers (see the two 'queued behind a lost answer' tests), and which call goes first after the
  // heal is kafkajs's random back-off, not the story's construction.
  test('connections reset mid-produce under steady load: the idempotent producer writes nothing twice', async () => {
    const { facts, verdict } = (await resets()).variant('idempotent, 1 send in flight')
    expect(facts.writtenUnanswered).toBe(2)
    expect(verdict).toBeClean()
  })

  test('10:02 payment-service sends PaymentReceived p-17, the connection resets after the broker wrote it, the retry succeeds: billing charges order-17 twice', async () => {
    const o = await charged()
    const { timeline, chargedTwice } = o.payments('non-idempotent')
    timeline.print('the April postmortem, non-idempotent payment-service:')
    expect(chargedTwice).toEqual(['p-17'])
    expect(o.variant('non-idempotent').verdict).toHaveDuplicated(1)
    expect(duplicatedIds(o.variant('non-idempotent').verdict)).toEqual(chargedTwice)
  })

  test('the same 10:02 with the idempotent producer: the leader recognises the retry, billing charges every order once', async () => {
    const o = await charged()
    const { timeline, chargedTwice } = o.payments('idempotent')
    timeline.print('the April postmortem, idempotent payment-service:')
    expect(chargedTwice).toEqual([])
    expect(o.variant('idempotent').verdict).toBeClean()
  })

  test('payment-service is SIGKILLed after the broker wrote p-42; its restart, a new producer id, resends p-42: written twice, billing charges order-42 twice, billing v2 (dedupes by payment id) once', async () => {
    const o = await run(paymentResentAfterCrash('after the write, before the answer'), PAYMENT_SERVICE)()
    const { timeline, producers, charges, chargesDeduped } = o.payments(PAYMENT_SERVICE.variant)
    timeline.print('where idempotence ends: payment-service dies, its restart resends')
    expect(producers.after.id).not.toBe(producers.before.id)
    expect(o.variant(PAYMENT_SERVICE.variant).verdict).toHaveDuplicated(1)
    expect(duplicatedIds(o.variant(PAYMENT_SERVICE.variant).verdict)).toEqual(['p-42'])
    expect(charges.get('p-42')).toBe(2)
    expect([...chargesDeduped.values()]).toEqual([1, 1, 1])
  })

  test('a transactional payment-service killed before its commit: the restart (same transactional.id, a later epoch) fences it and aborts the unfinished p-42, charged once', async () => {
    const txn = TRANSACTIONAL()
    const o = await run(paymentResentAfterCrash('after the write, before the commit'), txn)()
    const { timeline, producers, copiesInLog, charges } = o.payments(txn.variant)
    timeline.print('transactional payment-service, killed before commit')
    expect(producers.after.id).toBe(producers.before.id)
    expect(producers.after.epoch).toBeGreaterThan(producers.before.epoch ?? Infinity)
    expect(copiesInLog).toBe(2)
    expect(o.variant(txn.variant).verdict).toBeClean()
    expect(charges.get('p-42')).toBe(1)
  })

  test('a transactional payment-service killed after its commit, before it recorded p-42 as sent: the resend commits too, charged twice', async () => {
    const txn = TRANSACTIONAL()
    const o = await run(paymentResentAfterCrash('after the commit, before recording it'), txn)()
    const { timeline, charges, chargesDeduped } = o.payments(txn.variant)
    timeline.print('transactional payment-service, killed after commit')
    expect(o.variant(txn.variant).verdict).toHaveDuplicated(1)
    expect(charges.get('p-42')).toBe(2)
    expect(chargesDeduped.get('p-42')).toBe(1)
  })

  test('order within a key: a send retried by kafkajs is overtaken by a later send of the same key (non-idempotent, maxInFlightRequests 1)', async () => {
    const lane = (await overtaken()).variant(MAX_IN_FLIGHT_1.variant)
    const { a, b } = aAndB(lane)
    expect(lane.verdict.anomalies.outOfSendOrder.count).toBe(1)
    expect(overtakes(lane.verdict)).toEqual([[b.id, a.id]])
    expect(lane.verdict).toHaveNoReordering() // B was sent before A was acknowledged: no real-time order broken
    expect(lane.verdict.violations).toEqual(['outOfSendOrder'])
  })

  test('order within a key: the idempotent producer is overtaken the same way (kafkajs gives the failed batch’s sequence numbers to the next one)', async () => {
    const lane = (await overtaken()).variant(IDEMPOTENT.variant)
    const { a, b } = aAndB(lane)
    expect(lane.verdict.anomalies.outOfSendOrder.count).toBe(1)
    expect(overtakes(lane.verdict)).toEqual([[b.id, a.id]])
    expect(lane.verdict.violations).toEqual(['outOfSendOrder'])
  })

  test('order within a key: awaiting each send keeps the send order through the same fault', async () => {
    const lane = (await run(overtakenRetry('one at a time'), MAX_IN_FLIGHT_1)()).variant(MAX_IN_FLIGHT_1.variant)
    expect(aAndB(lane).a.attempts).toBeGreaterThan(1)
    expect(lane.verdict).toKeepSendOrder()
    expect(lane.verdict).toBeClean()
  })

  test('kafkajs: a send queued behind a lost answer meets OUT_OF_ORDER_SEQUENCE_NUMBER, is not retried, and the producer recovers', async () => {
    const lane = (await run(queuedBehindLostAnswer(2), IDEMPOTENT)()).variant(IDEMPOTENT.variant)
    expect(sendsOf(lane, 'order-2').map((e) => [e.outcome, e.attempts, e.error?.type ?? e.error?.cause?.type])).toEqual([
      ['failed', 1, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      ['failed', 1, 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
    ])
    expect(sendsOf(lane, 'order-3').map((e) => e.outcome)).toEqual(['ok'])
    expect(lane.verdict).toBeClean()
  })

  test('kafkajs: a same-size send queued behind a lost answer is acknowledged but never written, and the first send is written twice', async () => {
    const lane = (await run(queuedBehindLostAnswer(1), IDEMPOTENT)()).variant(IDEMPOTENT.variant)
    const queued = sendsOf(lane, 'order-2')
    expect(queued.map((e) => e.outcome)).toEqual(['ok'])
    expect(lane.verdict).toHaveLost(1)
    expect(lane.verdict.anomalies.lost.evidence.map((e) => e.id)).toEqual(queued.map((e) => e.id))
    expect(lane.verdict).toHaveDuplicated(1)
    expect(duplicatedIds(lane.verdict)).toEqual(sendsOf(lane, 'order-1').map((e) => e.id))
  })

  test('kafkajs: an idempotent producer given no retry option gives up after the retrier defaults (15 retries under NODE_ENV=test, else 5), not Number.MAX_SAFE_INTEGER', async () => {
    const lane = (await run(retriesWhenNoneGiven, { ...IDEMPOTENT, variant: 'idempotent, no retry option' })()).variant('idempotent, no retry option')
    const expected = process.env.NODE_ENV === 'test' ? 15 : 5
    expect(sendsOf(lane, 'order-1')).toMatchObject([{ outcome: 'failed', attempts: expected + 1, error: { name: 'KafkaJSNumberOfRetriesExceeded', retries: expected } }])
  })
})

/** Each row's notes (what the matrix has no column for), one line a row. */
function printNotes(rows: readonly ScenarioResult[]): void {
  const lines = rows
    .filter((r) => r.notes !== undefined && Object.keys(r.notes).length > 0)
    .map((r) => `  ${r.scenario} | ${r.variant}: ${Object.entries(r.notes ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}`)
  if (lines.length) console.log(`notes\n${lines.join('\n')}\n`)
}
