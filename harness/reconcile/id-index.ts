/**
 * Ledger ids → entry numbers, fast for the ids the workload writes (`<prefix>-<n>`) and exact for
 * any id.
 *
 * A Map keyed by millions of strings costs a few hundred ns per operation; most ids here are
 * `<prefix>-<decimal>`, so those are indexed by their number in a dense array per prefix,
 * and every other id (custom ids, leading zeros, sparse numbers) goes into a Map. A lookup that
 * finds a slot still compares the whole id with the entry's id, so the fast path can only ever
 * answer with the entry whose id is equal to the one asked for.
 */
const DASH = 45
const ZERO = 48
const MAX_DIGITS = 9 // numbers < 1e9
const MAX_PREFIXES = 8

/** The decimal number in id[from..], or -1 unless it is canonical (digits only, no leading zero). */
function numberAt(id: string, from: number): number {
  const digits = id.length - from
  if (digits < 1 || digits > MAX_DIGITS || (digits > 1 && id.charCodeAt(from) === ZERO)) return -1
  let n = 0
  for (let i = from; i < id.length; i++) {
    const d = id.charCodeAt(i) - ZERO
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}

export class IdIndex {
  private readonly prefixes: string[] = []
  /** Per prefix: number → entry + 1 (0: none). Plain arrays: see facts.ts on typed arrays. */
  private readonly tables: number[][] = []
  private readonly other = new Map<string, number>()

  /** Throws if an id occurs twice. */
  constructor(private readonly ids: (x: number) => string, count: number) {
    // Pass 1: which prefix and number each id has.
    /** prefix index * 1e9 + number, or -1 */
    const parsed = new Array<number>(count).fill(-1)
    const candidates: { prefix: string; max: number; count: number }[] = []
    let last = -1
    for (let x = 0; x < count; x++) {
      const id = ids(x)
      let p = -1
      let n = -1
      if (last >= 0) {
        const known = candidates[last]!.prefix
        if (id.length > known.length && id.charCodeAt(known.length) === DASH && id.startsWith(known)) {
          n = numberAt(id, known.length + 1)
          if (n >= 0) p = last
        }
      }
      if (p < 0) {
        // the prefix is everything before the last dash
        const dash = id.lastIndexOf('-')
        n = dash > 0 ? numberAt(id, dash + 1) : -1
        if (n < 0) continue
        const prefix = id.slice(0, dash)
        p = candidates.findIndex((c) => c.prefix === prefix)
        if (p < 0 && candidates.length < MAX_PREFIXES) p = candidates.push({ prefix, max: 0, count: 0 }) - 1
        if (p < 0) continue
      }
      last = p
      parsed[x] = p * 1e9 + n
      const c = candidates[p]!
      c.count++
      if (n > c.max) c.max = n
    }
    // Pass 2: dense tables for prefixes whose numbers are dense enough; the rest into the Map.
    const tableOf = candidates.map((c) => {
      if (c.max > 4 * c.count + 1024) return -1
      this.prefixes.push(c.prefix)
      return this.tables.push(new Array<number>(c.max + 1).fill(0)) - 1
    })
    for (let x = 0; x < count; x++) {
      const code = parsed[x]!
      const p = code < 0 ? -1 : Math.floor(code / 1e9)
      const t = p < 0 ? -1 : tableOf[p]!
      if (t < 0) {
        const size = this.other.size
        this.other.set(ids(x), x)
        if (this.other.size === size) throw duplicate(ids(x))
        continue
      }
      const table = this.tables[t]!
      const n = code - p * 1e9
      if (table[n] !== 0) throw duplicate(ids(x))
      table[n] = x + 1
    }
  }

  /** The entry whose id equals `id`, or -1. */
  get(id: string): number {
    const prefixes = this.prefixes
    for (let j = 0; j < prefixes.length; j++) {
      const prefix = prefixes[j]!
      if (id.length > prefix.length && id.charCodeAt(prefix.length) === DASH && id.startsWith(prefix)) {
        const n = numberAt(id, prefix.length + 1)
        const table = this.tables[j]!
        if (n >= 0 && n < table.length) {
          const x = table[n]! - 1
          if (x >= 0 && this.ids(x) === id) return x
        }
      }
    }
    return this.other.size === 0 ? -1 : (this.other.get(id) ?? -1)
  }
}

function duplicate(id: string): Error {
  return new Error(`reconcile: ledger id ${id} appears more than once`)
}
