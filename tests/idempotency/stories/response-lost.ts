/**
 * The answer is lost after the append. Each lane's producer sends LOST_ANSWER records in one call
 * (to its topic's one partition: no client is asked to honour a record's own partition);
 * the leader writes them, and its answer never reaches the producer (dropped on the line) until
 * every lane's records are written; then the held connection closes and the producer retries.
 * A producer without idempotence writes the records again: retry duplicates. The idempotent
 * producer's retry carries the same producer id and sequence numbers, and the leader answers it
 * from the batch it already holds.
 */
import { laneSession, loseTheAnswer, warm, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import type { Ledger } from '../../../harness/workload/index.js'

/** Records whose answer is lost, per lane. */
export const LOST_ANSWER = 3
/** Their ids: the same in every lane. */
export const LOST_ANSWER_IDS = Array.from({ length: LOST_ANSWER }, (_, i) => `answer-lost-${i + 1}`)

export async function responseLostAfterAppend(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  const side = await lab.lanes({ scenario: 'response lost after the append', profiles, partitions: 1 })
  const line = await lab.line('answers')
  const sessions = side.lanes.map((lane) => laneSession(lab, lane, line))
  let ledgers: Ledger[] = []
  try {
    await warm(sessions)
    const records = LOST_ANSWER_IDS.map((id, i) => ({ key: `order-${i + 1}`, id }))
    const { sent } = await loseTheAnswer(side, line, {
      records: LOST_ANSWER,
      what: `the ${LOST_ANSWER} records of the lost answer written by the leader`,
      send: () => sessions.map((s) => s.send(records, { batchSize: LOST_ANSWER })),
    })
    await Promise.all(sent)
  } finally {
    ledgers = await Promise.all(sessions.map((s) => s.close()))
  }
  return side.settle(ledgers.map((ledger) => ({ ledger })))
}
