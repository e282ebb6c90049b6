/** lost: acknowledged, absent from the log. See definitions.ts. */
import { byAckPosition, holderAtAck, Sample, sendRef } from './evidence.js'
import { OK, type Facts } from './facts.js'
import type { AnomalyClass, LostEvidence } from './types.js'

export function findLost(f: Facts, limit: number): AnomalyClass<LostEvidence> {
  const sample = new Sample(limit, byAckPosition(f))
  for (const x of f.notable) {
    if (f.outcome[x] === OK && f.occurrences[x] === 0) sample.offer(x)
  }
  return {
    count: sample.count,
    evidence: sample.kept().map((x) => ({ ...sendRef(f, x), holder: holderAtAck(f, x) })),
  }
}
