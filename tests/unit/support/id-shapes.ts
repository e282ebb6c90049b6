/**
 * Ids of other shapes than the workload's `<prefix>-<n>`, for the reconciler's tests: a history's
 * ids renamed by an injective map, so that the same history is reconciled through the id index's
 * other paths (the hash table, hints, sparse prefixes) and must get the same verdict.
 */
import fc from 'fast-check'
import type { LedgerLike, LogLike } from '../../../harness/reconcile/index.js'

/**
 * - `workload`: the ids as they are (`id-<n>` and the few other forms history.ts mixes in);
 * - `uuid`: random-looking UUIDs, as a Java tool writes them;
 * - `hex`: another client's order ids, `order-` and 8 to 15 hex digits (lengths vary);
 * - `unicode`: arbitrary distinct strings of any UTF-16 units (lone surrogates, the empty string);
 * - `affixed`: ids that differ only in a few units deep inside a long common prefix and suffix,
 *   or only in their length (each a prefix of the next);
 * - `mixed`: a third kept as they are, a third UUIDs, a third workload-shaped with a sparse prefix
 *   (`big-<n × 1000003>`, too sparse for an array: hashed).
 */
export const ID_SHAPES = ['workload', 'uuid', 'hex', 'unicode', 'affixed', 'mixed'] as const
export type IdShape = (typeof ID_SHAPES)[number]

/** A bijection of 32-bit numbers (xor-shifts and an odd multiplier): distinct in, distinct out. */
export function scramble(i: number): number {
  let x = Math.imul(i ^ (i >>> 16), 0x45d9f3b)
  x = Math.imul(x ^ (x >>> 16), 0x45d9f3b)
  return (x ^ (x >>> 16)) >>> 0
}

const hex8 = (x: number) => (x >>> 0).toString(16).padStart(8, '0')

/** A UUID-shaped id, distinct for distinct j (its first 8 hex digits are scramble(j ^ seed)). */
export function uuidOf(j: number, seed = 0): string {
  const a = hex8(scramble(j ^ seed))
  const b = hex8(scramble(~j ^ seed))
  const c = hex8(scramble(j + 0x5bd1e995))
  return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4)}${a.slice(0, 8)}`
}

/**
 * The j-th id of a shape: distinct for distinct j, and a fresh string each call (the log's copy of
 * an id is another string than the ledger's, as when it is read back). `unicode` takes `pool[j]`.
 */
export function shapedId(shape: Exclude<IdShape, 'workload' | 'mixed'>, j: number, seed: number, pool: readonly string[] = []): string {
  switch (shape) {
    case 'uuid':
      return uuidOf(j, seed)
    case 'hex':
      return `order-${hex8(scramble(j ^ seed))}${hex8(scramble(j)).slice(0, (j + seed) & 7)}`
    case 'unicode': {
      const s = pool[j]
      if (s === undefined) throw new Error(`id-shapes: a pool of ${pool.length} strings for id ${j}`)
      return String.fromCharCode(...s.split('').map((unit) => unit.charCodeAt(0)))
    }
    case 'affixed':
      return j % 2 === 0 ? 'é'.repeat(j / 2 + 1) : `${'ab'.repeat(24)}${j.toString(2)}${'-cd'.repeat(16)}`
  }
}

export interface Shaped {
  ledger: LedgerLike
  log: LogLike
}

/** The history with every id renamed in `shape`: the i-th distinct id met (ledger first, then log) becomes the i-th id of the shape. */
export function reshape({ ledger, log }: Shaped, shape: IdShape, seed: number, pool: readonly string[]): Shaped {
  if (shape === 'workload') return { ledger, log }
  const index = new Map<string, number>()
  const rename = (id: string): string => {
    let j = index.get(id)
    if (j === undefined) index.set(id, (j = index.size))
    if (shape !== 'mixed') return shapedId(shape, j, seed, pool)
    return j % 3 === 0 ? `${id}` : j % 3 === 1 ? uuidOf(j, seed) : `big-${j * 1_000_003}`
  }
  return {
    ledger: { ...ledger, entries: ledger.entries.map((e) => ({ ...e, id: rename(e.id) })) },
    log: { ...log, records: log.records.map((r) => ({ ...r, id: r.id === null ? null : rename(r.id) })) },
  }
}

/** A shape, a seed and a pool of distinct strings (for `unicode`) to rename a history's ids with. */
export const idShape = fc.record({
  shape: fc.constantFrom(...ID_SHAPES),
  seed: fc.integer(),
  pool: fc.uniqueArray(fc.string({ unit: 'binary', maxLength: 8 }), { minLength: 100, maxLength: 100 }),
})
