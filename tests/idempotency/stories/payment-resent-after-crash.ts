/**
 * Where idempotence ends: payment-service dies with PaymentReceived p-42 written but not known to
 * be written, and its restart (a new process, a new producer id) sends p-42 again, because its own
 * records still say "not sent". The broker's (producer id, sequence) check cannot link the two
 * sends: to it they are two producers' first records. Two billing consumers read the topic:
 * `billing` charges once per record; `billing v2` skips a payment id it has already charged.
 *
 * - killed after the write, before the answer (the answers dropped on its line until the process
 *   is gone): the idempotent producer's restart writes p-42 again;
 * - transactional, killed after the write, before the commit: the restart's InitProducerId (the
 *   same transactional.id) bumps the epoch, fencing the dead process and aborting its open
 *   transaction, so read_committed readers never see that copy;
 * - transactional, killed after the commit, before payment-service recorded p-42 as sent: the
 *   resend commits too. Transactions fence zombies and hide unfinished attempts; they do not make
 *   a resend of a committed payment a no-op. That takes the application's state (or billing v2).
 */
import { loseTheAnswer, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { copiesInLog, payment, PAYMENTS_PARTITIONS, PaymentServiceProcess, settleBillings, startBillings, Timeline } from '../../../harness/payments/index.js'
import { now } from '../../../harness/workload/clock.js'

export type Killed = 'after the write, before the answer' | 'after the write, before the commit' | 'after the commit, before recording it'
type Producer = { id?: number; epoch?: number }
export interface Resent { timeline: Timeline; charges: ReadonlyMap<string, number>; chargesDeduped: ReadonlyMap<string, number>; producers: { before: Producer; after: Producer }; copiesInLog: number }

export function paymentResentAfterCrash(killed: Killed) {
  return async (lab: Lab, profiles: readonly Profile[]): Promise<Outcome & { payments(variant: string): Resent }> => {
    const side = await lab.lanes({ scenario: `payments: p-42 resent by a restarted process killed ${killed}`, profiles, partitions: PAYMENTS_PARTITIONS })
    const line = await lab.line('payment-service')
    const p42 = payment(42)
    const lanes = await Promise.all(side.lanes.map(async (lane) => {
      const timeline = new Timeline()
      const bills = await startBillings(lab, lane.topic, timeline, { name: 'billing', dedupeByPaymentId: false }, { name: 'billing v2', dedupeByPaymentId: true })
      const service = { line, topic: lane.topic, producer: lane.profile.producer, timeline }
      const first = await PaymentServiceProcess.start(lab, service)
      return { lane, timeline, bills, service, first, entries: [await first.pay(payment(41))] }
    }))
    const kill = async ({ first, timeline }: (typeof lanes)[number], before: string) => {
      await first.kill()
      timeline.tell(`payment-service is killed (SIGKILL) ${before}; ${p42.payment} stays "not sent" in its outbox`)
    }
    if (killed === 'after the write, before the answer') {
      await loseTheAnswer(side, line, {
        records: 1,
        what: `PaymentReceived ${p42.payment} written by the leader`,
        send: () => lanes.forEach(({ first }) => void first.pay(p42).catch(() => undefined)), // never answered: the process dies first
        meanwhile: () => Promise.all(lanes.map((l) => (l.timeline.tell(`the leader has written ${p42.payment}; its answer to payment-service is lost on the way`), kill(l, `before it learns ${p42.payment} was written`)))),
      })
    } else {
      for (const l of lanes) await (killed === 'after the write, before the commit' ? l.first.sendUncommitted(p42) : l.first.pay(p42))
      for (const l of lanes) await kill(l, killed === 'after the write, before the commit' ? 'before it commits' : `before it records ${p42.payment} as sent`)
    }
    const told = new Map<string, Resent>()
    for (const { lane, timeline, bills: [billing, v2], service, first, entries } of lanes) {
      const second = await PaymentServiceProcess.start(lab, service)
      timeline.tell(`payment-service (restarted): ${p42.payment} is still "not sent" in its outbox, so it sends it again`)
      for (const p of [p42, payment(43)]) entries.push(await second.pay(p))
      await second.stop()
      await settleBillings([billing!, v2!])
      timeline.tell(`billing charged ${p42.order} ${billing!.charges.get(p42.payment) ?? 0} time(s); billing v2 (dedupes by payment id) ${v2!.charges.get(p42.payment) ?? 0}`)
      const producers = { before: { id: first.producerId, epoch: first.producerEpoch }, after: { id: second.producerId, epoch: second.producerEpoch } }
      told.set(lane.variant, { timeline, charges: billing!.charges, chargesDeduped: v2!.charges, copiesInLog: await copiesInLog(lab.cluster, lane.topic, p42), producers })
    }
    // One ledger entry per payment: what payment-service knows was acknowledged (p-42 by its restart).
    const outcome = await side.settle(lanes.map(({ lane, timeline, entries }) => ({ ledger: { topic: lane.topic, startedAt: timeline.startedAt, endedAt: now(), settings: { killed, processes: 2 }, entries: entries.map((e, n) => ({ ...e, n, call: n })), events: [] } })))
    return Object.assign(outcome, { payments: (variant: string) => told.get(outcome.variant(variant).variant) as Resent })
  }
}
