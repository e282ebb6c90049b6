import { afterAll, describe, expect, test } from 'vitest'
import { freshName, once, runStory, type LaneResult, type Profile, type Story } from '../../harness/engines/index.js'
import { transactionalIds } from '../../harness/gate/battery.js'
import { parseGateConfig, productionProfile } from '../../harness/gate/config.js'
import type { Verdict } from '../../harness/reconcile/index.js'
import { ResultsCollector, type ScenarioResult } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { readTopic } from '../../harness/workload/index.js'
import { afterAGiveUp } from './stories/after-a-give-up.js'
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
/** Runs a story once over `profiles` (a profile that needs the cluster to be made is a function), however many tests read it. */
const run = <O extends Awaited<ReturnType<Story>>>(story: Story<O>, ...profiles: (Profile | (() => Promise<Profile>))[]) =>
  once(async () => runStory(cluster(), { suite: 'idempotency', results }, story, await Promise.all(profiles.map((p) => (typeof p === 'function' ? p() : p)))))

/** kafkajs's plain producer: retries (5 by default; 15 under NODE_ENV=test), no sequence numbers. */
const NON_IDEMPOTENT: Profile = { variant: 'non-idempotent', producer: { acks: -1, idempotent: false } }
/** kafkajs's idempotent producer: a producer id and per-partition sequence numbers. */
const IDEMPOTENT: Profile = { variant: 'idempotent', producer: { acks: -1, idempotent: true } }
const MAX_IN_FLIGHT_1: Profile = { ...NON_IDEMPOTENT, variant: 'non-idempotent, maxInFlightRequests 1', producer: { acks: -1, idempotent: false, requestsInFlight: 1 } }
/** payment-service's producer: idempotent, or transactional with one transactional.id across its restarts. */
const PAYMENT_SERVICE: Profile = { variant: 'idempotent payment-service', producer: { acks: -1, idempotent: true, requestsInFlight: 1 } }
const TRANSACTIONAL = (): Profile => ({ variant: 'transactional payment-service', producer: { ...PAYMENT_SERVICE.producer, transactionalId: freshName('payment-service') } })

/** One retry (kafkajs refuses none with idempotence): every attempt of a call can lose its answer. */
const ONE_RETRY = { retries: 1, retryBackoff: { initialMs: 100 } }
const IDEMPOTENT_1_RETRY: Profile = { variant: 'idempotent, 1 retry', producer: { ...IDEMPOTENT.producer, ...ONE_RETRY } }
const NON_IDEMPOTENT_1_RETRY: Profile = { variant: 'non-idempotent, 1 retry', producer: { ...NON_IDEMPOTENT.producer, ...ONE_RETRY } }
/** A gate config's producer as production runs it (kafkajs's production retry defaults: vitest's NODE_ENV=test would pick others). */
const production = (name: string, producer: Record<string, unknown>) => parseGateConfig({ name, producer, send: { acks: 'all' }, claims: { noAcknowledgedLoss: true } })
const IDEMPOTENT_PRODUCTION_RETRY: Profile = { variant: 'idempotent, 5 retries (production default)', producer: productionProfile(production('idempotent', { idempotent: true })) }
/**
 * Transactional with the production retries (a call's first AddPartitionsToTxn may meet
 * CONCURRENT_TRANSACTIONS while the previous commit completes, which takes an attempt), its
 * transaction coordinator away from the lanes' leader as the gate places it, so only the produce
 * path loses its answers.
 */
const TRANSACTIONAL_PRODUCTION_RETRY = 'transactional, 5 retries (production default)'
const transactionalAwayFromLeader = async (): Promise<Profile> => {
  const c = production(TRANSACTIONAL_PRODUCTION_RETRY, { idempotent: true, transactionalId: 'after-a-give-up' })
  const transactionalId = (await transactionalIds(cluster(), [c], cluster().nodeIds[0] as number)).get(c)
  return { variant: c.name, producer: { ...productionProfile(c), requestsInFlight: 1, transactionalId } }
}

const duplicatedIds = (v: Verdict): string[] => v.anomalies.duplicated.evidence.map((e) => e.id).sort()
/** Each record of a key read before one handed to send() earlier: [read first, sent first]. */
const overtakes = (v: Verdict): string[][] => v.anomalies.outOfSendOrder.evidence.map((e) => [e.readFirst.id, e.sentFirst.id])
/** The entries of a lane's sends of `key`, in send order. */
const sendsOf = (lane: LaneResult, key: string) => lane.ledger.entries.filter((e) => e.key === key).sort((a, b) => a.n - b.n)
/** The entries of a lane's calls 1, 2 and 3 (keys order-1, order-2, order-3). */
const threeCalls = (lane: LaneResult) => ({ one: sendsOf(lane, 'order-1'), two: sendsOf(lane, 'order-2'), three: sendsOf(lane, 'order-3') })

const lostAnswer = run(responseLostAfterAppend, NON_IDEMPOTENT, IDEMPOTENT)
const resets = run(resetMidProduce, { variant: 'non-idempotent, 4 sends in flight', producer: { ...NON_IDEMPOTENT.producer, callsInFlight: 4, recordsPerCall: 2 } }, { variant: 'idempotent, 1 send in flight', producer: { ...IDEMPOTENT.producer, callsInFlight: 1, recordsPerCall: 2 } })
const charged = run(doubleCharge, NON_IDEMPOTENT, IDEMPOTENT)
const overtaken = run(overtakenRetry('together'), MAX_IN_FLIGHT_1, IDEMPOTENT)
const gaveUp = run(afterAGiveUp(1), IDEMPOTENT_1_RETRY, IDEMPOTENT_PRODUCTION_RETRY, transactionalAwayFromLeader, NON_IDEMPOTENT_1_RETRY)
const gaveUpThen2 = run(afterAGiveUp(2), IDEMPOTENT_1_RETRY)

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

  // One send at a time. Call 1 (order-1) is written by the leader and every answer to it is lost until kafkajs gives up; the line heals; then call 2 (order-2), then call 3 (order-3).
  test.each([IDEMPOTENT_1_RETRY.variant, IDEMPOTENT_PRODUCTION_RETRY.variant])('kafkajs: after a give-up, the next same-size send is acknowledged at the offset of the given-up record and never written (%s)', async (variant) => {
    const lane = (await gaveUp()).variant(variant)
    const { one, two, three } = threeCalls(lane)
    const retries = lane.profile.producer.retries
    expect(one).toMatchObject([{ outcome: 'unknown', attempts: (retries ?? NaN) + 1, error: { name: 'KafkaJSNumberOfRetriesExceeded', retries, cause: { name: 'KafkaJSRequestTimeoutError' } } }])
    const written = lane.log.records.filter((r) => r.id === one[0]?.id).map((r) => r.offset)
    expect(written).toHaveLength(1)
    expect(two).toMatchObject([{ outcome: 'ok', offset: written[0] }])
    expect(lane.verdict).toHaveLost(1)
    expect(lane.verdict.anomalies.lost.evidence).toMatchObject([{ id: two[0]?.id, ack: { offset: written[0] }, holder: { id: one[0]?.id } }])
    expect(lane.verdict.anomalies.overwritten.count).toBe(1) // its acknowledged offset holds call 1
    expect(three).toMatchObject([{ outcome: 'ok' }])
    expect(lane.log.records.find((r) => r.id === three[0]?.id)?.offset).toBe(three[0]?.offset)
    expect(lane.verdict).toHaveNoDuplicates()
  })

  test('kafkajs: a transactional producer aborts the given-up call, and its next same-size send is acknowledged at the aborted record’s offset and never written', async () => {
    const lane = (await gaveUp()).variant(TRANSACTIONAL_PRODUCTION_RETRY)
    const { one, two, three } = threeCalls(lane)
    expect(one).toMatchObject([{ outcome: 'unknown', error: { name: 'KafkaJSNumberOfRetriesExceeded', cause: { name: 'KafkaJSRequestTimeoutError' } } }])
    expect(two).toMatchObject([{ outcome: 'ok' }])
    expect(lane.verdict).toHaveLost(1)
    expect(lane.verdict.anomalies.lost.evidence.map((e) => e.id)).toEqual([two[0]?.id])
    // Read uncommitted, the acknowledged offset holds call 1's aborted record.
    const raw = await readTopic({ kafka: cluster().kafka({ clientId: `raw-reader-${lane.topic}` }), topic: lane.topic, readUncommitted: true })
    expect(raw.records.find((r) => r.offset === two[0]?.offset)?.id).toBe(one[0]?.id)
    expect(lane.log.records.some((r) => r.id === one[0]?.id)).toBe(false)
    expect(three).toMatchObject([{ outcome: 'ok' }])
    expect(lane.log.records.find((r) => r.id === three[0]?.id)?.offset).toBe(three[0]?.offset)
  })

  test('kafkajs: without idempotence the given-up call is written twice (its retry) and the next sends are written where acknowledged', async () => {
    const lane = (await gaveUp()).variant(NON_IDEMPOTENT_1_RETRY.variant)
    const { one, two, three } = threeCalls(lane)
    expect(one).toMatchObject([{ outcome: 'unknown', attempts: 2 }])
    expect(lane.verdict).toHaveNoLostAcks()
    expect(duplicatedIds(lane.verdict)).toEqual(one.map((e) => e.id))
    for (const e of [...two, ...three]) {
      expect(e.outcome).toBe('ok')
      expect(lane.log.records.find((r) => r.id === e.id)?.offset).toBe(e.offset)
    }
  })

  test('kafkajs: after a give-up, a send of another size meets OUT_OF_ORDER_SEQUENCE_NUMBER and gives its sequence numbers back, so the next same-size send is the one acknowledged and never written', async () => {
    const lane = (await gaveUpThen2()).variant(IDEMPOTENT_1_RETRY.variant)
    const { one, two, three } = threeCalls(lane)
    expect(one).toMatchObject([{ outcome: 'unknown', error: { name: 'KafkaJSNumberOfRetriesExceeded' } }])
    expect(two.map((e) => [e.outcome, e.error?.type])).toEqual([
      ['failed', 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
      ['failed', 'OUT_OF_ORDER_SEQUENCE_NUMBER'],
    ])
    const written = lane.log.records.filter((r) => r.id === one[0]?.id).map((r) => r.offset)
    expect(written).toHaveLength(1)
    expect(three).toMatchObject([{ outcome: 'ok', offset: written[0] }])
    expect(lane.verdict).toHaveLost(1)
    expect(lane.verdict.anomalies.lost.evidence).toMatchObject([{ id: three[0]?.id, holder: { id: one[0]?.id } }])
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
