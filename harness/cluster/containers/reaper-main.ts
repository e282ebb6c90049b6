/**
 * The containers reaper: a small process started by the owner of a containers run (reaper.ts).
 * It reads the run's lifeline FIFO; when the owner dies, however it dies, the kernel closes the
 * owner's end, the read sees end-of-file, and this process removes every container and network
 * labelled with the run id. A SIGTERM dismisses it (the owner tore the run down itself).
 *   node --import tsx reaper-main.ts <lifeline> <run id> <owner pid> <pid file>
 */
import { constants as fsc, openSync, renameSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { isAlive } from '../process.js'
import { waitFor } from '../wait.js'
import { engine, removeRun } from './engine.js'

function args(): { lifeline: string; runId: string; owner: number; pidFile: string } {
  const [lifeline, runId, owner, pidFile] = process.argv.slice(2)
  if (!lifeline || !runId || !owner || !pidFile) {
    console.error('usage: reaper-main.ts <lifeline> <run id> <owner pid> <pid file>')
    process.exit(2)
  }
  return { lifeline, runId, owner: Number(owner), pidFile }
}
const { lifeline, runId, owner, pidFile } = args()
const log = (l: string) => console.log(`[reaper ${new Date().toISOString()}] ${l}`)

// Connect first, so that reaping needs no slow start-up once the owner is gone.
await engine()

let reaping = false
async function reap(why: string): Promise<void> {
  if (reaping) return
  reaping = true
  log(`${why}: removing the containers and network of run ${runId}`)
  try {
    const removed = await waitFor(`the containers of run ${runId} to be removed`, async () => removeRun(await engine(), runId), { timeoutMs: 30_000, maxIntervalMs: 2_000 })
    log(removed.length ? `removed ${removed.join(', ')}` : 'nothing was left')
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

// Non-blocking, so that opening never waits for a writer. A FIFO that never had a writer reports
// no end-of-file, so the owner's liveness is checked after opening: if it is alive now, its end
// was open before ours and its closing will be seen.
const fifo = new Socket({ fd: openSync(lifeline, fsc.O_RDONLY | fsc.O_NONBLOCK), readable: true, writable: false })
fifo.on('data', () => {})
fifo.on('end', () => void reap('the owner is gone (lifeline closed)'))
fifo.on('error', (e) => void reap(`lifeline error ${e.message}`))
if (!isAlive(owner)) await reap(`the owner (pid ${owner}) is gone`)

writeFileSync(`${pidFile}.tmp`, `${process.pid}\n`)
renameSync(`${pidFile}.tmp`, pidFile)
log(`watching lifeline ${lifeline} of owner ${owner} for run ${runId}`)
