/**
 * kafkajs, pinned: a send queued behind a lost answer. The idempotent producer serialises produce
 * requests per broker (eosManager.acquireBrokerLock) and assigns sequence numbers when a request
 * is built. When a request fails on the client side (here: its connection closes after the leader
 * wrote it), kafkajs gives its sequence numbers back (sendMessages.js, updateSequence(-n)) and
 * releases the lock; the call queued behind it is built next and takes those same numbers, before
 * the failed call's retry. The leader already holds a batch with them:
 * - the queued batch has a different record count: OUT_OF_ORDER_SEQUENCE_NUMBER. kafkajs treats
 *   it as not retriable and fails that call at once. The producer recovers by itself: the first
 *   call's retry is the exact batch the leader holds (answered from it, nothing written), and
 *   later sends go on in sequence.
 * - the same record count: the leader takes it for a retry of the batch it holds and answers with
 *   that batch's offsets. The queued call is acknowledged but never written, and the first call's
 *   retry, now one sequence number further, is written again: lost acknowledgements and
 *   duplicates from the idempotent producer.
 *
 * Call 1 (one record, order-1) is written but its answer is lost on the line; call 2
 * (`queuedRecords` records, order-2) waits behind it; the line heals. Then call 3 (order-3).
 */
import { laneSession, loseTheAnswer, warm, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'

export function queuedBehindLostAnswer(queuedRecords: number) {
  return async (lab: Lab, profiles: readonly Profile[]): Promise<Outcome> => {
    const side = await lab.lanes({ scenario: `kafkajs: a send queued behind a lost answer (a queued call of ${queuedRecords}, the first call 1)`, profiles, partitions: 1 })
    const line = await lab.line('queued-behind')
    const sessions = side.lanes.map((lane) => laneSession(lab, lane, line))
    await warm(sessions)
    const queued = Array.from({ length: queuedRecords }, () => ({ key: 'order-2' }))
    const calls = await loseTheAnswer(side, line, {
      records: 1,
      what: 'the record of call 1 written by the leader',
      send: () => sessions.map((s) => s.send([{ key: 'order-1' }])),
      meanwhile: () => sessions.map((s) => s.send(queued, { batchSize: queuedRecords })),
    })
    await Promise.all([...calls.sent, ...(calls.meanwhile ?? [])])
    await Promise.all(sessions.map((s) => s.send([{ key: 'order-3' }])))
    return side.settle(await Promise.all(sessions.map(async (s) => ({ ledger: await s.close() }))))
  }
}
