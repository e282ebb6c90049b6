import { spawn, type StdioOptions } from 'node:child_process'
import { constants as osConstants } from 'node:os'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { followParent } from './run.js'

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Runs a long-lived command (vitest, a bench section) as a child that neither outlives this
 * process nor is left behind by it:
 *  - the child runs in a process group of its own (a terminal's Ctrl-C reaches this process only),
 *    and SIGINT, SIGTERM and SIGHUP received here are passed on to the child, once; as a run's
 *    owner it ends what it started (its test workers follow it). Not to its whole group: workers
 *    dying at the same moment as it is told would race its own, recorded, ending;
 *  - when this process's parent is gone, the child gets SIGTERM;
 *  - when this process dies without a word (SIGKILL), a harness child sees its parent gone
 *    (run.ts followParent) and ends its run.
 * Resolves with the code to exit with: the child's, or 128 + the signal that ended it.
 *   process.exit(await runOwned(...vitestCommand(['run', '--project', 'cluster', 'tests/gate'])))
 */
export function runOwned(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; stdio?: StdioOptions } = {}): Promise<number> {
  const child = spawn(command, args, { stdio: opts.stdio ?? 'inherit', env: opts.env ?? process.env, detached: true })
  const forward = (sig: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, sig)
    } catch {
      // it is gone already
    }
  }
  for (const sig of FORWARDED) process.on(sig, forward)
  const unfollow = followParent(() => forward('SIGTERM'))
  const done = () => {
    for (const sig of FORWARDED) process.off(sig, forward)
    unfollow()
  }
  return new Promise((resolve, reject) => {
    child.once('error', (e) => {
      done()
      reject(e)
    })
    child.once('exit', (code, sig) => {
      done()
      resolve(code ?? 128 + (sig ? (osConstants.signals[sig] ?? 0) : 0))
    })
  })
}

/**
 * vitest's own CLI as [command, args] for runOwned: node running vitest.mjs, with no npx or
 * `sh -c` in between (they do not pass a SIGTERM on to vitest).
 */
export function vitestCommand(args: string[]): [string, string[]] {
  const pkg = dirname(createRequire(import.meta.url).resolve('vitest')) // node_modules/vitest (its CommonJS entry is at the top)
  return [process.execPath, [join(pkg, 'vitest.mjs'), ...args]]
}
