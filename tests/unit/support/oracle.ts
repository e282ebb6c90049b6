/**
 * A second, deliberately naive reading of harness/reconcile/definitions.ts: quadratic loops and
 * string keys, no shared code with the reconciler. The property tests require both to agree.
 */
import type { LedgerEntryLike, LedgerLike, LogLike } from '../../../harness/reconcile/index.js'

export interface OracleResult {
  lost: Set<string>
  duplicated: number
  duplicatedIds: Set<string>
  overwritten: Set<string>
  alsoLost: number
  reused: number
  /** pairKey(ackedFirst id, readFirst id, partition) for every reordered pair. */
  reorderedPairs: Set<string>
  /** pairKey(sentFirst id, readFirst id, partition) for every pair out of send order. */
  outOfSendOrderPairs: Set<string>
  phantoms: Set<string>
  keySplit: Set<string>
  failedButWritten: Set<string>
  unknownWritten: Set<string>
  unknownAbsent: Set<string>
}

/** A pair of ids in a partition as one string (JSON: ids may hold any character). */
export function pairKey(first: string, second: string, partition: number): string {
  return JSON.stringify([first, second, partition])
}

export function oracle(ledger: LedgerLike, log: LogLike): OracleResult {
  const positions = new Map<string, { partition: number; offset: number }[]>()
  const at = new Map<string, string | null>()
  for (const r of log.records) {
    at.set(`${r.partition}:${r.offset}`, r.id)
    if (r.id !== null) positions.set(r.id, [...(positions.get(r.id) ?? []), { partition: r.partition, offset: r.offset }])
  }
  const known = new Set(ledger.entries.map((e) => e.id))
  const present = (e: LedgerEntryLike): boolean => (positions.get(e.id) ?? []).length > 0
  const low = (p: number): number => log.partitions?.find((b) => b.partition === p)?.low ?? 0
  const readPos = (e: LedgerEntryLike, p: number): number | undefined => {
    const offsets = (positions.get(e.id) ?? []).filter((x) => x.partition === p).map((x) => x.offset)
    return offsets.length === 0 ? undefined : Math.min(...offsets)
  }

  const result: OracleResult = {
    lost: new Set(), duplicated: 0, duplicatedIds: new Set(), overwritten: new Set(), alsoLost: 0, reused: 0,
    reorderedPairs: new Set(), outOfSendOrderPairs: new Set(), phantoms: new Set(), keySplit: new Set(),
    failedButWritten: new Set(), unknownWritten: new Set(), unknownAbsent: new Set(),
  }
  for (const e of ledger.entries) {
    const copies = (positions.get(e.id) ?? []).length
    if (e.outcome === 'ok' && copies === 0) result.lost.add(e.id)
    if (copies > 1) {
      result.duplicated += copies - 1
      result.duplicatedIds.add(e.id)
    }
    if (e.outcome === 'failed' && copies > 0) result.failedButWritten.add(e.id)
    if (e.outcome === 'unknown') (copies > 0 ? result.unknownWritten : result.unknownAbsent).add(e.id)
    if (e.outcome === 'ok' && e.partition !== null && e.offset !== null && e.offset >= low(e.partition)) {
      const holder = at.get(`${e.partition}:${e.offset}`)
      if (holder !== e.id) {
        result.overwritten.add(e.id)
        if (copies === 0) result.alsoLost++
        if (holder !== undefined) result.reused++
      }
    }
  }
  const partitionsOfKey = new Map<string, Set<number>>()
  for (const e of ledger.entries) {
    for (const p of positions.get(e.id) ?? []) {
      partitionsOfKey.set(e.key, (partitionsOfKey.get(e.key) ?? new Set()).add(p.partition))
    }
  }
  for (const [key, ps] of partitionsOfKey) if (ps.size > 1) result.keySplit.add(key)
  for (const a of ledger.entries) {
    if (a.outcome !== 'ok' || !present(a)) continue
    for (const b of ledger.entries) {
      if (b.key !== a.key || !(a.end < b.start)) continue
      for (const { partition } of positions.get(a.id) ?? []) {
        const pa = readPos(a, partition)
        const pb = readPos(b, partition)
        if (pa !== undefined && pb !== undefined && pb < pa) result.reorderedPairs.add(pairKey(a.id, b.id, partition))
      }
    }
  }
  ledger.entries.forEach((a, i) => {
    ledger.entries.forEach((b, j) => {
      if (j <= i || b.key !== a.key) return
      for (const { partition } of positions.get(a.id) ?? []) {
        const pa = readPos(a, partition)
        const pb = readPos(b, partition)
        if (pa !== undefined && pb !== undefined && pb < pa) result.outOfSendOrderPairs.add(pairKey(a.id, b.id, partition))
      }
    })
  })
  for (const r of log.records) {
    if (r.id === null || !known.has(r.id)) result.phantoms.add(`${r.partition}:${r.offset}`)
  }
  return result
}
