/**
 * Where idempotence ends: payment-service dies with PaymentReceived p-42 written but not known to
 * be written, and its restart (a new process, a new producer id) sends p-42 again, because its own
 * records still say "not sent". The broker's (producer id, sequence) check cannot link the two
 * sends: to it they are two producers' first records.
 *
 * Variants:
 * - idempotent producer, SIGKILLed after the leader wrote p-42 and before the answer came back
 *   (the answers are dropped on its line until the process is gone);
 * - transactional producer (the same transactional.id across restarts), SIGKILLed after the
 *   leader wrote p-42 in its transaction and before it committed. (Here the process has its
 *   acknowledgement, which changes nothing: a transactional sender counts a payment as sent at
 *   commit. The answers are not dropped: with a transaction, kafkajs first asks a random broker
 *   for the coordinator and registers the partition, and dropped answers there would hold the
 *   send back before it is written.) The restart's InitProducerId bumps the epoch, fencing the
 *   dead process and aborting its open transaction: read_committed readers never see that copy;
 * - transactional producer killed after its commit went through but before payment-service
 *   recorded p-42 as sent: the restart resends p-42 in a new transaction, which commits too.
 *   Transactions fence zombies and hide unfinished attempts; they do not make a resend of a
 *   committed payment a no-op. That takes the application's own state (or the consumer's).
 *
 * Two billing consumers read the topic: `billing` charges once per record; `billing v2` remembers
 * the payment ids it has charged and skips a repeat (the consumer-side cure).
 */
import { randomBytes } from 'node:crypto'
import { dropResponsesOn, withFault, type FaultWindow } from '../faults/index.js'
import { now } from '../workload/clock.js'
import { readTopic, type Ledger, type LedgerEntry } from '../workload/index.js'
import { lastStableOffset, leaderOf, waitUntilWritten, type IdempotencyLab, type Settled } from './idempotency.js'
import { PaymentServiceProcess, type ServiceMode } from './payments-process.js'
import { Billing, partitionOf, payment, PAYMENTS_PARTITIONS, Story, type Payment } from './payments.js'

export interface CrashVariant {
  name: string
  mode: ServiceMode
  killed: 'after the write, before the answer' | 'after the write, before the commit' | 'after the commit, before recording it'
}

export const KILLED_IDEMPOTENT: CrashVariant = { name: 'idempotent, killed after the write', mode: 'idempotent', killed: 'after the write, before the answer' }
export const KILLED_BEFORE_COMMIT: CrashVariant = { name: 'transactional, killed before commit', mode: 'transactional', killed: 'after the write, before the commit' }
export const KILLED_AFTER_COMMIT: CrashVariant = { name: 'transactional, killed after commit', mode: 'transactional', killed: 'after the commit, before recording it' }

export interface ResentAfterCrash extends Settled {
  story: Story
  /** billing: payment id → times charged. */
  charges: ReadonlyMap<string, number>
  /** billing v2 (dedupes by payment id): payment id → times charged. */
  chargesDeduped: ReadonlyMap<string, number>
  /** Producer id and epoch of the first and the restarted process. */
  producers: { before: { id?: number; epoch?: number }; after: { id?: number; epoch?: number } }
  /** Copies of p-42 in the log, aborted ones included (read_uncommitted). */
  copiesInLog: number
}

export async function paymentResentAfterCrash(lab: IdempotencyLab, variant: CrashVariant): Promise<ResentAfterCrash> {
  const c = lab.cluster
  const topic = await lab.topic('brew.payments.v1', PAYMENTS_PARTITIONS)
  const story = new Story()
  const [billing, billingV2] = await Promise.all([
    Billing.start(c, topic, story, { name: 'billing', dedupeByPaymentId: false }),
    Billing.start(c, topic, story, { name: 'billing v2', dedupeByPaymentId: true }),
  ])
  lab.onTeardown(() => Promise.all([billing.stop(), billingV2.stop()]))
  const line = await lab.line('payment-service')
  const p42 = payment(42)
  const service = { line, topic, mode: variant.mode, transactionalId: `payment-service-${randomBytes(3).toString('hex')}`, story }

  const first = await PaymentServiceProcess.start(lab, service)
  const entries: LedgerEntry[] = [await payAndTell(first, payment(41), story)]
  const faults: FaultWindow[] = []
  if (variant.killed === 'after the write, before the answer') {
    const partition = partitionOf(p42)
    const before = await lastStableOffset(c, topic, partition)
    await withFault(
      c,
      dropResponsesOn(line, leaderOf(topic, partition)),
      async () => {
        story.tell(`payment-service sends PaymentReceived ${p42.payment} for ${p42.order}`)
        first.pay(p42).catch(() => undefined) // never answered: the process dies first
        await waitUntilWritten(c, topic, partition, before + 1, `PaymentReceived ${p42.payment}`)
        story.tell(`the leader has written ${p42.payment}; its answer to payment-service is lost on the way`)
        await first.kill()
        story.tell(`payment-service is killed (SIGKILL) before it learns ${p42.payment} was written; ${p42.payment} stays "not sent" in its outbox`)
      },
      faults,
    )
  } else if (variant.killed === 'after the write, before the commit') {
    story.tell(`payment-service opens a transaction and sends PaymentReceived ${p42.payment} for ${p42.order}`)
    const e = await first.sendUncommitted(p42)
    story.tell(`the leader has written ${p42.payment} at partition ${e.partition} offset ${e.offset}, in the open transaction`, e.end)
    await first.kill()
    story.tell(`payment-service is killed (SIGKILL) before it commits; ${p42.payment} stays "not sent" in its outbox`)
  } else {
    await payAndTell(first, p42, story)
    await first.kill()
    story.tell(`payment-service is killed (SIGKILL) before it records ${p42.payment} as sent in its outbox`)
  }

  const second = await PaymentServiceProcess.start(lab, service)
  story.tell(`payment-service (restarted): ${p42.payment} is still "not sent" in its outbox, so it sends it again`)
  for (const p of [p42, payment(43)]) entries.push(await payAndTell(second, p, story))
  await second.stop()
  await Promise.all([billing.caughtUp(), billingV2.caughtUp()])
  const copiesInLog = (await readTopic({ kafka: c.kafka({ clientId: 'reader' }), topic, readUncommitted: true })).records.filter((r) => r.id === p42.payment).length

  const ledger: Ledger = {
    topic,
    startedAt: story.startedAt,
    endedAt: now(),
    settings: { service: variant.mode, processes: 2, killed: variant.killed },
    // One entry per payment: what payment-service knows was acknowledged (p-42 by its restart).
    entries: entries.map((e, n) => ({ ...e, n, call: n })),
    events: [],
  }
  const charged = (b: Billing): number => b.chargedMoreThanOnce().length
  const settled = await lab.settle({
    scenario: 'payments: p-42 resent by a restarted process',
    variant: variant.name,
    topic,
    ledger,
    faults,
    notes: { chargedTwice: charged(billing), chargedTwiceWithDedupe: charged(billingV2), copiesInLog },
  })
  story.tell(`billing charged ${p42.order} ${billing.charges.get(p42.payment) ?? 0} time(s); billing v2 (dedupes by payment id) ${billingV2.charges.get(p42.payment) ?? 0}`)
  return {
    ...settled,
    story,
    charges: billing.charges,
    chargesDeduped: billingV2.charges,
    producers: { before: { id: first.producerId, epoch: first.producerEpoch }, after: { id: second.producerId, epoch: second.producerEpoch } },
    copiesInLog,
  }
}

async function payAndTell(service: PaymentServiceProcess, p: Payment, story: Story): Promise<LedgerEntry> {
  story.tell(`payment-service sends PaymentReceived ${p.payment} for ${p.order}`)
  const e = await service.pay(p)
  story.tell(`payment-service: ${p.payment} acknowledged${service.mode === 'transactional' ? ' and committed' : ''} at partition ${e.partition} offset ${e.offset}`, e.end)
  return e
}

