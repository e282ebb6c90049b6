/**
 * payment-service as a process of its own, so it can die for real (SIGKILL) with a request in
 * flight: nothing of its producer survives, and a restarted process is a new producer (kafkajs
 * asks the cluster for a producer id when it connects).
 *
 * The parent starts it with `PaymentServiceProcess.start()` and drives it with one JSON command a
 * line on stdin; the process answers with one JSON report a line on stdout (ready, its producer id
 * and epoch as kafkajs logged them, each payment's ledger entry). Run directly it is the process:
 *
 *   node --import tsx harness/scenarios/payments-process.ts '<ServiceConfig as JSON>'
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import kafkajs, { type Message, type RecordMetadata, type Transaction } from 'kafkajs'
import type { ClientLine } from '../faults/index.js'
import { now } from '../workload/clock.js'
import { ID_HEADER, recordValue, type LedgerEntry } from '../workload/index.js'
import type { IdempotencyLab } from './idempotency.js'
import { paymentRecord, type Payment, type Story } from './payments.js'

const { Kafka, Partitioners, logLevel } = kafkajs

export type ServiceMode = 'idempotent' | 'transactional'

export interface ServiceConfig {
  name: string
  /** The line's bootstrap (see ClientLine.bootstrap). */
  brokers: string[]
  topic: string
  mode: ServiceMode
  /** transactional mode: the transactional.id, the same across restarts. */
  transactionalId?: string
}

/**
 * `pay`: send one PaymentReceived (transactional: in its own transaction, committed).
 * `send` (transactional only): open a transaction and send one PaymentReceived, not committed.
 */
type Command = { op: 'pay' | 'send'; payment: Payment } | { op: 'stop' }

type Report =
  | { event: 'ready'; pid: number }
  /** Each InitProducerId kafkajs made; a transactional producer makes two (idempotent, then transactional): the last counts. */
  | { event: 'producer-id'; producerId: number; producerEpoch: number }
  | { event: 'paid'; entry: LedgerEntry }
  | { event: 'failed'; error: string }
  | { event: 'stopped' }

// ---- the process ---------------------------------------------------------------------------

async function serve(config: ServiceConfig): Promise<void> {
  const report = (r: Report): void => {
    process.stdout.write(`${JSON.stringify(r)}\n`)
  }
  const kafka = new Kafka({
    clientId: config.name,
    brokers: config.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.DEBUG,
    // Only what the parent asks about: the producer id and epoch kafkajs was given.
    logCreator: () => ({ log }) => {
      const { message, producerId, producerEpoch } = log as { message: string; producerId?: number; producerEpoch?: number }
      if (message === 'Initialized producer id & epoch') report({ event: 'producer-id', producerId: Number(producerId), producerEpoch: Number(producerEpoch) })
    },
  })
  const attempts = new WeakMap<object, number>()
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    ...(config.mode === 'transactional' ? { transactionalId: config.transactionalId } : {}),
    createPartitioner: () => {
      const inner = Partitioners.DefaultPartitioner()
      return (args) => {
        attempts.set(args.message, (attempts.get(args.message) ?? 0) + 1)
        return inner(args)
      }
    },
  })
  await producer.connect()
  if (config.mode === 'transactional') {
    // What Java's initTransactions() does at start: InitProducerId for the transactional.id,
    // which fences an earlier process with the same id and aborts its open transaction. kafkajs
    // does it on the first transaction(); an empty transaction, aborted, sends nothing else.
    await (await producer.transaction()).abort()
  }
  report({ event: 'ready', pid: process.pid })
  let n = 0
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as Command
    if (command.op === 'stop') {
      await producer.disconnect()
      report({ event: 'stopped' })
      process.exit(0)
    }
    try {
      const r = paymentRecord(command.payment)
      const message: Message = { key: r.key, value: recordValue(r.id, r.key, 0), headers: { ...r.headers, [ID_HEADER]: r.id } }
      const start = now()
      let metadata: RecordMetadata[]
      if (config.mode === 'transactional') {
        const txn: Transaction = await producer.transaction()
        metadata = await txn.send({ topic: config.topic, acks: -1, messages: [message] })
        if (command.op === 'pay') await txn.commit()
      } else {
        metadata = await producer.send({ topic: config.topic, acks: -1, messages: [message] })
      }
      const m = metadata[0]
      const call = n++
      report({
        event: 'paid',
        entry: { id: r.id, key: r.key, seq: 0, n: call, call, start, end: now(), outcome: 'ok', partition: m?.partition ?? null, offset: m?.baseOffset === undefined ? null : Number(m.baseOffset), attempts: attempts.get(message) ?? 1 },
      })
    } catch (e) {
      report({ event: 'failed', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) })
    }
  }
}

const thisFile = fileURLToPath(import.meta.url)
if (process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === import.meta.url) {
  serve(JSON.parse(process.argv[2] ?? '{}') as ServiceConfig).catch((e: unknown) => {
    process.stderr.write(`payment-service: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`)
    process.exit(1)
  })
}

// ---- the parent's handle -------------------------------------------------------------------

interface Waiter {
  match: (r: Report) => boolean
  resolve: (r: Report) => void
  reject: (e: Error) => void
}

/** How long the process may take to start and connect (tsx, kafkajs connect, InitProducerId). */
const START_DEADLINE_MS = 30_000

export class PaymentServiceProcess {
  private readonly waiters: Waiter[] = []
  private stderr = ''
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined
  readonly exited: Promise<void>
  pid = 0
  producerId: number | undefined
  producerEpoch: number | undefined

  private constructor(
    readonly name: string,
    readonly mode: ServiceMode,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal }
        for (const w of this.waiters.splice(0)) w.reject(new Error(`${name} exited (${signal ?? `code ${code}`}) before answering${this.stderr ? `; stderr: ${this.stderr.slice(-500)}` : ''}`))
        resolve()
      })
    })
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString()
    })
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return
      const r = JSON.parse(line) as Report
      if (r.event === 'producer-id') {
        this.producerId = r.producerId
        this.producerEpoch = r.producerEpoch
      }
      const i = this.waiters.findIndex((w) => w.match(r))
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(r)
    })
  }

  /** Starts the process on `line` and resolves once its producer is connected. Killed at the lab's teardown. */
  static async start(lab: IdempotencyLab, opts: { line: ClientLine; topic: string; mode: ServiceMode; transactionalId?: string; story: Story }): Promise<PaymentServiceProcess> {
    const config: ServiceConfig = {
      name: 'payment-service',
      brokers: opts.line.bootstrap,
      topic: opts.topic,
      mode: opts.mode,
      ...(opts.transactionalId === undefined ? {} : { transactionalId: opts.transactionalId }),
    }
    const child = spawn(process.execPath, ['--import', 'tsx', thisFile, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
    const service = new PaymentServiceProcess(config.name, config.mode, child)
    lab.onTeardown(() => service.kill())
    const ready = await service.next((r) => r.event === 'ready', START_DEADLINE_MS, 'to start and connect')
    if (ready.event === 'ready') service.pid = ready.pid
    opts.story.tell(`payment-service starts: pid ${service.pid}, producer id ${service.producerId} epoch ${service.producerEpoch}${opts.mode === 'transactional' ? ` (transactional.id ${opts.transactionalId}: starting fences every earlier epoch and aborts its open transaction)` : ''}`)
    return service
  }

  /** Sends one PaymentReceived; resolves with its ledger entry once acknowledged (and committed). */
  pay(p: Payment): Promise<LedgerEntry> {
    return this.request('pay', p)
  }

  /** Transactional: opens a transaction and sends one PaymentReceived; resolves once acknowledged, uncommitted. */
  sendUncommitted(p: Payment): Promise<LedgerEntry> {
    if (this.mode !== 'transactional') throw new Error('sendUncommitted needs a transactional payment-service')
    return this.request('send', p)
  }

  private async request(op: 'pay' | 'send', p: Payment, deadlineMs = 60_000): Promise<LedgerEntry> {
    this.send({ op, payment: p })
    const r = await this.next((x) => x.event === 'paid' || x.event === 'failed', deadlineMs, `to answer for ${p.payment}`)
    if (r.event !== 'paid') throw new Error(`${this.name} failed to send ${p.payment}: ${r.event === 'failed' ? r.error : r.event}`)
    return r.entry
  }

  /** SIGKILL; resolves once the process has exited. Idempotent. */
  async kill(): Promise<void> {
    if (this.exit === undefined) this.child.kill('SIGKILL')
    await this.exited
  }

  /** Disconnects the producer and exits. */
  async stop(): Promise<void> {
    this.send({ op: 'stop' })
    await this.exited
  }

  private send(command: Command): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`)
  }

  private next(match: (r: Report) => boolean, deadlineMs: number, what: string): Promise<Report> {
    if (this.exit !== undefined) return Promise.reject(new Error(`${this.name} has exited`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not ${what} within ${deadlineMs} ms; stderr: ${this.stderr.slice(-500)}`)), deadlineMs)
      this.waiters.push({
        match,
        resolve: (r) => {
          clearTimeout(timer)
          resolve(r)
        },
        reject: (e) => {
          clearTimeout(timer)
          reject(e)
        },
      })
    })
  }
}
