/**
 * kafkajs, pinned: the next send after a give-up. The idempotent producer assigns a batch's
 * sequence numbers when it builds a produce request and gives them back when the request fails on
 * the client side (src/producer/sendMessages.js: updateSequence(+n) before broker.produce,
 * updateSequence(-n) in its catch). When a call gives up (its retries used up) although the leader
 * wrote its last attempt, nothing takes them again: the producer's next call to that partition is
 * built with them.
 * - the same record count: the leader takes it for a retry of the batch it holds and answers with
 *   that batch's offset. The call is acknowledged and never written.
 * - a different count: OUT_OF_ORDER_SEQUENCE_NUMBER, not retried, and its numbers are given back
 *   too: the next call of the first call's size is the one acknowledged and never written.
 * - without idempotence there are no sequence numbers: the next call is written.
 *
 * @platformatic/kafka 1.35.0 gets there another way: it advances a partition's sequence number only
 * when an answer arrives, so a call that gave up never advanced it (tests/clients/platformatic.test.ts).
 *
 * Call 1 (one record, order-1) is sent while the leader's answers are dropped on the line; the
 * leader writes it, every attempt times out (ATTEMPT_TIMEOUT_MS), kafkajs gives up, and the line
 * heals. Then call 2 (`nextRecords` records, order-2), then call 3 (one record, order-3).
 */
import { laneSession, loseTheAnswer, warm, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'

/** Each attempt's request timeout: short, so that a producer of few retries gives up inside the fault. */
const ATTEMPT_TIMEOUT_MS = 3_000

export function afterAGiveUp(nextRecords: number) {
  return async (lab: Lab, profiles: readonly Profile[]): Promise<Outcome> => {
    const side = await lab.lanes({ scenario: `the next send after a give-up (call 2 of ${nextRecords}, call 1 of 1)`, profiles, partitions: 1 })
    const line = await lab.line('gave-up')
    const sessions = new Map(side.lanes.map((lane) => [lane, laneSession(lab, lane, line, { requestTimeoutMs: ATTEMPT_TIMEOUT_MS })]))
    const all = [...sessions.values()]
    await warm(all)
    await loseTheAnswer(side, line, {
      records: 1,
      what: 'the record of call 1 written by the leader',
      send: () => all.map((s) => s.send([{ key: 'order-1' }])),
      meanwhile: () =>
        side.eachLane(
          side.lanes,
          () => 'call 1 given up by its producer, every answer dropped',
          (lane) => {
            const inFlight = sessions.get(lane)?.progress().inFlight
            if (inFlight !== 0) throw new Error(`${inFlight} record(s) of call 1 still in flight`)
          },
          { timeoutMs: 60_000, maxIntervalMs: 100 },
        ),
    })
    await Promise.all(all.map((s) => s.send(Array.from({ length: nextRecords }, () => ({ key: 'order-2' })), { batchSize: nextRecords })))
    await Promise.all(all.map((s) => s.send([{ key: 'order-3' }])))
    return side.settle(await Promise.all(all.map(async (s) => ({ ledger: await s.close() }))))
  }
}
