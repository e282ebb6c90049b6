/** failedButWritten: the send failed, the record is in the log. Reported, not a violation. */
import { byFirstPosition, Sample, withPositions } from './evidence.js'
import { FAILED, type Facts } from './facts.js'
import type { Anomalies } from './types.js'

export function findFailedButWritten(f: Facts, limit: number): Anomalies['failedButWritten'] {
  const sample = new Sample(limit, byFirstPosition(f))
  for (const x of f.notable) {
    if (f.outcome[x] === FAILED && f.occurrences[x]! > 0) sample.offer(x)
  }
  return { count: sample.count, evidence: withPositions(f, sample) }
}
