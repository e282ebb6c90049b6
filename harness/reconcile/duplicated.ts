/** duplicated: one ledger id at more than one log position. See definitions.ts. */
import { byFirstPosition, Sample, withPositions } from './evidence.js'
import type { Facts } from './facts.js'
import type { Anomalies } from './types.js'

export function findDuplicated(f: Facts, limit: number): Anomalies['duplicated'] {
  const sample = new Sample(limit, byFirstPosition(f))
  let extra = 0
  for (const x of f.notable) {
    const copies = f.occurrences[x]!
    if (copies > 1) {
      extra += copies - 1
      sample.offer(x)
    }
  }
  return { count: extra, ids: sample.count, evidence: withPositions(f, sample) }
}
