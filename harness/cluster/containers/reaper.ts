import { moduleFile, nodeArgs, PACKAGE_ROOT } from '../../runtime/package.js'
import { spawnWatcher } from '../process.js'

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
export function spawnReaper(opts: { lifeline: string; runId: string; pidFile: string; logFile: string }): Promise<number> {
  return spawnWatcher({
    what: 'the containers reaper',
    command: process.execPath,
    args: [...nodeArgs(REAPER), opts.lifeline, opts.runId, String(process.pid), opts.pidFile],
    pidFile: opts.pidFile,
    logFile: opts.logFile,
    cwd: ROOT,
    timeoutMs: 30_000,
  })
}
