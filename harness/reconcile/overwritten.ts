/** overwritten: the acknowledged position no longer holds the record. See definitions.ts. */
import { byAckPosition, holderAtAck, position, Sample, sendRef, stored } from './evidence.js'
import { OK, type Facts } from './facts.js'
import type { Anomalies, Position } from './types.js'

export function findOverwritten(f: Facts, limit: number): Anomalies['overwritten'] {
  const sample = new Sample(limit, byAckPosition(f))
  let alsoLost = 0
  let reused = 0
  for (let x = 0; x < f.n; x++) {
    const offset = f.ackOffset[x]!
    if (f.outcome[x] !== OK || offset < 0) continue
    const partition = f.ackPartition[x]!
    const first = f.firstLog[x]!
    if (first >= 0 && f.logPartition[first] === partition && f.logOffset[first] === offset) continue
    const v = f.partitionIndex.get(partition)
    if (offset < (v === undefined ? 0 : f.partitions[v]!.low)) continue // deleted by retention: not observable
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
    evidence: sample.kept().map((x) => {
      const holder = holderAtAck(f, x)
      const ack: Position = { partition: f.ackPartition[x]!, offset: f.ackOffset[x]! }
      return {
        ...sendRef(f, x),
        ack,
        holder: holder < 0 ? null : stored(f, holder),
        nowAt: f.positionsOf(x).map((i) => position(f, i)),
      }
    }),
  }
}
