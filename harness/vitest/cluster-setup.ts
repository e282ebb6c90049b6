import { appendFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeEach, inject, onTestFailed } from 'vitest'
import type { ClusterDescriptor } from '../cluster/index.js'
import { killChildren, watchOwner } from '../cluster/process.js'
import { closeCluster, usedCluster } from './fixture.js'

followMain(inject('cluster'))

// When a test fails: where the logs are, and their last lines.
beforeEach(() => {
  onTestFailed(() => {
    const c = usedCluster()
    if (c) console.error(`\n[cluster] a test failed; run folder ${c.descriptor.runDir}\n${c.logTails(15)}`)
  })
})

// Every test leaves the cluster healthy for the next, passed or failed: no toxic, no disabled
// proxy, no paused or dead node, every partition led with its full ISR.
afterEach(async () => {
  await usedCluster()?.heal()
})

afterAll(async () => {
  await closeCluster()
})

/**
 * A test worker whose main process is gone stops at once: it kills the processes it started (a
 * payment-service), notes why in the run folder's workers.log, and exits, ending its test; it
 * starts nothing more (a restart already under way is refused: the owner's lifeline has no
 * writer). It learns of it from its IPC channel to the main process closing (vitest's forks pool;
 * watched from the worker's first moment by follow-main.mjs, whose stop this replaces) or from the
 * run's lifeline closing, whichever comes first. Set up once per worker process.
 */
function followMain(d: ClusterDescriptor): void {
  const g = globalThis as { kafkaDurabilityFollowsMain?: boolean; kafkaDurabilityStopWorker?: (why: string) => void }
  if (g.kafkaDurabilityFollowsMain) return
  g.kafkaDurabilityFollowsMain = true
  g.kafkaDurabilityStopWorker = (why: string) => {
    const killed = killChildren()
    try {
      appendFileSync(join(d.runDir, 'workers.log'), `${new Date().toISOString()} worker pid ${process.pid}: ${why}; killed its child processes [${killed.join(', ')}] and exited, ending its test\n`)
    } catch {
      // the run folder is gone: nothing to note
    }
    // vitest replaces process.exit in its workers with a function that throws.
    process.kill(process.pid, 'SIGKILL')
  }
  watchOwner(d.lifeline, () => g.kafkaDurabilityStopWorker?.("the run's owner is gone (its lifeline closed)"))
}
