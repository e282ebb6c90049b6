/**
 * The lecture's April postmortem, on the real cluster: payment-service writes PaymentReceived
 * events (key: the order id, record id: the payment id) to the payments topic, and billing charges
 * the customer once per PaymentReceived it reads. A retried send that the broker had already
 * written charges the customer twice.
 *
 * The pieces: a Story (the postmortem's timeline: real event times on a 10:02 clock), the
 * in-process PaymentService, and Billing (a consumer group that charges per record read,
 * optionally remembering the payment ids it charged).
 */
import { randomBytes } from 'node:crypto'
import type { Consumer, IHeaders, Kafka, LogEntry, logCreator } from 'kafkajs'
import { CLIENT_LOG_LEVEL, fileLogCreator } from '../cluster/client-log.js'
import { waitFor, type Cluster } from '../cluster/index.js'
import { dropResponsesOn, withFault, type ClientLine, type FaultWindow } from '../faults/index.js'
import { partitionForKey } from '../partitioning/murmur2.js'
import { now } from '../workload/clock.js'
import type { LedgerEntry, ProducerSession } from '../workload/index.js'
import { lastStableOffset, leaderOf, REQUEST_TIMEOUT_MS, waitUntilWritten, type IdempotencyLab, type Settled, type Variant } from './idempotency.js'

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

/** The postmortem's timeline: what happened, when, on a clock that starts at 10:02:00. */
export class Story {
  private readonly lines: { at: number; text: string }[] = []
  readonly startedAt = now()

  tell(text: string, at = now()): void {
    this.lines.push({ at, text })
  }

  text(): string {
    const clock = (at: number): string => {
      const ms = Math.max(0, Math.round(at - this.startedAt)) + (10 * 60 + 2) * 60_000
      const h = Math.floor(ms / 3_600_000)
      const m = Math.floor(ms / 60_000) % 60
      const s = Math.floor(ms / 1000) % 60
      return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}`
    }
    return [...this.lines]
      .sort((a, b) => a.at - b.at)
      .map((l) => `  ${clock(l.at)}  ${l.text}`)
      .join('\n')
  }

  print(title: string): void {
    console.log(`\n${title}\n${this.text()}\n`)
  }
}

/** A kafkajs logCreator that keeps the run folder's client log and also hands each entry to `hook`. */
export function teeLog(cluster: Cluster, clientId: string, hook: (entry: LogEntry) => void): logCreator {
  const file = fileLogCreator(`${cluster.descriptor.runDir}/kafkajs.log`, clientId)
  return (level) => {
    const write = file(level)
    return (entry) => {
      write(entry)
      hook(entry)
    }
  }
}

/** payment-service, in process: one producer session, one PaymentReceived per call, in order. */
export class PaymentService {
  constructor(
    private readonly session: ProducerSession,
    private readonly story: Story,
  ) {}

  async pay(p: Payment): Promise<LedgerEntry> {
    this.story.tell(`payment-service sends PaymentReceived ${p.payment} for ${p.order}`)
    const [entry] = await this.session.send([paymentRecord(p)])
    if (entry === undefined) throw new Error(`payment-service stopped before sending ${p.payment}`)
    this.story.tell(
      entry.outcome === 'ok'
        ? `payment-service: ${p.payment} acknowledged at partition ${entry.partition} offset ${entry.offset}${entry.attempts > 1 ? ` (attempt ${entry.attempts})` : ''}`
        : `payment-service: ${p.payment} ${entry.outcome} (${entry.reason ?? ''})`,
      entry.end,
    )
    return entry
  }
}

/** A kafkajs client for payment-service on its line, whose retries show up in the story. */
export function paymentServiceKafka(lab: IdempotencyLab, line: ClientLine, story: Story): Kafka {
  return lab.cluster.kafka({
    clientId: 'payment-service',
    brokers: line.bootstrap,
    requestTimeout: REQUEST_TIMEOUT_MS,
    logLevel: CLIENT_LOG_LEVEL,
    logCreator: teeLog(lab.cluster, 'payment-service', ({ namespace, log }) => {
      if (namespace === 'Producer' && log.message.startsWith('Failed to send messages')) {
        story.tell(`payment-service catches "${log.message.replace('Failed to send messages: ', '')}" and retries`)
      }
    }),
  })
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

  static async start(cluster: Cluster, topic: string, story: Story, opts: { name: string; dedupeByPaymentId: boolean }): Promise<Billing> {
    const consumer = cluster.kafka({ clientId: opts.name }).consumer({ groupId: `${opts.name}-${topic}-${randomBytes(3).toString('hex')}`, maxWaitTimeInMs: 100, readUncommitted: false })
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
            story.tell(`${opts.name} skips ${id} for ${order}: already charged`)
          } else {
            billing.charges.set(id, times + 1)
            story.tell(`${opts.name} charges ${order} (${id})${times > 0 ? ` AGAIN: charge #${times + 1}` : ''}`)
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

  async stop(): Promise<void> {
    await this.consumer.disconnect()
  }
}

function header(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name]
  const first = Array.isArray(v) ? v[0] : v
  return first === undefined ? undefined : first.toString()
}

export interface DoubleCharge extends Settled {
  story: Story
  /** Payment ids billing charged more than once. */
  chargedTwice: string[]
}

/**
 * The postmortem: payment-service pays orders 11..20 one at a time. While it sends p-17, the
 * answers from the leader of order-17's partition are lost on its line; once that leader reports
 * p-17 written, the line heals and the connection it held closes; kafkajs retries p-17.
 */
export async function doubleCharge(lab: IdempotencyLab, variant: Variant): Promise<DoubleCharge> {
  const c = lab.cluster
  const topic = await lab.topic('brew.payments.v1', PAYMENTS_PARTITIONS)
  const story = new Story()
  const billing = await Billing.start(c, topic, story, { name: 'billing', dedupeByPaymentId: false })
  lab.onTeardown(() => billing.stop())
  const line = await lab.line('payment-service')
  const session = lab.session(line, topic, variant, { kafka: paymentServiceKafka(lab, line, story) })
  const service = new PaymentService(session, story)
  for (let n = 11; n <= 16; n++) await service.pay(payment(n))

  const p17 = payment(17)
  const partition = partitionOf(p17)
  const before = await lastStableOffset(c, topic, partition)
  const faults: FaultWindow[] = []
  const paying = await withFault(
    c,
    dropResponsesOn(line, leaderOf(topic, partition)),
    async () => {
      const call = service.pay(p17)
      const high = await waitUntilWritten(c, topic, partition, before + 1, `PaymentReceived ${p17.payment}`)
      story.tell(`the leader of partition ${partition} has written ${p17.payment} (high watermark ${before} → ${high}); its answer to payment-service is lost on the way`)
      return { call }
    },
    faults,
  )
  story.tell('connection reset: the connection holding the unanswered request is closed under payment-service', faults[0]?.healedAt)
  await paying.call
  for (let n = 18; n <= 20; n++) await service.pay(payment(n))
  await billing.caughtUp()
  const ledger = await session.close()
  const chargedTwice = billing.chargedMoreThanOnce()
  story.tell(chargedTwice.length ? `billing has charged ${chargedTwice.map((id) => `${id} (order-${id.slice(2)})`).join(', ')} twice` : 'billing has charged every order once')
  const settled = await lab.settle({
    scenario: 'payments: PaymentReceived, connection lost after the write',
    variant: variant.name,
    topic,
    ledger,
    faults,
    notes: { chargedTwice: chargedTwice.length },
  })
  return { ...settled, story, chargedTwice }
}
