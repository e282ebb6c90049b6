/**
 * The lecture's April postmortem: payment-service pays orders 11..20 one at a time (PaymentReceived,
 * keyed by order id, identified by payment id), and billing charges once per PaymentReceived it
 * reads. While it sends p-17, the leader writes it and its answer is lost on payment-service's
 * line; the line heals, the connection it held closes, and kafkajs retries p-17. Without
 * idempotence the retry is written again: billing charges order-17 twice.
 */
import { laneSession, loseTheAnswer, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { partitionOf, payment, PAYMENTS_PARTITIONS, PaymentService, settleBillings, startBillings, Timeline } from '../../../harness/payments/index.js'

export type DoubleCharge = Outcome & { payments(variant: string): { timeline: Timeline; chargedTwice: string[] } }

export async function doubleCharge(lab: Lab, profiles: readonly Profile[]): Promise<DoubleCharge> {
  const side = await lab.lanes({ scenario: 'payments: PaymentReceived, connection lost after the write', profiles, partitions: PAYMENTS_PARTITIONS })
  const line = await lab.line('payment-service')
  const lanes = await Promise.all(side.lanes.map(async (lane) => {
    const timeline = new Timeline()
    const [billing] = await startBillings(lab, lane.topic, timeline, { name: 'billing', dedupeByPaymentId: false })
    const session = laneSession(lab, lane, line, { clientId: 'payment-service' })
    return { variant: lane.variant, timeline, billing, session, service: new PaymentService(session, timeline) }
  }))
  const pay = (from: number, to: number) => Promise.all(lanes.map(async ({ service }) => { for (let n = from; n <= to; n++) await service.pay(payment(n)) }))
  await pay(11, 16)
  const p17 = payment(17)
  const { sent } = await loseTheAnswer(side, line, {
    records: 1,
    what: `PaymentReceived ${p17.payment} written by the leader`,
    send: () => lanes.map(({ service }) => service.pay(p17)),
    meanwhile: () => lanes.forEach(({ timeline }) => timeline.tell(`the leader of partition ${partitionOf(p17)} has written ${p17.payment}; its answer to payment-service is lost on the way`)),
  })
  for (const { timeline } of lanes) timeline.tell('connection reset: the connection holding the unanswered request is closed under payment-service', side.faults[0]?.healedAt)
  await Promise.all(sent)
  await pay(18, 20)
  await settleBillings(lanes.map(({ billing }) => billing!))
  const outcome = await side.settle(await Promise.all(lanes.map(async ({ session }) => ({ ledger: await session.close() }))))
  const told = new Map(lanes.map(({ variant, timeline, billing }) => {
    const chargedTwice = billing!.chargedMoreThanOnce()
    timeline.tell(chargedTwice.length ? `billing has charged ${chargedTwice.map((id) => `${id} (order-${id.slice(2)})`).join(', ')} twice` : 'billing has charged every order once')
    return [variant, { timeline, chargedTwice }]
  }))
  return Object.assign(outcome, { payments: (variant: string) => told.get(outcome.variant(variant).variant) as { timeline: Timeline; chargedTwice: string[] } })
}
