/** overwritten: the acknowledged position no longer holds the record. See definitions.ts. */
import { ackOf, byAckPosition, holderAtAck, position, Sample, sendRef } from './evidence.js'
import type { Facts } from './facts.js'
import type { Anomalies } from './types.js'

export function findOverwritten(f: Facts, limit: number): Anomalies['overwritten'] {
  const sample = new Sample(limit, byAckPosition(f))
  let alsoLost = 0
  let reused = 0
  for (const x of f.notable) {
    const partition = f.ackPartition[x]!
    const offset = f.ackOffset[x]!
    if (offset < 0) continue // not acknowledged, or no offset
    const first = f.firstLog[x]!
    if (first >= 0 && f.logPartition[first] === partition && f.logOffset[first] === offset) continue
    if (offset < f.lowOf(partition)) continue // deleted by retention: not observable
    const holder = f.recordAt(partition, offset)
    if (holder >= 0 && f.logEntry[holder] === x) continue // a later copy sits at the position
    sample.offer(x)
    if (f.occurrences[x] === 0) alsoLost++
    if (holder >= 0) reused++
  }
  const count = sample.count
  return {
    count,
    alsoLost,
    moved: count - alsoLost,
    reused,
    vacant: count - reused,
    evidence: sample.kept().map((x) => ({
      ...sendRef(f, x),
      ack: ackOf(f, x)!,
      holder: holderAtAck(f, x),
      nowAt: f.positionsOf(x).map((i) => position(f, i)),
    })),
  }
}
