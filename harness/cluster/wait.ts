import pRetry, { AbortError } from 'p-retry'
import { WaitTimeoutError } from '../errors.js'

export interface WaitOptions {
  /** Bounded deadline for the whole wait. */
  timeoutMs: number
  /** First and largest pause between probes (the probe is retried with backoff in between). */
  minIntervalMs?: number
  maxIntervalMs?: number
}

/**
 * Waits on observable state: calls `probe` until it returns without throwing, with backoff, for at
 * most `timeoutMs`. A probe says why not yet by throwing; the last reason is in the timeout error,
 * which says what never happened. Throw `new AbortError(...)` from a probe to give up at once
 * (e.g. the process being waited on has died).
 */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, opts: WaitOptions): Promise<T> {
  const started = Date.now()
  let last = 'not probed yet'
  return pRetry(
    async () => {
      try {
        return await probe()
      } catch (e) {
        if (e instanceof AbortError) throw e
        last = e instanceof Error ? e.message : String(e)
        if (Date.now() - started >= opts.timeoutMs) throw new AbortError(new WaitTimeoutError(what, opts.timeoutMs, last))
        throw new Error(last, { cause: e })
      }
    },
    {
      retries: Number.POSITIVE_INFINITY,
      factor: 1.5,
      minTimeout: opts.minIntervalMs ?? 50,
      maxTimeout: opts.maxIntervalMs ?? 500,
      randomize: false,
    },
  )
}

export { AbortError }
