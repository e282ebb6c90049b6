import { spawn, execFileSync } from 'node:child_process'
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, constants as fsc } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitFor } from './wait.js'

const TETHER = join(dirname(fileURLToPath(import.meta.url)), 'tether.sh')

/**
 * The lifeline: a FIFO held open by the run's owner process. Every process the harness starts is
 * tethered to it (see tether.sh) and dies when the owner dies, however it dies.
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

export interface TetheredSpec {
  lifeline: string
  pidFile: string
  logFile: string
  command: string
  args: string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
}

/**
 * Starts a tethered process in its own session (a Ctrl-C to the terminal reaches the owner, not
 * the cluster, whose processes then die through the lifeline) and returns its pid once written.
 */
export async function spawnTethered(spec: TetheredSpec): Promise<number> {
  rmSync(spec.pidFile, { force: true })
  // The tether's own messages (bash's "Killed" job notices, a missing lifeline) go to the log too.
  const logFd = openSync(spec.logFile, 'a')
  const child = spawn(TETHER, [spec.lifeline, spec.pidFile, spec.logFile, spec.command, ...spec.args], {
    detached: true,
    stdio: ['ignore', 'ignore', logFd],
    env: spec.env ?? process.env,
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
      if (exitCode !== undefined && !existsSync(spec.pidFile)) throw new Error(`tether exited with ${exitCode}`)
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
