/**
 * The containers reaper: a small process started by the owner of a containers run (reaper.ts).
 * It watches the run's lifeline; when the owner dies, however it dies, the kernel closes the
 * owner's end and this process removes every container and network labelled with the run id,
 * recording in the run folder that the owner vanished unless the owner recorded an ending. A
 * SIGTERM dismisses it (the owner tore the run down itself).
 *
 * It removes in passes until a pass finds nothing. Only the owner creates containers, and only
 * while starting the run; if it died then (no STARTED_MARK in the run folder), a create request
 * it sent may still complete after a pass, so passes go on for SETTLE_MS. Test workers only start
 * existing containers, after checking the lifeline (control.ts); a container removed is gone.
 *   node --import tsx reaper-main.ts <lifeline> <run id> <owner pid> <pid file>
 */
import { existsSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { watchOwner } from '../process.js'
import { recordEnding } from '../run.js'
import { waitFor } from '../wait.js'
import { engine, removeRun } from './engine.js'
import { STARTED_MARK } from './reaper.js'

const SETTLE_MS = 5_000

function args(): { lifeline: string; runId: string; owner: number; pidFile: string } {
  const [lifeline, runId, owner, pidFile] = process.argv.slice(2)
  if (!lifeline || !runId || !owner || !pidFile) {
    console.error('usage: reaper-main.ts <lifeline> <run id> <owner pid> <pid file>')
    process.exit(2)
  }
  return { lifeline, runId, owner: Number(owner), pidFile }
}
const { lifeline, runId, owner, pidFile } = args()
const runDir = dirname(lifeline)
const log = (l: string) => console.log(`[reaper ${new Date().toISOString()}] ${l}`)

// Connect first, so that reaping needs no slow start-up once the owner is gone.
await engine()

let reaping = false
async function reap(): Promise<void> {
  if (reaping) return
  reaping = true
  const gone = Date.now()
  recordEnding(runDir, { reason: 'owner vanished', by: `reaper (pid ${process.pid})`, detail: `the lifeline of owner pid ${owner} closed with no ending recorded: it died without stopping the run (SIGKILL, a crash)` })
  const settle = existsSync(join(runDir, STARTED_MARK)) ? 0 : SETTLE_MS
  log(`the owner (pid ${owner}) is gone: removing the containers and network of run ${runId}${settle ? `, in passes for ${settle} ms (it died while starting the run)` : ''}`)
  try {
    for (;;) {
      const removed = await waitFor(`the containers of run ${runId} to be removed`, async () => removeRun(await engine(), runId), { timeoutMs: 30_000, maxIntervalMs: 2_000 })
      log(removed.length ? `removed ${removed.join(', ')}` : 'nothing left')
      if (removed.length === 0 && Date.now() - gone >= settle) break
      if (removed.length === 0) await new Promise((r) => setTimeout(r, 500)) // the settle window: a pass every 500 ms
    }
    process.exit(0)
  } catch (e) {
    log(`failed: ${(e as Error).message}`)
    process.exit(1)
  }
}

process.on('SIGTERM', () => {
  if (reaping) return
  log('dismissed by the owner')
  process.exit(0)
})

// Keeps this process alive until the owner is gone; reaps at once if it is gone already.
watchOwner(lifeline, () => void reap(), { keepAlive: true })
if (!reaping) {
  writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`)
  renameSync(`${pidFile}.tmp`, pidFile)
  log(`watching lifeline ${lifeline} of owner ${owner} for run ${runId}`)
}
