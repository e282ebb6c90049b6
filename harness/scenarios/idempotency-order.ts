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
 * number when the request is built and gives it back when the request fails
 * (`eosManager.updateSequence(..., -messages.length)`), so B takes the sequence number A had and
 * A's retry takes the next one; the broker sees sequence numbers in order. `maxInFlightRequests`
 * (the connection's request queue) does not enter into it either: A is between attempts, not in
 * flight, when B is written.
 *
 * - together: A's and B's calls are in flight at once; B is acknowledged while A keeps failing;
 *   then the limit heals and A's next attempt is written. Read back: B, then A: the verdict's
 *   outOfSendOrder (A sent first, read after B), while its real-time `reordered` sees nothing
 *   (B was sent before A was acknowledged).
 * - one at a time: the application awaits A before sending B (the limit heals once A has been
 *   retried at least once). Read back: A, then B.
 */
import { waitFor } from '../cluster/index.js'
import { limitRequestBytesOn, withFault, type FaultWindow } from '../faults/index.js'
import type { LedgerEntry } from '../workload/index.js'
import { leaderOf, precondition, type IdempotencyLab, type Settled, type Variant } from './idempotency.js'

export const BIG_RECORD_BYTES = 20_000
export const LINE_LIMIT_BYTES = 4_096

export type Sending = 'together' | 'one at a time'

export interface Overtaken extends Settled {
  a: LedgerEntry
  b: LedgerEntry
}

export async function overtakenRetry(lab: IdempotencyLab, variant: Variant, sending: Sending): Promise<Overtaken> {
  const c = lab.cluster
  const { topic, line, session } = await lab.warmProducer('order-within-key', variant)
  const A = { key: 'order-7', valueBytes: BIG_RECORD_BYTES }
  const B = { key: 'order-7' }
  const faults: FaultWindow[] = []
  const settledCalls = await withFault(
    c,
    limitRequestBytesOn(line, leaderOf(topic), LINE_LIMIT_BYTES),
    async () => {
      const a = session.send([A])
      if (sending === 'one at a time') {
        await waitFor('A to be retried (its first attempt cut short on the line)', () => {
          const retried = session.ledger().events.some((e) => e.type === 'retry' && e.detail?.call === 1)
          if (!retried) throw new Error('A is at its first attempt')
        }, { timeoutMs: 10_000 })
        return { a, b: null }
      }
      const b = session.send([B])
      const [bEntry] = await b
      precondition(bEntry?.outcome === 'ok', `B was acknowledged while A could not arrive (B: ${bEntry?.outcome} ${bEntry?.reason ?? ''})`)
      return { a, b }
    },
    faults,
  )
  const [a] = await settledCalls.a
  const [b] = settledCalls.b === null ? await session.send([B]) : await settledCalls.b
  precondition(a !== undefined && b !== undefined && a.n < b.n, 'A was handed to send() before B')
  const ledger = await session.close()
  const settled = await lab.settle({
    scenario: 'order within a key: a retried send and a later one',
    variant: `${variant.name}${variant.producer.requestsInFlight ? `, maxInFlightRequests ${variant.producer.requestsInFlight}` : ''}, ${sending}`,
    topic,
    ledger,
    faults,
  })
  settled.row.notes = { ...settled.row.notes, attemptsOfA: a.attempts }
  return { ...settled, a, b }
}
