/**
 * Key corpora for the hashing tests: deterministic (seeded), so a failure names keys that can be
 * produced again.
 */
import { prng as seededRandom } from '../../harness/explore/prng.js'

export type KeyKind = 'empty' | 'ascii' | 'utf8' | 'binary'

export interface CorpusKey {
  /** Unique in the corpus; travels in the record's `id` header. */
  id: string
  kind: KeyKind
  key: string | Buffer
}

export interface CorpusSize {
  ascii: number
  utf8: number
  binary: number
}

/**
 * The empty string key, ASCII keys (the lecture's order-N and random printable strings),
 * multi-byte UTF-8 keys (2-, 3- and 4-byte code points mixed with ASCII; no lone surrogates,
 * which have no UTF-8 form) and random binary Buffers of 0..64 bytes (every tail length 0..3).
 */
function keyCorpus(size: CorpusSize, seed = 6): CorpusKey[] {
  const random = seededRandom(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1))
  const keys: CorpusKey[] = [{ id: 'k0', kind: 'empty', key: '' }]
  const add = (kind: KeyKind, key: string | Buffer) => keys.push({ id: `k${keys.length}`, kind, key })

  for (let i = 0; i < size.ascii; i++) {
    if (i % 2 === 0) add('ascii', `order-${i / 2}`)
    else add('ascii', String.fromCharCode(...Array.from({ length: int(1, 40) }, () => int(0x20, 0x7e))))
  }
  // [from, to] code point ranges by UTF-8 length, surrogates (D800–DFFF) left out.
  const ranges: [number, number][] = [[0x20, 0x7e], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xffff], [0x10000, 0x10ffff]]
  for (let i = 0; i < size.utf8; i++) {
    const points = Array.from({ length: int(1, 20) }, (_, j) => {
      const [from, to] = ranges[j === 0 ? 1 + (i % 4) : int(0, ranges.length - 1)] as [number, number]
      return int(from, to)
    })
    add('utf8', String.fromCodePoint(...points))
  }
  for (let i = 0; i < size.binary; i++) {
    add('binary', Buffer.from(Array.from({ length: int(0, 64) }, () => int(0, 255))))
  }
  return keys
}

/** How a key reads in a failure message. */
export function showKey(key: string | Buffer): string {
  return typeof key === 'string' ? JSON.stringify(key) : `0x${key.toString('hex')}`
}

/** The corpus tests/partitioning/key-hashing.test.ts sends: 10,001 keys. */
export const CORPUS = keyCorpus({ ascii: 4000, utf8: 3500, binary: 2500 })
