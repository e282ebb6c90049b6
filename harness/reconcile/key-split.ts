/** keySplit: one key's records in more than one partition. Reported, not a violation. */
import { Sample } from './evidence.js'
import type { Facts } from './facts.js'
import type { AnomalyClass, KeySplitEvidence } from './types.js'

export function findKeySplits(f: Facts, limit: number): AnomalyClass<KeySplitEvidence> {
  const keyCount = f.keys.length
  const home = new Int32Array(keyCount).fill(-1)
  const split = new Uint8Array(keyCount)
  let any = false
  f.partitions.forEach((view, v) => {
    for (let t = view.begin; t < view.end; t++) {
      const x = f.logEntry[f.order === null ? t : f.order[t]!]!
      if (x < 0) continue
      const k = f.keyOf[x]!
      if (home[k] === -1) home[k] = v
      else if (home[k] !== v) {
        split[k] = 1
        any = true
      }
    }
  })
  const sample = new Sample<number>(limit, (a, b) => (f.keys[a]! < f.keys[b]! ? -1 : f.keys[a]! > f.keys[b]! ? 1 : 0))
  if (!any) return { count: 0, evidence: [] }
  for (let k = 0; k < keyCount; k++) if (split[k] === 1) sample.offer(k)
  const shown = new Map(sample.kept().map((k) => [k, new Map<number, number>()]))
  for (const view of f.partitions) {
    for (let t = view.begin; t < view.end; t++) {
      const x = f.logEntry[f.order === null ? t : f.order[t]!]!
      const perPartition = x < 0 ? undefined : shown.get(f.keyOf[x]!)
      if (perPartition !== undefined) perPartition.set(view.partition, (perPartition.get(view.partition) ?? 0) + 1)
    }
  }
  return {
    count: sample.count,
    evidence: [...shown].map(([k, perPartition]) => ({
      key: f.keys[k]!,
      partitions: [...perPartition].map(([partition, records]) => ({ partition, records })),
    })),
  }
}
