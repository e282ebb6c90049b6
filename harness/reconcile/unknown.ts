/** unknownWritten / unknownAbsent: how sends of unknown outcome turned out. Reported, not violations. */
import { byFirstPosition, bySendStart, Sample, sendRef, withPositions } from './evidence.js'
import { UNKNOWN, type Facts } from './facts.js'
import type { Anomalies } from './types.js'

export function findUnknownOutcomes(
  f: Facts,
  limit: number,
): Pick<Anomalies, 'unknownWritten' | 'unknownAbsent'> {
  const written = new Sample(limit, byFirstPosition(f))
  const absent = new Sample(limit, bySendStart(f))
  for (const x of f.notable) {
    if (f.outcome[x] !== UNKNOWN) continue
    if (f.occurrences[x]! > 0) written.offer(x)
    else absent.offer(x)
  }
  return {
    unknownWritten: { count: written.count, evidence: withPositions(f, written) },
    unknownAbsent: { count: absent.count, evidence: absent.kept().map((x) => sendRef(f, x)) },
  }
}
