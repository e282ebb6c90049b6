/**
 * Ledger ids → entry numbers, exact for any id and fast for every shape of id.
 *
 * Every id is in exactly one of two structures:
 * - ids the workload writes, `<prefix>-<decimal>` with a dense prefix, in an array per prefix
 *   indexed by the number: no hashing, and a number is only taken in its canonical form (no sign,
 *   no leading zero), so a hit is always the entry whose id equals the one asked for;
 * - every other id (UUIDs, other clients' order ids, leading zeros, sparse numbers, more than 8
 *   prefixes) in an IdTable: open addressing over 30-bit hashes computed here, integers only
 *   until a candidate's id is compared with the one asked for.
 * A Map keyed by millions of strings costs a few hundred ns per operation (hashing, then a cache
 * miss per bucket, entry and string); the table costs one probe and one comparison.
 *
 * On a clean log few records are looked up here: facts.ts first compares each hashed entry's id
 * with the record at its acknowledged position.
 */
import type { Arena } from './arena.js'

const DASH = 45
const ZERO = 48
const MAX_DIGITS = 9 // numbers < 1e9
const MAX_PREFIXES = 8

/**
 * Where the last dash of id is if only 1 to MAX_DIGITS digits follow it, else -1. A scan back
 * from the end, not lastIndexOf (a call out of optimized code): other ids fail in a few units.
 */
function lastDashBeforeDigits(id: string): number {
  const end = id.length
  let i = end - 1
  while (i >= 0 && end - i <= MAX_DIGITS + 1) {
    const c = id.charCodeAt(i)
    if (c === DASH) return i < end - 1 ? i : -1
    if (c < ZERO || c > ZERO + 9) return -1
    i--
  }
  return -1
}

/**
 * Whether id is `prefix-` and more. A loop over the units, not startsWith: the builtin's call
 * costs several times the comparison of a few units (a third of a reconcile of workload ids).
 */
function hasPrefix(id: string, prefix: string): boolean {
  const length = prefix.length
  if (id.length <= length || id.charCodeAt(length) !== DASH) return false
  for (let i = 0; i < length; i++) if (id.charCodeAt(i) !== prefix.charCodeAt(i)) return false
  return true
}

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

/** One step of murmur3's mixing: two UTF-16 units k into h. */
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51)
  k = (k << 15) | (k >>> 17)
  k = Math.imul(k, 0x1b873593)
  h ^= k
  h = (h << 13) | (h >>> 19)
  return (Math.imul(h, 5) + 0xe6546b64) | 0
}

/** murmur3's finalizer, cut to 30 bits: a Smi on every platform, the table's home slot its top bits. */
function finish(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 2
}

/** A 30-bit hash of every UTF-16 unit of s (murmur3's mixing, two units per step, seeded with the length). */
export function hashId(s: string): number {
  const n = s.length
  let h = n
  let i = 0
  for (; i + 1 < n; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16))
  if (i < n) h = mix(h, s.charCodeAt(i))
  return finish(h)
}

/** Ids up to this many units are hashed whole by sampleHash. */
const SAMPLED_UNITS = 16

/**
 * A 30-bit hash of the length of s and at most 16 of its units: all of a short id (hashId); of a
 * longer one its first 4, 4 at its quarters and its last 8, where the ids of generators and tools
 * differ (UUIDs everywhere; counters and random suffixes at the end). Reading 16 units instead of
 * every one halves the cost of hashing a UUID. Ids alike in every sampled unit collide: the table
 * stays exact (it compares ids), and an IdIndex whose table probes too long rebuilds it with hashId.
 */
export function sampleHash(s: string): number {
  const n = s.length
  if (n <= SAMPLED_UNITS) return hashId(s)
  const q = n >> 2
  let h = n
  h = mix(h, s.charCodeAt(0) | (s.charCodeAt(1) << 16))
  h = mix(h, s.charCodeAt(2) | (s.charCodeAt(3) << 16))
  h = mix(h, s.charCodeAt(q) | (s.charCodeAt(2 * q) << 16))
  h = mix(h, s.charCodeAt(3 * q) | (s.charCodeAt(n - 9) << 16))
  for (let i = n - 8; i < n; i += 2) h = mix(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16))
  return finish(h)
}

/**
 * A table whose inserts took more probes than this per id (linear probing at most 2/3 full takes
 * about 2) has a hash that does not tell its ids apart: IdIndex rebuilds it with hashId.
 */
const PROBES_PER_ID = 8

const HASH_BITS = 30
/** Ids are inserted into the table bucketed by the top BUCKET_BITS of their hash (IdIndex.seal). */
const BUCKET_BITS = 12
const BUCKET_SHIFT = HASH_BITS - BUCKET_BITS

/** The table size for `count` ids: a power of two, at least 1.5 × count (at most 2/3 full). */
export function capacityFor(count: number): number {
  let capacity = 16
  while (capacity < count * 1.5) capacity *= 2
  return capacity
}

/** Slot values stay below 2^30 (tag and entry + 1 packed): non-negative in an Int32Array. */
const SLOT_BITS = 30

/**
 * An exact table of ids → entries: open addressing with linear probing over a power-of-two
 * number of slots, an id's home slot being the top bits of its hash. A slot packs entry + 1 (its
 * low bits; 0: empty) with as many low bits of the id's hash as fit in 30 bits (10 at 1M
 * entries, 7 at 5M): a probe reads the entry's id (ids(x)) only when those bits are equal, so a
 * hit is always an equal id and probing past other ids reads (almost) no string.
 *
 * The slots are an Int32Array, 4 bytes a slot: 8 MB for 1M ids, 32 MB for 5M; in a reconcile,
 * a column of the reconciler's arena (arena.ts).
 */
export class IdTable {
  private readonly slots: Int32Array
  private readonly mask: number
  private readonly shift: number
  private readonly entryBits: number
  private readonly entryMask: number
  private readonly tagMask: number
  private size = 0
  /** Slots passed over by inserts and finds so far: how well the hash tells the ids apart. */
  probes = 0

  /**
   * A table for ids(x), 0 <= x < entries, of up to capacity - 1 of them; capacity a power of two
   * (capacityFor).
   */
  constructor(
    private readonly ids: (x: number) => string,
    readonly capacity: number,
    entries: number,
    arena?: Arena,
  ) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 2 ** HASH_BITS || (capacity & (capacity - 1)) !== 0) {
      throw new RangeError(`IdTable: capacity ${capacity} is not a power of two in 2..2^${HASH_BITS}`)
    }
    this.entryBits = Math.max(1, Math.ceil(Math.log2(entries + 1)))
    if (this.entryBits > SLOT_BITS) throw new RangeError(`IdTable: ${entries} entries do not fit`)
    this.entryMask = 2 ** this.entryBits - 1
    this.tagMask = 2 ** (SLOT_BITS - this.entryBits) - 1
    this.slots = arena === undefined ? new Int32Array(capacity) : arena.zeroedInt32(capacity)
    this.mask = capacity - 1
    this.shift = HASH_BITS - Math.log2(capacity)
  }

  /**
   * Adds entry x, whose id ids(x) has hash h (hashId, or any function of the id in 0..2^30-1).
   * Returns the entry already holding an equal id (x is then not added), or -1.
   */
  insert(x: number, h: number): number {
    const j = this.slotOf(null, x, h)
    if (j >= 0) return (this.slots[j]! & this.entryMask) - 1
    // one slot always stays empty, so that every probe ends
    if (this.size + 2 > this.capacity) throw new RangeError(`IdTable: more than ${this.capacity - 1} ids`)
    this.slots[-1 - j] = ((h & this.tagMask) << this.entryBits) | (x + 1)
    this.size++
    return -1
  }

  /** The entry whose id equals `id` (whose hash is h), or -1. */
  find(id: string, h: number): number {
    const j = this.slotOf(id, -1, h)
    return j < 0 ? -1 : (this.slots[j]! & this.entryMask) - 1
  }

  /**
   * The slot of the entry whose id equals `id` (hash h), `id` null meaning entry x's id (read only
   * if a tag is equal: inserting reads no string); if none, -1 - the empty slot that ends its probe.
   */
  private slotOf(id: string | null, x: number, h: number): number {
    const slots = this.slots
    const mask = this.mask
    const bits = this.entryBits
    const tag = h & this.tagMask
    let j = (h >>> this.shift) & mask
    for (;;) {
      const v = slots[j]!
      if (v === 0) return -1 - j
      // ids are read only on equal tags
      if (v >>> bits === tag && this.ids((v & this.entryMask) - 1) === (id ?? this.ids(x))) return j
      j = (j + 1) & mask
      this.probes++
    }
  }
}

export class IdIndex {
  private readonly prefixes: string[] = []
  /** Per prefix: number → entry + 1 (0: none). */
  private readonly tables: Int32Array[] = []
  private other: IdTable | null = null
  /** Filled by `add`: the hash of an id of no workload form, or -1 - (prefix index * 1e9 + number). */
  private readonly parsed: Float64Array
  private readonly candidates: { prefix: string; max: number; count: number }[] = []
  private last = -1

  /**
   * Index `count` ids: `add` each, then `seal`. `hash`: of the ids that go to the hash table
   * (sampleHash; tests give any function of the id below 2^30); a table it fills badly is rebuilt
   * with hashId. `arena`: where its tables come from (a reconcile's arena, arena.ts), else fresh
   * typed arrays.
   */
  constructor(
    private readonly ids: (x: number) => string,
    private readonly count: number,
    private hash: (id: string) => number = sampleHash,
    private readonly arena?: Arena,
  ) {
    this.parsed = arena === undefined ? new Float64Array(count) : arena.float64(count) // every element is written by add()
  }

  /**
   * Notes which prefix and number entry x's id has, or its hash. Returns whether the id was hashed:
   * then finding it costs hashing an id and probing, else parsing it and one array read.
   */
  add(x: number, id: string): boolean {
    const candidates = this.candidates
    let p = -1
    let n = -1
    if (this.last >= 0) {
      const known = candidates[this.last]!.prefix
      if (hasPrefix(id, known)) {
        n = numberAt(id, known.length + 1)
        if (n >= 0) p = this.last
      }
    }
    if (p < 0) {
      // the prefix is everything before the last dash, and only digits may follow it
      const dash = lastDashBeforeDigits(id)
      n = dash > 0 ? numberAt(id, dash + 1) : -1
      if (n >= 0) {
        const prefix = id.slice(0, dash)
        p = candidates.findIndex((c) => c.prefix === prefix)
        if (p < 0 && candidates.length < MAX_PREFIXES) p = candidates.push({ prefix, max: 0, count: 0 }) - 1
      }
      if (p < 0) {
        this.parsed[x] = this.hash(id)
        return true
      }
    }
    this.last = p
    this.parsed[x] = -1 - (p * 1e9 + n)
    const c = candidates[p]!
    c.count++
    if (n > c.max) c.max = n
    return false
  }

  /** Builds the tables (dense prefixes) and the hash table (every other id). Throws if an id occurs twice. */
  seal(): this {
    const tableOf = this.candidates.map((c) => {
      if (c.max > 4 * c.count + 1024) return -1
      this.prefixes.push(c.prefix)
      const size = c.max + 1
      return this.tables.push(this.arena === undefined ? new Int32Array(size) : this.arena.zeroedInt32(size)) - 1
    })
    const parsed = this.parsed
    const count = this.count
    let others = 0
    let repeated = false
    for (let x = 0; x < count; x++) {
      const code = parsed[x]!
      if (code >= 0) {
        others++
        continue
      }
      const pn = -1 - code
      const p = Math.floor(pn / 1e9)
      const t = tableOf[p]!
      if (t < 0) {
        // a prefix too sparse for a table: this id goes to the hash table
        parsed[x] = this.hash(this.ids(x))
        others++
        continue
      }
      const table = this.tables[t]!
      const n = pn - p * 1e9
      if (table[n] !== 0) repeated = true
      else table[n] = x + 1
    }
    if (others > 0) {
      let table = this.hashTable(others)
      if (table.probes > PROBES_PER_ID * others + 1024 && this.hash !== hashId) {
        // the hash does not tell these ids apart (alike in every unit sampleHash reads): hash every unit
        this.hash = hashId
        for (let x = 0; x < count; x++) if (parsed[x]! >= 0) parsed[x] = hashId(this.ids(x))
        table = this.hashTable(others)
      }
      if (table.repeated) repeated = true
      this.other = table
    }
    if (repeated) throw duplicate(firstRepeat(this.ids, count))
    return this
  }

  /**
   * The table of the `others` ids whose parsed[x] is a hash, inserted in the order of their home
   * slots (a counting sort on the hash's top bits), so that filling the table walks it instead of
   * missing the cache once per id; each id's hash travels with its entry, so that the inserts read
   * both in order. Its `repeated`: whether an id was inserted twice.
   */
  private hashTable(others: number): IdTable & { repeated: boolean } {
    const parsed = this.parsed
    const count = this.count
    const table = Object.assign(new IdTable(this.ids, capacityFor(others), count, this.arena), { repeated: false })
    const buckets = new Int32Array((1 << BUCKET_BITS) + 1)
    for (let x = 0; x < count; x++) {
      const h = parsed[x]!
      if (h >= 0) buckets[(h >>> BUCKET_SHIFT) + 1]!++
    }
    for (let b = 1; b < buckets.length; b++) buckets[b]! += buckets[b - 1]!
    const order = this.arena === undefined ? new Int32Array(others) : this.arena.int32(others)
    const hashes = this.arena === undefined ? new Int32Array(others) : this.arena.int32(others)
    for (let x = 0; x < count; x++) {
      const h = parsed[x]!
      if (h >= 0) {
        const t = buckets[h >>> BUCKET_SHIFT]!++
        order[t] = x
        hashes[t] = h
      }
    }
    for (let t = 0; t < others; t++) if (table.insert(order[t]!, hashes[t]!) >= 0) table.repeated = true
    return table
  }

  /** Whether the hash table's ids are hashed whole (hashId): sampleHash could not tell them apart. */
  get hashesEveryUnit(): boolean {
    return this.hash === hashId
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
      if (hasPrefix(id, prefix)) {
        const n = numberAt(id, prefix.length + 1)
        const table = this.tables[j]!
        if (n >= 0 && n < table.length && table[n]! > 0) return table[n]! - 1
      }
    }
    return this.other === null ? -1 : this.other.find(id, this.hash(id))
  }
}

/** The first id (in entry order) equal to an earlier one: the error path, so a plain Set. */
function firstRepeat(ids: (x: number) => string, count: number): string {
  const seen = new Set<string>()
  for (let x = 0; x < count; x++) {
    const id = ids(x)
    if (seen.has(id)) return id
    seen.add(id)
  }
  throw new Error('reconcile: no repeated id') // unreachable: called only when one was found
}

function duplicate(id: string): Error {
  return new Error(`reconcile: ledger id ${id} appears more than once`)
}
