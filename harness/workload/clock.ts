/** Wall-clock milliseconds since the epoch, fractional, monotonic within this process. */
export function now(): number {
  return performance.timeOrigin + performance.now()
}

/**
 * Resolves after `ms` milliseconds, or at once (without rejecting) when `signal` aborts.
 * Used for pacing and back-off in the workload, never as synchronisation in tests.
 */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve()
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}
