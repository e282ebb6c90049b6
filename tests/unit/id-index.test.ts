import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { capacityFor, hashId, IdIndex, IdTable, sampleHash } from '../../harness/reconcile/id-index.js'
import { uuidOf } from './support/id-shapes.js'

function index(ids: readonly string[], hash?: (id: string) => number): IdIndex {
  const idx = new IdIndex((x) => ids[x]!, ids.length, hash)
  ids.forEach((id, x) => idx.add(x, id))
  return idx.seal()
}

/** A table of `ids` (entry x holds ids[x]) under `hash`, filled one insert at a time. */
function table(ids: readonly string[], hash: (id: string) => number, capacity = capacityFor(ids.length)): IdTable {
  const t = new IdTable((x) => ids[x]!, capacity, ids.length)
  ids.forEach((id, x) => expect(t.insert(x, hash(id)), id).toBe(-1))
  return t
}

/** Pairs of different ids of no workload form (`order/<hex>`) that hashId maps to one value. */
function collidingPairs(wanted: number): [string, string][] {
  const seen = new Map<number, string>()
  const pairs: [string, string][] = []
  for (let i = 0; i < 1 << 21 && pairs.length < wanted; i++) {
    const id = `order/${i.toString(16)}`
    const h = hashId(id)
    const other = seen.get(h)
    if (other !== undefined) pairs.push([other, id])
    else seen.set(h, id)
  }
  return pairs
}

describe('IdIndex', () => {
  const ids = ['run-0', 'run-1', 'run-7', 'custom', 'run-007', 'a-b-3', 'far-1000000', 'run-x', 'other-2', '-4', 'run-']
  const idx = index(ids)

  it('finds every id it holds, whatever its form', () => {
    ids.forEach((id, x) => expect(idx.get(id), id).toBe(x))
  })

  it('finds nothing for ids it does not hold, however alike', () => {
    for (const id of ['run-2', 'run-07', 'run-01', 'run-8', 'run-70', 'Run-1', 'run-1 ', 'a-b-03', 'a-3', 'far-1000001', 'other-3', 'run--1', '']) {
      expect(idx.get(id), id).toBe(-1)
    }
  })

  it('rejects an id given twice, whichever way it is indexed', () => {
    for (const dup of ['run-1', 'custom', 'run-007', 'far-1000000', 'a-b-3']) {
      expect(() => index([...ids, dup]), dup).toThrow(`ledger id ${dup} appears more than once`)
    }
  })

  it('names the first id (in entry order) that repeats an earlier one', () => {
    expect(() => index(['b', 'a', 'run-1', 'run-1', 'a', 'b'])).toThrow('ledger id run-1 appears more than once')
    expect(() => index(['b', 'a', 'c', 'a', 'b'], () => 0)).toThrow('ledger id a appears more than once')
  })

  it('indexes many prefixes, falling back past the eighth', () => {
    const many = Array.from({ length: 12 }, (_, p) => Array.from({ length: 3 }, (_, n) => `p${p}-${n}`)).flat()
    const idxMany = index(many)
    many.forEach((id, x) => expect(idxMany.get(id)).toBe(x))
    expect(idxMany.get('p11-3')).toBe(-1)
  })

  it('holds the empty id, unicode ids, and ids that differ in one code unit, a surrogate half, or length only', () => {
    const odd = ['', ' ', 'é', 'e\u0301', '😀', '\uD83D', '\uDE00', '😀😀', 'ünïcödé-ïd', 'id\u0000', 'id', 'ID', 'id ', 'ー-1', 'a'.repeat(300), 'a'.repeat(301)]
    for (const hash of [hashId, () => 0, (s: string) => s.length]) {
      const i = index(odd, hash)
      odd.forEach((id, x) => expect(i.get(id), JSON.stringify(id)).toBe(x))
      for (const absent of ['\uD83D\uDE01', 'e', 'Id', 'a'.repeat(302), '\u0000', 'ー-2']) expect(i.get(absent), JSON.stringify(absent)).toBe(-1)
    }
  })

  it('answers the same entry each time an id is asked again (a duplicated record), and -1 for absent ids every time', () => {
    const uuids = Array.from({ length: 1000 }, (_, i) => uuidOf(i))
    const i = index(uuids)
    for (let round = 0; round < 3; round++) {
      uuids.forEach((id, x) => expect(i.get(id)).toBe(x))
      for (let k = 1000; k < 1100; k++) expect(i.get(uuidOf(k))).toBe(-1)
    }
  })

  it('finds ids of every shape in one index, and nothing for an absent one', () => {
    const mixed = ['run-0', 'run-1', 'custom', uuidOf(1), '']
    const i = index(mixed)
    for (const [x, id] of mixed.entries()) expect(i.get(id), id).toBe(x)
    expect(i.get('absent')).toBe(-1)
  })

  it('tells apart different ids of equal hash', () => {
    const pairs = collidingPairs(4)
    expect(pairs.length).toBe(4)
    const colliding = pairs.flat()
    for (const [a, b] of pairs) expect(hashId(a)).toBe(hashId(b))
    const i = index(colliding)
    colliding.forEach((id, x) => expect(i.get(id), id).toBe(x))
    // one of each pair held: its partner is absent
    const halves = pairs.map(([a]) => a)
    const j = index(halves)
    pairs.forEach(([a, b], x) => {
      expect(j.get(a)).toBe(x)
      expect(j.get(b)).toBe(-1)
    })
  })

  it('answers exactly like a Map for random id sets, whatever the hash', () => {
    const id = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 10 }), // any code units, lone surrogates included
      fc.string({ unit: 'grapheme', maxLength: 5 }),
      fc.constantFrom('', '-', 'run-', 'run-0', 'run-00', '0', '-0'),
      fc.tuple(fc.constantFrom('run', 'a-b', 'x', 'é'), fc.nat({ max: 5000 })).map(([p, n]) => `${p}-${n}`),
      fc.uuid(),
    )
    const hashes: [string, (s: string) => number][] = [
      ['hashId', hashId],
      ['constant', () => 777],
      ['length', (s) => s.length],
      ['3 bits', (s) => hashId(s) & 7],
      ['top bits only', (s) => hashId(s) & ~0xfffff],
    ]
    fc.assert(
      fc.property(fc.uniqueArray(id, { maxLength: 80 }), fc.array(id, { maxLength: 30 }), fc.constantFrom(...hashes), (held, asked, [, hash]) => {
        const i = index(held, hash)
        const map = new Map(held.map((s, x) => [s, x]))
        for (const q of [...held, ...asked]) expect(i.get(q)).toBe(map.get(q) ?? -1)
      }),
      { numRuns: 300 },
    )
  })

  it('rejects a ledger exactly when an id repeats, naming the first repeat', () => {
    const id = fc.oneof(fc.constantFrom('', 'a', 'run-1', 'run-01', '😀'), fc.string({ maxLength: 3 }), fc.nat({ max: 20 }).map((n) => `run-${n}`))
    fc.assert(
      fc.property(fc.array(id, { maxLength: 30 }), fc.constantFrom(hashId, () => 1), (ids, hash) => {
        const seen = new Set<string>()
        const repeat = ids.find((s) => seen.size === seen.add(s).size)
        if (repeat === undefined) expect(() => index(ids, hash)).not.toThrow()
        else expect(() => index(ids, hash)).toThrow(`ledger id ${repeat} appears more than once`)
      }),
      { numRuns: 300 },
    )
  })
})

describe('IdTable', () => {
  it('resolves collisions in a tiny table: 15 ids of one hash in 16 slots', () => {
    const ids = Array.from({ length: 15 }, (_, i) => `k${i}`)
    const t = table(ids, () => 5, 16)
    ids.forEach((id, x) => expect(t.find(id, 5), id).toBe(x))
    expect(t.find('k15', 5)).toBe(-1)
    expect(t.find('k1', 6)).toBe(-1) // asked under another hash: its home slot is elsewhere
    // the 16th would leave no empty slot (a probe must end)
    expect(() => t.insert(15, 5)).toThrow(RangeError)
  })

  it('wraps probes around the end of the table', () => {
    const ids = ['a', 'b', 'c', 'd']
    const top = 2 ** 30 - 1 // home: the last slot
    const t = table(ids, () => top, 8)
    ids.forEach((id, x) => expect(t.find(id, top)).toBe(x))
    expect(t.find('e', top)).toBe(-1)
  })

  it('refuses an equal id, answering the entry that holds it', () => {
    const ids = ['x', 'y', 'x']
    const t = new IdTable((i) => ids[i]!, 16, ids.length)
    expect(t.insert(0, 3)).toBe(-1)
    expect(t.insert(1, 3)).toBe(-1)
    expect(t.insert(2, 3)).toBe(0)
    expect(t.find('x', 3)).toBe(0)
  })

  it('takes only power-of-two capacities up to 2^30', () => {
    for (const c of [0, 1, 3, 100, 2 ** 31, 1.5]) expect(() => new IdTable(() => '', c, 10), String(c)).toThrow(RangeError)
    expect(capacityFor(0)).toBe(16)
    expect(capacityFor(11)).toBe(32)
    expect(capacityFor(1_000_000)).toBe(2 ** 21)
    expect(capacityFor(5_000_000)).toBe(2 ** 23)
  })

  it('holds 100,000 UUIDs in a table of 2^18 slots, tells each apart, and refuses a repeat', () => {
    const n = 100_000
    const ids = Array.from({ length: n + 1 }, (_, i) => uuidOf(i))
    ids[n] = ids[4242]!
    const t = new IdTable((x) => ids[x]!, capacityFor(n), n + 1)
    expect(t.capacity).toBe(2 ** 18)
    // one expect per table, not per id: 100,000 expects take seconds
    const refused = ids.slice(0, n).filter((id, x) => t.insert(x, hashId(id)) !== -1)
    expect(refused).toEqual([])
    expect(t.insert(n, hashId(ids[n]!))).toBe(4242)
    const misplaced = ids.slice(0, n).filter((id, x) => t.find(id, hashId(id)) !== x)
    expect(misplaced).toEqual([])
    expect(t.find(uuidOf(n), hashId(uuidOf(n)))).toBe(-1)
  })

  it('hashId: 30 bits, every code unit counts', () => {
    for (const s of ['', 'a', 'ab', 'é', '😀', '\uD800', 'x'.repeat(1000)]) {
      const h = hashId(s)
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30, s).toBe(true)
    }
    const base = 'f47ac10b-58cc-4372-a567-0e02b2c3d479'
    for (let i = 0; i < base.length; i++) {
      const changed = base.slice(0, i) + String.fromCharCode(base.charCodeAt(i) ^ 1) + base.slice(i + 1)
      expect(hashId(changed), changed).not.toBe(hashId(base))
    }
    expect(hashId('ab')).not.toBe(hashId('ba'))
    expect(hashId('a')).not.toBe(hashId('a\u0000'))
  })

  it.each([hashId, sampleHash])('%o spreads UUIDs evenly over the top bits (the home slots)', (hash) => {
    const buckets = new Array<number>(64).fill(0)
    const n = 64_000
    for (let i = 0; i < n; i++) buckets[hash(uuidOf(i)) >>> 24]!++
    for (const b of buckets) expect(b).toBeGreaterThan(800) // 1000 expected in each
  })

  it('sampleHash: 30 bits; whole for ids of up to 16 units; of longer ones the length and 16 units', () => {
    for (const s of ['', 'a', '0123456789abcdef', 'x'.repeat(1000)]) {
      const h = sampleHash(s)
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 30, s).toBe(true)
    }
    expect(sampleHash('order-1234')).toBe(hashId('order-1234'))
    expect(sampleHash('f47ac10b-58cc-4372-a567-0e02b2c3d479')).not.toBe(sampleHash('f47ac10b-58cc-4372-a567-0e02b2c3d478'))
    expect(sampleHash('x'.repeat(40))).not.toBe(sampleHash('x'.repeat(41)))
    // units 4..9 of a 40-unit id are not read
    expect(sampleHash(`aaaa000000${'z'.repeat(30)}`)).toBe(sampleHash(`aaaa99zzzz${'z'.repeat(30)}`))
  })
})

describe('IdIndex with ids sampleHash cannot tell apart', () => {
  // 5000 ids of 40 units that differ only in units 4..9, which sampleHash does not read
  const alike = Array.from({ length: 5000 }, (_, i) => `aaaa${i.toString(36).padStart(6, '0')}${'z'.repeat(30)}`)

  it('they do collide under sampleHash', () => {
    expect(new Set(alike.map(sampleHash)).size).toBe(1)
  })

  it('rebuilds its table with hashId, and finds each id and nothing else', () => {
    const idx = index(alike, sampleHash)
    alike.forEach((id, x) => expect(idx.get(id), id).toBe(x))
    expect(idx.get(`aaaa${(5000).toString(36).padStart(6, '0')}${'z'.repeat(30)}`)).toBe(-1)
    expect(idx.hashesEveryUnit).toBe(true)
  })

  it('still rejects an id given twice', () => {
    expect(() => index([...alike, alike[1234]!], sampleHash)).toThrow(`ledger id ${alike[1234]} appears more than once`)
  })

  it('keeps sampleHash where it tells ids apart', () => {
    expect(index(Array.from({ length: 5000 }, (_, i) => uuidOf(i)), sampleHash).hashesEveryUnit).toBe(false)
  })
})
