import { afterAll, afterEach, beforeEach, onTestFailed } from 'vitest'
import { closeCluster, usedCluster } from './fixture.js'

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
