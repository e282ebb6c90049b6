/**
 * The producer process restarts after the broker wrote but before it learned so. Each lane's first
 * producer sends LOST_ANSWER records whose answer is dropped; once they are written its line is
 * torn down for good (the process is gone, nothing of it reaches the cluster again); a new
 * producer, with a new producer id, sends the same records again, as an application resending
 * what it never saw acknowledged does. Idempotence is per producer session: a lane without
 * transactions writes them twice. A transactional lane's new producer has the same
 * transactional.id: it fences the dead one and aborts its open transaction, so they are written
 * once. What every config must keep: no acknowledged record lost, key order.
 */
import { laneSession, loseTheAnswer, warm, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { mergeLedgers, type Ledger } from '../../../harness/workload/index.js'
import { LOST_ANSWER } from '../../idempotency/stories/response-lost.js'

export async function producerRestart(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  const side = await lab.lanes({ scenario: 'producer restart after the write', profiles, partitions: 1 })
  const line = await lab.line('restart')
  const records = Array.from({ length: LOST_ANSWER }, (_, i) => ({ key: `order-${i + 1}`, id: `restart-${i + 1}` }))
  const first = side.lanes.map((lane) => laneSession(lab, lane, line, { drainTimeoutMs: 3_000 }))
  let before: Ledger[] = []
  try {
    await warm(first)
    await loseTheAnswer(side, line, {
      records: LOST_ANSWER,
      what: `the ${LOST_ANSWER} records written by the leader before the process dies`,
      send: () => first.forEach((s) => void s.send(records, { batchSize: LOST_ANSWER })),
      meanwhile: () => line.close(), // the process dies: its connections close, and no retry of it can reach a broker
    })
  } finally {
    await line.close()
    before = await Promise.all(first.map((s) => s.close()))
  }
  const after = await Promise.all(
    side.lanes.map(async (lane) => {
      const second = laneSession(lab, lane, undefined)
      await second.send(records, { batchSize: LOST_ANSWER })
      return second.close()
    }),
  )
  // The application's ledger across the restart: one entry per record, from the session that last sent it.
  const resent = (b: Ledger, a: Ledger): Ledger => mergeLedgers([{ ...b, entries: b.entries.filter((e) => !a.entries.some((x) => x.id === e.id)) }, a])
  return side.settle(side.lanes.map((_, i) => ({ ledger: resent(before[i] as Ledger, after[i] as Ledger) })))
}
