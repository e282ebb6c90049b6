/**
 * The lecture's payments domain, on the real cluster: payment-service writes PaymentReceived
 * events (key: the order id, record id: the payment id) to the payments topic, and billing charges
 * the customer once per PaymentReceived it reads. The stories of the April postmortem
 * (tests/idempotency/stories/) are told with these pieces: the in-process PaymentService, a
 * payment-service process that can be SIGKILLed (./process.ts), Billing (a consumer group that
 * charges per record read, optionally remembering the payment ids it charged), and the Timeline
 * they all tell (./timeline.ts).
 */
import type { Consumer, IHeaders } from 'kafkajs'
import { waitFor, type Cluster } from '../cluster/index.js'
import { freshName } from '../engines/topics.js'
import { HarnessError } from '../errors.js'
import { partitionForKey } from '../partitioning/murmur2.js'
import type { Lab } from '../engines/lab.js'
import { readTopic, type LedgerEntry, type ProducerSession } from '../workload/index.js'
import type { Timeline } from './timeline.js'

export const PAYMENTS_PARTITIONS = 3

export interface Payment {
  order: string
  payment: string
  amount: number
}

/** Order n is paid by payment p-n. */
export const payment = (n: number): Payment => ({ order: `order-${n}`, payment: `p-${n}`, amount: 400 + n })

/** The partition the payment's key (its order id) goes to. */
export const partitionOf = (p: Payment): number => partitionForKey(p.order, PAYMENTS_PARTITIONS)

/** The record of a PaymentReceived event: keyed by order, identified by payment id. */
export function paymentRecord(p: Payment): { key: string; id: string; headers: Record<string, string> } {
  return { key: p.order, id: p.payment, headers: { type: 'PaymentReceived', payment_id: p.payment, order_id: p.order, amount: String(p.amount) } }
}

/** payment-service, in process: one producer session, one PaymentReceived per call, in order. */
export class PaymentService {
  /** Each failed attempt its producer retries goes into the timeline, with the error it caught. */
  constructor(
    private readonly session: ProducerSession,
    private readonly timeline: Timeline,
  ) {
    session.watch((e) => {
      if (e.type === 'attempt-error') timeline.tell(`payment-service catches "${e.detail?.message}" and retries`, e.at)
    })
  }

  async pay(p: Payment): Promise<LedgerEntry> {
    this.timeline.tell(`payment-service sends PaymentReceived ${p.payment} for ${p.order}`)
    const [entry] = await this.session.send([paymentRecord(p)])
    if (entry === undefined) throw new HarnessError(`payment-service's session was closed before it sent ${p.payment}: close it only after the story's last pay()`)
    this.timeline.tell(
      entry.outcome === 'ok'
        ? `payment-service: ${p.payment} acknowledged at partition ${entry.partition} offset ${entry.offset}${entry.attempts > 1 ? ` (attempt ${entry.attempts})` : ''}`
        : `payment-service: ${p.payment} ${entry.outcome} (${entry.reason ?? ''})`,
      entry.end,
    )
    return entry
  }
}

/**
 * billing: a consumer group that charges once per PaymentReceived it reads (read_committed).
 * With `dedupeByPaymentId` it remembers the payment ids it charged and skips a payment it has
 * already charged: the consumer-side cure.
 */
export class Billing {
  /** Payment id → times this billing charged it. */
  readonly charges = new Map<string, number>()
  /** Partition → next offset to process (records and control batches). */
  private readonly next = new Map<number, number>()

  private constructor(
    readonly name: string,
    private readonly cluster: Cluster,
    private readonly topic: string,
    private readonly consumer: Consumer,
  ) {}

  static async start(cluster: Cluster, topic: string, timeline: Timeline, opts: { name: string; dedupeByPaymentId: boolean }): Promise<Billing> {
    const consumer = cluster.kafka({ clientId: opts.name }).consumer({ groupId: freshName(`${opts.name}-${topic}`), maxWaitTimeInMs: 100, readUncommitted: false })
    const billing = new Billing(opts.name, cluster, topic, consumer)
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => billing.advance(payload.partition, Number(payload.lastOffset) + 1))
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const id = header(message.headers, 'id')
        const order = header(message.headers, 'order_id')
        if (id !== undefined) {
          const times = billing.charges.get(id) ?? 0
          if (opts.dedupeByPaymentId && times > 0) {
            timeline.tell(`${opts.name} skips ${id} for ${order}: already charged`)
          } else {
            billing.charges.set(id, times + 1)
            timeline.tell(`${opts.name} charges ${order} (${id})${times > 0 ? ` AGAIN: charge #${times + 1}` : ''}`)
          }
        }
        billing.advance(partition, Number(message.offset) + 1)
      },
    })
    return billing
  }

  private advance(partition: number, next: number): void {
    if (next > (this.next.get(partition) ?? 0)) this.next.set(partition, next)
  }

  /** Waits until billing has processed every partition up to what a read_committed reader can see. */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      `${this.name} to process ${this.topic} up to its last stable offsets`,
      async () => {
        const offsets = await (await this.cluster.admin()).fetchTopicOffsets(this.topic)
        const behind = offsets.filter((o) => (this.next.get(o.partition) ?? Number(o.low)) < Number(o.high))
        if (behind.length) throw new Error(behind.map((o) => `p${o.partition} at ${this.next.get(o.partition) ?? o.low} of ${o.high}`).join(', '))
      },
      { timeoutMs },
    )
  }

  /** Payment ids charged more than once, sorted. */
  chargedMoreThanOnce(): string[] {
    return [...this.charges].filter(([, n]) => n > 1).map(([id]) => id).sort()
  }

  private stopped: Promise<void> | undefined

  /** Leaves the group; charges nothing more. Idempotent. */
  stop(): Promise<void> {
    return (this.stopped ??= this.consumer.disconnect())
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name]
  const first = Array.isArray(v) ? v[0] : v
  return first === undefined ? undefined : first.toString()
}

/** Billing consumers on `topic`, one per spec, telling `timeline`; stopped at the lab's teardown at the latest. */
export async function startBillings(lab: Lab, topic: string, timeline: Timeline, ...specs: { name: string; dedupeByPaymentId: boolean }[]): Promise<Billing[]> {
  const bills = await Promise.all(specs.map((spec) => Billing.start(lab.cluster, topic, timeline, spec)))
  lab.onTeardown(() => Promise.all(bills.map((b) => b.stop())))
  return bills
}

/**
 * Waits until every billing has processed all the topic holds, then stops them: before the
 * read-back, whose write barrier is not a payment.
 */
export async function settleBillings(bills: readonly Billing[]): Promise<void> {
  await Promise.all(bills.map((b) => b.caughtUp()))
  await Promise.all(bills.map((b) => b.stop()))
}

/** How many copies of `p` the topic holds, committed or not (a read_uncommitted read of the whole log). */
export async function copiesInLog(cluster: Cluster, topic: string, p: Payment): Promise<number> {
  const log = await readTopic({ kafka: cluster.kafka({ clientId: 'reader' }), topic, readUncommitted: true })
  return log.records.filter((r) => r.id === p.payment).length
}
