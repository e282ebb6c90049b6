/**
 * Strict checking of a JSON object against a shape: an unknown option (with a "did you mean"), a
 * wrong type, a negative number are each a ConfigError naming the field.
 */
import { ConfigError } from '../errors.js'

/** A field's type; 'any' is left to a check of its own (e.g. acks, which may be a number or "all"). */
export type Shape = { [k: string]: 'boolean' | 'integer' | 'number' | 'string' | 'any' | Shape }

/** The option of `options` closest to `word`, if close enough to be a typo of it. */
export function closest(word: string, options: readonly string[]): string | undefined {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)])
    for (let j = 1; j <= b.length; j++) (d[0] as number[])[j] = j
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        (d[i] as number[])[j] = Math.min(
          (d[i - 1] as number[])[j]! + 1,
          (d[i] as number[])[j - 1]! + 1,
          (d[i - 1] as number[])[j - 1]! + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1),
        )
    return (d[a.length] as number[])[b.length]!
  }
  const best = options.map((o) => ({ o, d: dist(word, o) })).sort((x, y) => x.d - y.d)[0]
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.o : undefined
}

/** Throws ConfigError for the first field of `value` that `shape` does not allow. */
export function checkShape(value: unknown, shape: Shape, path: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(path || '(config)', 'must be an object', value)
  for (const [k, v] of Object.entries(value)) {
    const field = path ? `${path}.${k}` : k
    const want = shape[k]
    if (want === undefined) {
      const hint = closest(k, Object.keys(shape))
      throw new ConfigError(field, `unknown option${hint ? `; did you mean '${hint}'?` : ''} Known here: ${Object.keys(shape).join(', ')}`)
    }
    if (want === 'any') continue
    if (typeof want === 'object') checkShape(v, want, field)
    else if (want === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ConfigError(field, 'must be a non-negative number', v)
    } else if (want === 'integer') {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(field, 'must be a non-negative integer', v)
    } else if (typeof v !== want) throw new ConfigError(field, `must be a ${want}`, v)
  }
}
