/**
 * Ledger ids → entry numbers, fast for the ids the workload writes (`<prefix>-<n>`) and exact for
 * any id.
 *
 * A Map keyed by millions of strings costs a few hundred ns per operation; most ids here are
 * `<prefix>-<decimal>`, so those are indexed by their number in a dense array per prefix,
 * and every other id (custom ids, leading zeros, sparse numbers, more than 8 prefixes) goes into
 * a Map. Every id is in exactly one of the two, and a number is only taken in its canonical form
 * (no sign, no leading zero), so the fast path can only answer with the entry whose id is equal
 * to the one asked for.
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
  /** Filled by `add`: prefix index * 1e9 + number, or -1 for an id of another form. */
  private readonly parsed: number[]
  private readonly candidates: { prefix: string; max: number; count: number }[] = []
  private last = -1

  /** Index `count` ids: `add` each, then `seal`. */
  constructor(
    private readonly ids: (x: number) => string,
    count: number,
  ) {
    this.parsed = new Array<number>(count) // every element is written by add()
  }

  /** Notes which prefix and number entry x's id has. */
  add(x: number, id: string): void {
    this.parsed[x] = -1
    const candidates = this.candidates
    let p = -1
    let n = -1
    if (this.last >= 0) {
      const known = candidates[this.last]!.prefix
      if (id.length > known.length && id.charCodeAt(known.length) === DASH && id.startsWith(known)) {
        n = numberAt(id, known.length + 1)
        if (n >= 0) p = this.last
      }
    }
    if (p < 0) {
      // the prefix is everything before the last dash
      const dash = id.lastIndexOf('-')
      n = dash > 0 ? numberAt(id, dash + 1) : -1
      if (n < 0) return
      const prefix = id.slice(0, dash)
      p = candidates.findIndex((c) => c.prefix === prefix)
      if (p < 0 && candidates.length < MAX_PREFIXES) p = candidates.push({ prefix, max: 0, count: 0 }) - 1
      if (p < 0) return
    }
    this.last = p
    this.parsed[x] = p * 1e9 + n
    const c = candidates[p]!
    c.count++
    if (n > c.max) c.max = n
  }

  /** Builds the tables (dense prefixes) and the Map (everything else). Throws if an id occurs twice. */
  seal(): this {
    const tableOf = this.candidates.map((c) => {
      if (c.max > 4 * c.count + 1024) return -1
      this.prefixes.push(c.prefix)
      return this.tables.push(new Array<number>(c.max + 1).fill(0)) - 1
    })
    const parsed = this.parsed
    for (let x = 0; x < parsed.length; x++) {
      const code = parsed[x]!
      const p = code < 0 ? -1 : Math.floor(code / 1e9)
      const t = p < 0 ? -1 : tableOf[p]!
      if (t < 0) {
        const size = this.other.size
        this.other.set(this.ids(x), x)
        if (this.other.size === size) throw duplicate(this.ids(x))
        continue
      }
      const table = this.tables[t]!
      const n = code - p * 1e9
      if (table[n] !== 0) throw duplicate(this.ids(x))
      table[n] = x + 1
    }
    parsed.length = 0
    return this
  }

  /**
   * The entry whose id equals `id`, or -1. A table hit needs no string comparison: the id is
   * `prefix-<canonical number>` exactly as the entry's id was (the prefix being everything before
   * the last dash in both), so the two strings are equal.
   */
  get(id: string): number {
    const prefixes = this.prefixes
    for (let j = 0; j < prefixes.length; j++) {
      const prefix = prefixes[j]!
      if (id.length > prefix.length && id.charCodeAt(prefix.length) === DASH && id.startsWith(prefix)) {
        const n = numberAt(id, prefix.length + 1)
        const table = this.tables[j]!
        if (n >= 0 && n < table.length && table[n]! > 0) return table[n]! - 1
      }
    }
    return this.other.size === 0 ? -1 : (this.other.get(id) ?? -1)
  }
}

function duplicate(id: string): Error {
  return new Error(`reconcile: ledger id ${id} appears more than once`)
}
