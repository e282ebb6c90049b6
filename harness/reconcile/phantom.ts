/** phantom: in the log, never sent by the producer of the ledger. See definitions.ts. */
import { byLogPosition, position, Sample, stored } from './evidence.js'
import type { Facts } from './facts.js'
import type { AnomalyClass, PhantomEvidence } from './types.js'

export function findPhantoms(f: Facts, limit: number): AnomalyClass<PhantomEvidence> {
  const sample = new Sample(limit, byLogPosition(f))
  for (let t = 0; t < f.m; t++) {
    const i = f.order === null ? t : f.order[t]!
    if (f.logEntry[i]! < 0) sample.offer(i)
  }
  return { count: sample.count, evidence: sample.kept().map((i) => ({ ...position(f, i), ...stored(f, i) })) }
}
