/**
 * payment-service as a process of its own, so it can die for real (SIGKILL) with a request in
 * flight: nothing of its producer survives, and a restarted process is a new producer (the client
 * asks the cluster for a producer id when it connects).
 *
 * The parent starts it with `PaymentServiceProcess.start()` and drives it with one JSON command a
 * line on stdin; the process answers with one JSON report a line on stdout (ready, its producer id
 * and epoch as its client holds them, each payment's ledger entry). The producer is a client
 * adapter's (harness/clients), built from plain data. Run directly it is the process:
 *
 *   node --import tsx harness/payments/process.ts '<ServiceConfig as JSON>'
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { adapterFor, clientEndpoint, FAULT_TOLERANT_REQUEST_TIMEOUT_MS, type ClientEndpoint, type ClientName, type ProducerProfile } from '../clients/index.js'
import type { Lab } from '../engines/index.js'
import { HarnessError } from '../errors.js'
import { nodeArgs } from '../runtime/package.js'
import type { ClientLine } from '../faults/index.js'
import { recordValue, type LedgerEntry } from '../workload/index.js'
import { paymentRecord, type Payment } from './payments.js'
import type { Timeline } from './timeline.js'

interface ServiceConfig {
  name: string
  /** The producer client library (default kafkajs). */
  client?: ClientName
  /** Where it connects: through its line. */
  endpoint: ClientEndpoint
  topic: string
  /**
   * The producer under test (plain data). With a transactionalId, the same across restarts, each
   * payment is sent in a transaction of its own.
   */
  producer: ProducerProfile
}

/** payment-service's process failed to start, to answer, or to send: says what, and what it printed last. */
export class ServiceProcessError extends HarnessError {
  override name = 'ServiceProcessError'
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
  const producer = adapterFor(config.client).create({
    topic: config.topic,
    profile: config.producer,
    endpoint: config.endpoint,
    onEvent: () => {},
  })
  // Each producer id the client was given: a transactional producer gets two (idempotent, then transactional): the last counts.
  const identity = async (): Promise<void> => {
    const id = await producer.identity()
    if (id !== undefined) report({ event: 'producer-id', producerId: id.producerId, producerEpoch: id.epoch })
  }
  await producer.connect()
  await identity()
  if (config.producer.transactionalId !== undefined) {
    // What Java's initTransactions() does at start: InitProducerId for the transactional.id,
    // which fences an earlier process with the same id and aborts its open transaction.
    await producer.initTransactions()
    await identity()
  }
  report({ event: 'ready', pid: process.pid })
  let n = 0
  for await (const line of createInterface({ input: process.stdin })) {
    const command = JSON.parse(line) as Command
    if (command.op === 'stop') {
      await producer.close()
      report({ event: 'stopped' })
      process.exit(0)
    }
    const r = paymentRecord(command.payment)
    const call = n++
    const [entry] = await producer.send([{ id: r.id, key: r.key, seq: 0, n: call, value: recordValue(r.id, r.key, 0), headers: r.headers }], { commit: command.op === 'pay' })
    if (entry?.outcome === 'ok') report({ event: 'paid', entry })
    else report({ event: 'failed', error: entry?.error ? `${entry.error.name}: ${entry.error.message}` : `${entry?.outcome}: ${entry?.reason}` })
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
    readonly transactional: boolean,
    private readonly child: ChildProcess,
    private readonly timeline: Timeline,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = { code, signal }
        for (const w of this.waiters.splice(0)) w.reject(new ServiceProcessError(`${name} exited (${signal ?? `code ${code}`}) before answering${this.stderr ? `; stderr: ${this.stderr.slice(-500)}` : ''}`))
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

  /**
   * Starts the process with `producer` on `line` and resolves once it is connected. Killed at the
   * lab's teardown.
   */
  static async start(lab: Lab, opts: { line: ClientLine; topic: string; producer: ProducerProfile; client?: ClientName; timeline: Timeline }): Promise<PaymentServiceProcess> {
    const config: ServiceConfig = {
      name: 'payment-service',
      ...(opts.client === undefined ? {} : { client: opts.client }),
      endpoint: clientEndpoint(lab.cluster, { clientId: 'payment-service', line: opts.line, requestTimeoutMs: FAULT_TOLERANT_REQUEST_TIMEOUT_MS }),
      topic: opts.topic,
      producer: opts.producer,
    }
    const child = spawn(process.execPath, [...nodeArgs(thisFile), JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] })
    const txnId = opts.producer.transactionalId
    const service = new PaymentServiceProcess(config.name, txnId !== undefined, child, opts.timeline)
    lab.onTeardown(() => service.kill())
    const ready = await service.next((r) => r.event === 'ready', START_DEADLINE_MS, 'to start and connect')
    if (ready.event === 'ready') service.pid = ready.pid
    opts.timeline.tell(`payment-service starts: pid ${service.pid}, producer id ${service.producerId} epoch ${service.producerEpoch}${txnId !== undefined ? ` (transactional.id ${txnId}: starting fences every earlier epoch and aborts its open transaction)` : ''}`)
    return service
  }

  /** Sends one PaymentReceived; resolves with its ledger entry once acknowledged (and committed). Told on the timeline. */
  async pay(p: Payment): Promise<LedgerEntry> {
    this.timeline.tell(`payment-service sends PaymentReceived ${p.payment} for ${p.order}`)
    const e = await this.request('pay', p)
    this.timeline.tell(`payment-service: ${p.payment} acknowledged${this.transactional ? ' and committed' : ''} at partition ${e.partition} offset ${e.offset}`, e.end)
    return e
  }

  /** Transactional: opens a transaction and sends one PaymentReceived; resolves once acknowledged, uncommitted. Told on the timeline. */
  async sendUncommitted(p: Payment): Promise<LedgerEntry> {
    if (!this.transactional) throw new ServiceProcessError('sendUncommitted needs a transactional payment-service: give its producer a transactionalId')
    this.timeline.tell(`payment-service opens a transaction and sends PaymentReceived ${p.payment} for ${p.order}`)
    const e = await this.request('send', p)
    this.timeline.tell(`the leader has written ${p.payment} at partition ${e.partition} offset ${e.offset}, in the open transaction`, e.end)
    return e
  }

  private async request(op: 'pay' | 'send', p: Payment, deadlineMs = 60_000): Promise<LedgerEntry> {
    this.send({ op, payment: p })
    const r = await this.next((x) => x.event === 'paid' || x.event === 'failed', deadlineMs, `to answer for ${p.payment}`)
    if (r.event !== 'paid') throw new ServiceProcessError(`${this.name} failed to send ${p.payment}: ${r.event === 'failed' ? r.error : r.event}`)
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
    if (this.exit !== undefined) return Promise.reject(new ServiceProcessError(`${this.name} has exited: start a new one (PaymentServiceProcess.start) to send more`))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ServiceProcessError(`${this.name} did not ${what} within ${deadlineMs} ms; stderr: ${this.stderr.slice(-500)}`)), deadlineMs)
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
