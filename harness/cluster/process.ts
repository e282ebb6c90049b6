import { spawn, execFileSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, constants as fsc } from 'node:fs'
import { Socket } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { OwnerGoneError, ProcessFailedError } from '../errors.js'
import { AbortError, waitFor } from './wait.js'

const TETHER = join(dirname(fileURLToPath(import.meta.url)), 'tether.pl')
/** tether.pl's exit code when the lifeline has no writer: the owner is gone, nothing was started. */
const TETHER_OWNER_GONE = 96

/**
 * The lifeline: a FIFO held open for writing by the run's owner process, and by no other process.
 * Every process the harness starts is tethered to it (see tether.pl) and dies when the owner dies,
 * however it dies: the kernel closes the owner's end, and a reader sees end-of-file. Any process
 * can ask whether the owner is alive (`ownerAlive`) or be told when it is gone (`watchOwner`).
 */
export class Lifeline {
  private fd: number | undefined
  private constructor(readonly path: string) {}

  static hold(path: string): Lifeline {
    if (!existsSync(path)) execFileSync('mkfifo', ['-m', '600', path])
    const l = new Lifeline(path)
    // O_RDWR never blocks on a FIFO and makes this process a writer; libuv sets O_CLOEXEC, so no
    // child inherits it and the owner is the only writer.
    l.fd = openSync(path, fsc.O_RDWR)
    return l
  }

  /** Closing it kills every tethered process. Idempotent. */
  cut(): void {
    if (this.fd !== undefined) {
      closeSync(this.fd)
      this.fd = undefined
    }
  }
}

/**
 * Opens a lifeline for reading without blocking (undefined if it does not exist) and says whether
 * a writer, the owner, holds it: a read gives EAGAIN while one does and end-of-file when none does.
 */
function openReader(lifeline: string): { fd: number; alive: boolean } | undefined {
  let fd: number
  try {
    fd = openSync(lifeline, fsc.O_RDONLY | fsc.O_NONBLOCK)
  } catch {
    return undefined
  }
  const buf = Buffer.alloc(512)
  for (;;) {
    try {
      if (readSync(fd, buf) === 0) return { fd, alive: false }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') return { fd, alive: true }
      closeSync(fd)
      throw e
    }
  }
}

/** True while the owner holding `lifeline` is alive. Never blocks. */
export function ownerAlive(lifeline: string): boolean {
  const r = openReader(lifeline)
  if (r) closeSync(r.fd)
  return r?.alive ?? false
}

/** Throws OwnerGoneError unless the owner holding `lifeline` is alive: the check before starting anything. */
export function assertOwnerAlive(lifeline: string, action: string): void {
  if (!ownerAlive(lifeline)) throw new OwnerGoneError(lifeline, action)
}

/**
 * Calls `onGone` once the owner holding `lifeline` is gone: at once (synchronously) if it is gone
 * already, else when its end closes. The read end is opened before the check, so an owner that
 * dies at any moment after it is seen (a FIFO reports the hang-up once a writer it had is gone).
 * With keepAlive false (the default) the watch does not keep this process running. Returns a
 * function that ends the watch.
 */
export function watchOwner(lifeline: string, onGone: () => void, opts: { keepAlive?: boolean } = {}): () => void {
  const r = openReader(lifeline)
  if (!r?.alive) {
    if (r) closeSync(r.fd)
    onGone()
    return () => {}
  }
  const fifo = new Socket({ fd: r.fd, readable: true, writable: false })
  let done = false
  const fire = () => {
    if (done) return
    done = true
    fifo.destroy()
    onGone()
  }
  fifo.on('data', () => {})
  fifo.on('end', fire)
  fifo.on('error', fire)
  if (!opts.keepAlive) fifo.unref()
  return () => {
    done = true
    fifo.destroy()
  }
}

/** SIGKILLs every child process of `pid` (this process by default); returns their pids. */
export function killChildren(pid = process.pid): number[] {
  const killed: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      if (ppid === pid && signal(Number(entry), 'SIGKILL')) killed.push(Number(entry))
    } catch {
      // gone meanwhile
    }
  }
  return killed
}

export interface TetheredSpec {
  lifeline: string
  pidFile: string
  logFile: string
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** A cgroup v2 folder the process is placed in before it starts (partition.ts matches its packets by it). */
  cgroup?: string
}


/**
 * Starts a watcher of the owner's lifeline (the containers reaper, the partition warden): detached,
 * in a session of its own so a terminal's Ctrl-C does not reach it, its output appended to
 * `logFile`; resolves with its pid once it has written `pidFile` (it watches the lifeline then),
 * and fails with its log's tail if it exits first.
 */
export async function spawnWatcher(spec: { what: string; command: string; args: string[]; pidFile: string; logFile: string; cwd?: string; timeoutMs: number }): Promise<number> {
  rmSync(spec.pidFile, { force: true })
  const log = openSync(spec.logFile, 'a')
  const child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', log, log], ...(spec.cwd ? { cwd: spec.cwd } : {}) })
  child.unref()
  closeSync(log)
  let exitCode: number | string | null | undefined
  child.once('exit', (code) => (exitCode = code))
  child.once('error', (e) => (exitCode = e.message))
  return waitFor(
    `${spec.what} to watch the lifeline (pid file ${spec.pidFile})`,
    () => {
      if (existsSync(spec.pidFile)) return readPid(spec.pidFile)
      if (exitCode !== undefined) throw new AbortError(new ProcessFailedError(spec.what, spec.logFile, tail(spec.logFile), `it exited with ${exitCode}`))
      throw new Error('no pid file yet')
    },
    { timeoutMs: spec.timeoutMs },
  )
}
/**
 * Starts a tethered process in its own session (a Ctrl-C to the terminal reaches the owner, not
 * the cluster, whose processes then die through the lifeline) and returns its pid once written.
 * Refused with OwnerGoneError when the lifeline's owner is gone: nothing is started then.
 */
export async function spawnTethered(spec: TetheredSpec): Promise<number> {
  rmSync(spec.pidFile, { force: true })
  // The tether's own messages (an owner found gone, a missing lifeline) go to the log too.
  const logFd = openSync(spec.logFile, 'a')
  const child = spawn(TETHER, [spec.lifeline, spec.pidFile, spec.logFile, spec.command, ...spec.args], {
    detached: true,
    stdio: ['ignore', 'ignore', logFd],
    env: spec.cgroup ? { ...(spec.env ?? process.env), KD_TETHER_CGROUP: spec.cgroup } : (spec.env ?? process.env),
    cwd: spec.cwd,
  })
  child.unref()
  closeSync(logFd)
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)))
  let exitCode: number | undefined
  void exited.then((c) => (exitCode = c))
  return waitFor(
    `${spec.command} to start (pid file ${spec.pidFile})`,
    () => {
      if (exitCode === TETHER_OWNER_GONE) throw new AbortError(new OwnerGoneError(spec.lifeline, `start ${spec.command}`))
      if (exitCode !== undefined && !existsSync(spec.pidFile)) throw new AbortError(new ProcessFailedError(`tether of ${spec.command}`, spec.logFile, tail(spec.logFile), `it exited with ${exitCode} before starting it`))
      return readPid(spec.pidFile)
    },
    { timeoutMs: 10_000 },
  )
}

export function readPid(pidFile: string): number {
  const pid = Number(readFileSync(pidFile, 'utf8').trim())
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid in ${pidFile}`)
  return pid
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch {
    return false
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z'
  } catch {
    return false
  }
}

/** Process state letter from /proc: R, S, D, T (stopped), Z, or undefined if gone. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
  } catch {
    return undefined
  }
}

export function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig)
    return true
  } catch {
    return false
  }
}

/**
 * The tether (tether.pl) that started `pid`, while it is still its parent; undefined otherwise.
 * A tether outlives its process briefly: it dismisses its lifeline watcher and waits for it.
 */
export function tetherOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return ppid > 1 && readFileSync(`/proc/${ppid}/cmdline`, 'utf8').includes('tether.pl') ? ppid : undefined
  } catch {
    return undefined
  }
}

export async function waitExit(pid: number, what: string, timeoutMs: number): Promise<void> {
  await waitFor(
    `${what} (pid ${pid}) to exit`,
    () => {
      if (isAlive(pid)) throw new Error(`pid ${pid} still running (state ${processState(pid)})`)
    },
    { timeoutMs },
  )
}

/** The last `lines` lines of a log file ('' if it does not exist). Reads at most the last 64 KiB. */
export function tail(file: string, lines = 30): string {
  if (!existsSync(file)) return `(no ${file})`
  const size = statSync(file).size
  const fd = openSync(file, 'r')
  try {
    const len = Math.min(size, 64 * 1024)
    const buf = Buffer.alloc(len)
    readSync(fd, buf, 0, len, size - len)
    return buf.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } finally {
    closeSync(fd)
  }
}

export function sizeOf(file: string): number {
  try {
    return statSync(file).size
  } catch {
    return 0
  }
}

/** The part of a file written after `offset` ('' if none). */
export function readFrom(file: string, offset: number): string {
  const size = sizeOf(file)
  if (size <= offset) return ''
  const fd = openSync(file, 'r')
  try {
    const buf = Buffer.alloc(size - offset)
    readSync(fd, buf, 0, buf.length, offset)
    return buf.toString('utf8')
  } finally {
    closeSync(fd)
  }
}
