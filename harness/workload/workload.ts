/**
 * The workload: a producer that keeps writing through faults and records every attempt.
 *
 *   const run = startWorkload({ endpoint: clientEndpoint(cluster), topic, producer: { acks: -1, idempotent: true },
 *                               keys: 20, count: 2000, rate: 500, batchSize: 1, concurrency: 4 })
 *   await run.acknowledged(200)      // then inject the fault
 *   const ledger = await run.done    // resolves once every record has an outcome
 *
 * Records go out with keys chosen round-robin over the key space, `batchSize` per send call,
 * `concurrency` calls in flight, paced so that record i is sent no earlier than
 * (first connect) + i / rate. The run ends when `count` records were sent, `durationMs` elapsed, `stop()` is
 * called or `signal` aborts, whichever comes first (with neither count nor duration it runs until
 * stopped). `done` never rejects.
 */
import { now, pause } from './clock.js'
import { summarize, type Ledger } from './ledger.js'
import { keyNames, type KeySpace } from './record.js'
import {
  positiveInteger,
  ProducerSession,
  type Progress,
  type ProducerSessionOptions,
  type SendOptions,
} from './session.js'

export interface WorkloadOptions extends ProducerSessionOptions, SendOptions {
  /** Key space: n keys `key-0..key-(n-1)`, or a list (default 16). */
  keys?: KeySpace
  /** Total records to send. */
  count?: number
  /** Stop issuing sends after this long (ms). */
  durationMs?: number
  /** Target records per second; 0 or absent: as fast as the sends complete. */
  rate?: number
  signal?: AbortSignal
  /** Called after every settled send call. */
  onProgress?: (progress: Progress) => void
}

export interface WorkloadRun {
  /** Resolves once `n` records are acknowledged; rejects if the run ends first. */
  acknowledged(n: number): Promise<void>
  progress(): Progress
  /** The ledger so far. */
  ledger(): Ledger
  /** Stop issuing sends; in-flight sends settle (or are abandoned after `drainTimeoutMs`). */
  stop(): void
  /** The final ledger, once every sent record has an outcome. Never rejects. */
  readonly done: Promise<Ledger>
}

export function startWorkload(opts: WorkloadOptions): WorkloadRun {
  const keys = keyNames(opts.keys ?? 16)
  const batchSize = positiveInteger('batchSize', opts.batchSize ?? 1)
  const concurrency = positiveInteger('concurrency', opts.concurrency ?? 1)
  const rate = opts.rate ?? 0
  if (!(rate >= 0)) throw new Error(`rate must be >= 0, got ${rate}`)
  if (opts.count !== undefined && !(Number.isInteger(opts.count) && opts.count >= 0)) {
    throw new Error(`count must be a non-negative integer, got ${opts.count}`)
  }

  const session = new ProducerSession(opts)
  const t0 = now()
  const deadline = opts.durationMs === undefined ? Infinity : t0 + opts.durationMs
  let claimed = 0
  let keyTurn = 0
  /** Pacing starts from the first successful connect, so a slow connect does not cause a burst. */
  let paceFrom: number | null = null

  const stop = (): void => session.stopIssuing()
  if (opts.signal?.aborted) stop()
  opts.signal?.addEventListener('abort', stop, { once: true })

  /** Claims the next call's share of records, or null when there is nothing left to send. */
  const claim = (): { first: number; size: number } | null => {
    const left = opts.count === undefined ? Infinity : opts.count - claimed
    if (left <= 0 || session.signal.aborted || now() >= deadline) return null
    const size = Math.min(batchSize, left)
    const first = claimed
    claimed += size
    return { first, size }
  }

  const worker = async (): Promise<void> => {
    while (await session.ready()) {
      paceFrom ??= now()
      const share = claim()
      if (share === null) break
      if (rate > 0) await pause(paceFrom + (share.first * 1000) / rate - now(), session.signal)
      if (session.signal.aborted || now() >= deadline) break
      const specs = Array.from({ length: share.size }, () => ({ key: keys[keyTurn++ % keys.length] as string }))
      await session.sendCall(session.prepare(specs))
      try {
        opts.onProgress?.(session.progress())
      } catch (e) {
        session.note('workload-error', { during: 'onProgress', ...summarize(e) })
      }
    }
    // Nothing left to issue: the calls still in flight get drainTimeoutMs from now.
    stop()
  }

  const done = (async (): Promise<Ledger> => {
    try {
      await Promise.all(Array.from({ length: concurrency }, worker))
    } catch (e) {
      session.note('workload-error', { during: 'send loop', ...summarize(e) })
      stop()
    }
    opts.signal?.removeEventListener('abort', stop)
    return session.close()
  })()

  return {
    acknowledged: (n) => session.acknowledged(n),
    progress: () => session.progress(),
    ledger: () => session.ledger(),
    stop,
    done,
  }
}
