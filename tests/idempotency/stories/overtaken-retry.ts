/**
 * Order within a key: record A of key order-7, then record B of the same key, handed to two
 * `send()` calls of one producer. On the producer's line to the leader each connection may carry
 * only LINE_LIMIT_BYTES towards the broker: A (BIG_RECORD_BYTES) cannot arrive while that holds,
 * B (a few hundred bytes) can. Nothing is written twice and nothing partly: a request cut short is
 * discarded by the broker.
 *
 * kafkajs retries each send call on its own (src/producer/sendMessages.js: one retrier per call,
 * a fresh request per attempt), so a later call can be written while an earlier one waits for its
 * next attempt. The idempotent producer does not stop that: kafkajs assigns a batch's sequence
 * number when the request is built and gives it back when the request fails, so B takes the
 * sequence number A had and A's retry takes the next one; the broker sees them in order.
 *
 * - together: A's and B's calls are in flight at once; B is acknowledged while A keeps failing;
 *   then the limit heals and A's next attempt is written. Read back: B, then A.
 * - one at a time: the application awaits A before sending B (the limit heals once A has been
 *   retried at least once). Read back: A, then B.
 */
import { waitFor } from '../../../harness/cluster/index.js'
import { laneSession, warm, type Lab, type LaneResult, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { precondition } from '../../../harness/errors.js'
import { limitRequestBytesOn } from '../../../harness/faults/index.js'
import type { LedgerEntry } from '../../../harness/workload/index.js'

const A = { key: 'order-7', valueBytes: 20_000 }
const B = { key: 'order-7' }
const LINE_LIMIT_BYTES = 4_096

export function overtakenRetry(sending: 'together' | 'one at a time') {
  return async (lab: Lab, profiles: readonly Profile[]): Promise<Outcome> => {
    const side = await lab.lanes({ scenario: `order within a key: a retried send and a later one, sent ${sending}`, profiles, partitions: 1 })
    const line = await lab.line('order-within-key')
    const sessions = side.lanes.map((lane) => laneSession(lab, lane, line))
    await warm(sessions)
    const calls = await side.withFault(limitRequestBytesOn(line, side.leader, LINE_LIMIT_BYTES), () =>
      Promise.all(sessions.map(async (session) => {
        const a = session.send([A])
        if (sending === 'together') {
          const [b] = await session.send([B])
          precondition(b?.outcome === 'ok', `B was acknowledged while A could not arrive (B: ${b?.outcome} ${b?.reason ?? ''})`)
          return { settled: a }
        }
        await waitFor('A to be retried (its first attempt cut short on the line)', () => {
          if (!session.ledger().events.some((e) => e.type === 'retry' && e.detail?.call === 1)) throw new Error('A is at its first attempt')
        }, { timeoutMs: 10_000 })
        return { settled: a.then(() => session.send([B])) } // B once A is acknowledged, after the heal
      })),
    )
    await Promise.all(calls.map((c) => c.settled))
    return side.settle(await Promise.all(sessions.map(async (s) => ({ ledger: await s.close() }))))
  }
}

/** A's and B's ledger entries in a lane (A was handed to send() first). */
export function aAndB(lane: LaneResult): { a: LedgerEntry; b: LedgerEntry } {
  const [a, b] = lane.ledger.entries.filter((e) => e.key === 'order-7').sort((x, y) => x.n - y.n)
  precondition(a !== undefined && b !== undefined, 'A and B were both sent')
  return { a, b }
}
