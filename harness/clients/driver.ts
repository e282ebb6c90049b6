/**
 * The parent's side of the driver protocol (docs/clients/protocol.md): starts a driver process,
 * writes its commands, reads its lines, and gives each command's answer as a promise. The
 * adapters (harness/clients/java/, harness/clients/franz-go/) build on it; it knows nothing of
 * ledgers.
 *
 * The driver's lifetime is tied to this process by its stdin: when this process dies, however it
 * dies, the kernel closes the pipe and the driver exits (it reads end-of-file). `close()` ends it
 * in order, `kill()` at once; both are idempotent.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { ConfigError, HarnessError } from '../errors.js'
import { franzGoDriver, javaDriver } from '../runtime/clients.js'
import {
  parseDriverLine,
  type DriverCommand,
  type DriverLine,
  type DriverRecord,
  type DriverStart,
  type RecordResult,
} from './protocol.js'

export type DriverName = 'java' | 'franz-go'

type Line<T extends DriverLine['type']> = Extract<DriverLine, { type: T }>
export type ReadyLine = Line<'ready'>
export type ReplyLine = Line<'reply'>
export type IdentityLine = Line<'identity'>
export type ClosedLine = Line<'closed'>
export type EventLine = Line<'event'>
export type LateLine = Line<'late'>

/** The command that runs a driver (installed by `npm run setup:clients`). */
export function driverCommand(name: DriverName): { command: string; args: string[] } {
  if (name === 'java') {
    const d = javaDriver()
    return { command: d.java, args: ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xmx256m', '-cp', d.classpath, d.mainClass] }
  }
  return { command: franzGoDriver(), args: [] }
}

/** The driver refused a field of the start line (its `error` line, kind config). */
export class DriverConfigError extends ConfigError {
  override name = 'DriverConfigError'
  constructor(
    readonly driver: DriverName,
    field: string,
    message: string,
    readonly fix: string | undefined,
  ) {
    super(field, `${message} (${driver} driver)${fix ? `; fix: ${fix}` : ''}`)
  }
}

/** The driver stopped answering: it exited, said `error`, or wrote a line that is not the protocol's. */
export class DriverFailedError extends HarnessError {
  override name = 'DriverFailedError'
  constructor(
    readonly driver: DriverName,
    readonly problem: string,
    readonly logTail: string,
  ) {
    super(`${driver} driver: ${problem}${logTail ? `\n  last lines of its log:\n${logTail.split('\n').map((l) => `    ${l}`).join('\n')}` : ''}`)
  }
}

interface OpenCall {
  ids: readonly string[]
  results: Map<string, RecordResult>
  resolve: (r: RecordResult[]) => void
  reject: (e: Error) => void
}

interface Waiter<T> {
  resolve: (v: T) => void
  reject: (e: Error) => void
}

export interface DriverOptions {
  /** Where the driver's stderr (the client's log) goes; also kept in memory, its last lines. */
  logFile?: string
  /** Every line the driver writes, as it comes (events, late results, identities included). */
  onLine?: (line: DriverLine) => void
  env?: NodeJS.ProcessEnv
}

export class DriverProcess {
  readonly ready: ReadyLine
  private readonly calls = new Map<number, OpenCall>()
  private readonly replies = new Map<string, Waiter<ReplyLine>[]>()
  private readonly identities: Waiter<IdentityLine>[] = []
  private closedWaiter: Waiter<ClosedLine> | undefined
  private failure: Error | undefined
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>

  private constructor(
    readonly name: DriverName,
    private readonly child: ChildProcessByStdio<Writable, Readable, Readable>,
    ready: ReadyLine,
    private readonly tail: () => string,
    exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {
    this.ready = ready
    this.exited = exited
  }

  /**
   * Starts the driver with `start` as its first stdin line; resolves once it says `ready`.
   * Rejects with DriverConfigError (naming the field) if it refuses the start line.
   */
  static start(name: DriverName, start: DriverStart, opts: DriverOptions = {}): Promise<DriverProcess> {
    const { command, args } = driverCommand(name)
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env })
    const lines: string[] = []
    let log: WriteStream | undefined
    if (opts.logFile) log = createWriteStream(opts.logFile, { flags: 'a' })
    createInterface({ input: child.stderr }).on('line', (l) => {
      lines.push(l)
      if (lines.length > 40) lines.shift()
      log?.write(`${l}\n`)
    })
    const tail = () => lines.join('\n')
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('close', (code, signal) => {
        log?.end()
        resolve({ code, signal })
      })
    })
    // A write to a driver that has gone is answered by the exit handling, not by a crash here.
    child.stdin.on('error', () => {})
    child.stdin.write(`${JSON.stringify(start)}\n`)
    return new Promise<DriverProcess>((resolve, reject) => {
      let driver: DriverProcess | undefined
      const out = createInterface({ input: child.stdout })
      child.once('error', (e) => reject(new DriverFailedError(name, `cannot start '${command}': ${e.message}`, '')))
      out.on('line', (text) => {
        let line: DriverLine
        try {
          line = parseDriverLine(text)
        } catch (e) {
          const err = new DriverFailedError(name, `wrote a line outside the protocol: ${(e as Error).message}`, tail())
          if (driver) driver.fail(err)
          else reject(err)
          child.kill('SIGKILL')
          return
        }
        if (driver === undefined) {
          if (line.type === 'ready') {
            driver = new DriverProcess(name, child, line, tail, exited)
            void exited.then(({ code, signal }) => driver?.fail(new DriverFailedError(name, `exited (code ${code}, signal ${signal})`, tail())))
            resolve(driver)
          } else if (line.type === 'error' && line.kind === 'config') {
            reject(new DriverConfigError(name, line.field ?? '', line.message, line.fix))
          } else {
            reject(new DriverFailedError(name, `said ${text} before ready`, tail()))
          }
          return
        }
        opts.onLine?.(line)
        driver.take(line)
      })
      void exited.then(({ code, signal }) => {
        if (driver === undefined) reject(new DriverFailedError(name, `exited (code ${code}, signal ${signal}) before it was ready`, tail()))
      })
    })
  }

  private take(line: DriverLine): void {
    switch (line.type) {
      case 'result': {
        const call = this.calls.get(line.call)
        if (call === undefined) return this.fail(new DriverFailedError(this.name, `a result for call ${line.call}, which is not open`, this.tail()))
        if (call.results.has(line.id)) return this.fail(new DriverFailedError(this.name, `a second result for record ${line.id}`, this.tail()))
        const { type: _type, ...result } = line
        call.results.set(line.id, result)
        return
      }
      case 'settled': {
        const call = this.calls.get(line.call)
        if (call === undefined) return this.fail(new DriverFailedError(this.name, `settled call ${line.call}, which is not open`, this.tail()))
        const missing = call.ids.filter((id) => !call.results.has(id))
        if (missing.length > 0) return this.fail(new DriverFailedError(this.name, `settled call ${line.call} without results for ${missing.join(', ')}`, this.tail()))
        this.calls.delete(line.call)
        call.resolve(call.ids.map((id) => call.results.get(id) as RecordResult))
        return
      }
      case 'reply':
        this.replies.get(line.op)?.shift()?.resolve(line)
        return
      case 'identity':
        this.identities.shift()?.resolve(line)
        return
      case 'closed':
        this.closedWaiter?.resolve(line)
        this.closedWaiter = undefined
        return
      case 'error':
        return this.fail(new DriverFailedError(this.name, `${line.kind} error: ${line.message}${line.fix ? ` (fix: ${line.fix})` : ''}`, this.tail()))
      default:
        return // ready, late and event lines are the onLine listener's
    }
  }

  /** Rejects everything still waiting, once. */
  private fail(e: Error): void {
    if (this.failure !== undefined) return
    this.failure = e
    for (const c of this.calls.values()) c.reject(e)
    this.calls.clear()
    for (const ws of this.replies.values()) for (const w of ws) w.reject(e)
    this.replies.clear()
    for (const w of this.identities.splice(0)) w.reject(e)
    this.closedWaiter?.reject(e)
    this.closedWaiter = undefined
  }

  private write(cmd: DriverCommand): void {
    if (this.failure) throw this.failure
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`)
  }

  private reply(op: ReplyLine['op'], cmd: DriverCommand): Promise<ReplyLine> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      const list = this.replies.get(op) ?? []
      list.push({ resolve, reject })
      this.replies.set(op, list)
      this.write(cmd)
    })
  }

  connect(timeoutMs?: number): Promise<ReplyLine> {
    return this.reply('connect', { op: 'connect', ...(timeoutMs === undefined ? {} : { timeoutMs }) })
  }

  initTransactions(timeoutMs?: number): Promise<ReplyLine> {
    return this.reply('init-transactions', { op: 'init-transactions', ...(timeoutMs === undefined ? {} : { timeoutMs }) })
  }

  abandon(): Promise<ReplyLine> {
    return this.reply('abandon', { op: 'abandon' })
  }

  /** One send call; resolves with one result per record, in the order given, once the driver says `settled`. */
  send(call: number, records: readonly DriverRecord[], commit?: boolean): Promise<RecordResult[]> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.calls.set(call, { ids: records.map((r) => r.id), results: new Map(), resolve, reject })
      this.write({ op: 'send', call, records: [...records], ...(commit === undefined ? {} : { commit }) })
    })
  }

  identity(): Promise<IdentityLine> {
    if (this.failure) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.identities.push({ resolve, reject })
      this.write({ op: 'identity' })
    })
  }

  /** Closes the client (waiting up to timeoutMs for what is in flight); resolves with the `closed` line once the process has exited. */
  async close(timeoutMs?: number): Promise<ClosedLine> {
    if (this.failure) throw this.failure
    const closed = new Promise<ClosedLine>((resolve, reject) => {
      this.closedWaiter = { resolve, reject }
    })
    this.write({ op: 'close', ...(timeoutMs === undefined ? {} : { timeoutMs }) })
    const line = await closed
    const { code } = await this.exited
    if (code !== 0) throw new DriverFailedError(this.name, `exited with ${code} after closed`, this.tail())
    return line
  }

  /** Ends the driver at once (SIGKILL); resolves once it has exited. Idempotent. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** Closes the driver's stdin: it settles what is open, says `closed` and exits (what a parent's death does). */
  endInput(): void {
    this.child.stdin.end()
  }

  get pid(): number | undefined {
    return this.child.pid
  }
}
