/**
 * The record format the workload writes and the reader understands.
 *
 * - id: `<prefix>-<n>`, unique per run (the prefix is drawn at random per run), carried in the
 *   `id` header AND in the value, so a record stays identifiable if headers are lost.
 * - value: compact JSON `{"id":"...","key":"...","seq":N}`, padded with a `"pad"` field to
 *   `valueBytes` bytes when asked (never truncated: a smaller size than the bare JSON is ignored).
 */
import { randomBytes } from 'node:crypto'

export const ID_HEADER = 'id'

/** A key space: `n` keys named `key-0..key-(n-1)`, or an explicit list. */
export type KeySpace = number | readonly string[]

export function keyNames(keys: KeySpace): readonly string[] {
  if (typeof keys !== 'number') {
    if (keys.length === 0) throw new Error('key space is empty')
    return keys
  }
  if (!Number.isInteger(keys) || keys < 1) throw new Error(`key count must be a positive integer, got ${keys}`)
  return Array.from({ length: keys }, (_, i) => `key-${i}`)
}

/** A short random prefix, so ids of different runs never collide. */
export function newIdPrefix(): string {
  return randomBytes(4).toString('hex')
}

export function recordValue(id: string, key: string, seq: number, valueBytes = 0): string {
  const bare = JSON.stringify({ id, key, seq })
  const padding = valueBytes - Buffer.byteLength(bare) - ',"pad":""'.length
  if (padding <= 0) return bare
  return `${bare.slice(0, -1)},"pad":"${'x'.repeat(padding)}"}`
}

/** The id inside a record value written by `recordValue`, or null if it holds none. */
export function idFromValue(value: Buffer | string | null | undefined): string | null {
  if (value === null || value === undefined) return null
  const text = typeof value === 'string' ? value : value.toString('utf8')
  if (!text.startsWith('{')) return null
  try {
    const parsed: unknown = JSON.parse(text)
    if (typeof parsed === 'object' && parsed !== null && 'id' in parsed) {
      const id = (parsed as { id: unknown }).id
      return typeof id === 'string' ? id : null
    }
  } catch {
    // not JSON: a record written by another tool
  }
  return null
}
