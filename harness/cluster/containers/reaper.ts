import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync, rmSync } from 'node:fs'
import { ProcessFailedError } from '../../errors.js'
import { moduleFile, nodeArgs, PACKAGE_ROOT } from '../../runtime/package.js'
import { readPid, tail } from '../process.js'
import { AbortError, waitFor } from '../wait.js'

/** Written in the run folder once every container of the run is up: no create request is in flight after it. */
export const STARTED_MARK = 'containers-started'

const REAPER = moduleFile('harness/cluster/containers/reaper-main')
/** The project folder, from which `--import tsx` resolves (from the sources). */
const ROOT = PACKAGE_ROOT

/**
 * Starts the reaper of a containers run (reaper-main.ts), in its own session so a Ctrl-C to the
 * terminal does not reach it, and resolves once it watches the lifeline (its pid file written).
 * The owner must hold the lifeline before calling this.
 */
export async function spawnReaper(opts: { lifeline: string; runId: string; pidFile: string; logFile: string }): Promise<number> {
  rmSync(opts.pidFile, { force: true })
  const logFd = openSync(opts.logFile, 'a')
  const child = spawn(process.execPath, [...nodeArgs(REAPER), opts.lifeline, opts.runId, String(process.pid), opts.pidFile], {
    detached: true,
    stdio: ['ignore', logFd, logFd],
    cwd: ROOT,
    env: process.env,
  })
  child.unref()
  closeSync(logFd)
  let exitCode: number | null | undefined
  child.once('exit', (code) => (exitCode = code))
  return waitFor(
    `the containers reaper to watch the lifeline (pid file ${opts.pidFile})`,
    () => {
      if (existsSync(opts.pidFile)) return readPid(opts.pidFile)
      if (exitCode !== undefined) throw new AbortError(new ProcessFailedError('the containers reaper', opts.logFile, tail(opts.logFile), `it exited with ${exitCode}`))
      throw new Error('no pid file yet')
    },
    { timeoutMs: 30_000 },
  )
}
