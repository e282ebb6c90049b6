/**
 * The gate config's published JSON Schema (schema/gate-config.schema.json: the one teams point
 * their editor at with "$schema"), compiled once with ajv, and what it finds as a ConfigError
 * naming the field as the config spells it: an unknown option with a "did you mean", a wrong type
 * or value with what was expected and what was found, a missing field with what it is.
 *
 * Rules across fields (idempotence with acks other than all, a transactional producer's calls in
 * flight) and what one client cannot honour are the adapters' (harness/clients/<name>/), checked
 * after the schema.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import { distance } from 'fastest-levenshtein'
import schema from '../../schema/gate-config.schema.json' with { type: 'json' }
import { ConfigError, HarnessError } from '../errors.js'

/** A part of the schema: '' (a whole gate config) or a definition ('/definitions/producerProfile'). */
export type SchemaPart = '' | `/definitions/${keyof typeof schema.definitions}`

/** How a message names a field, from its path below the value checked ('' for the value itself, 'retry.retries'). */
export type FieldOf = (path: string) => string

/** A schema object, as far as messages read it. */
interface Node {
  $ref?: string
  title?: string
  type?: string
  enum?: unknown[]
  pattern?: string
  minimum?: number
  maximum?: number
  minProperties?: number
  properties?: Record<string, Node | boolean>
}

/**
 * Keywords of the schema that only an editor reads (VS Code's `patternErrorMessage`: its message for
 * a value the pattern refuses). Declared to ajv, which in strict mode refuses a keyword it does
 * not know.
 */
export const EDITOR_KEYWORDS = ['patternErrorMessage']

let ajv: Ajv | undefined
const compiled = new Map<SchemaPart, ValidateFunction>()

/** The validator of a part of the schema, compiled on first use and kept. */
function validatorOf(part: SchemaPart): ValidateFunction {
  let v = compiled.get(part)
  if (v === undefined) {
    if (ajv === undefined) {
      // strict: a schema ajv would read loosely (an unknown keyword, a type-less `properties`) throws here
      ajv = new Ajv({ allErrors: true, verbose: true, strict: true })
      ajv.addVocabulary(EDITOR_KEYWORDS)
      ajv.addSchema(schema)
    }
    v = ajv.getSchema(`${schema.$id}#${part}`)
    if (v === undefined) throw new HarnessError(`schema/gate-config.schema.json has no ${part}: a definition the harness validates with was renamed or removed`)
    compiled.set(part, v)
  }
  return v
}

/** Throws a ConfigError for what `value` breaks of the schema's `part`, the first that matters most. */
export function checkAgainst(part: SchemaPart, value: unknown, fieldOf: FieldOf): void {
  const validate = validatorOf(part)
  if (validate(value)) return
  // `if` only says which branch failed; the branch's own errors say how
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if')
  const first = errors.sort((a, b) => rank(a) - rank(b))[0]
  if (first === undefined) throw new ConfigError(fieldOf(''), 'does not match schema/gate-config.schema.json', value)
  throw configError(first, fieldOf)
}

/** An unknown option first (a typo explains the rest), then a wrong value, then what is missing. */
function rank(e: ErrorObject): number {
  return e.keyword === 'additionalProperties' ? 0 : e.keyword === 'required' ? 2 : e.keyword === 'minProperties' ? 3 : 1
}

function configError(e: ErrorObject, fieldOf: FieldOf): ConfigError {
  const here = e.instancePath
    .split('/')
    .slice(1)
    .map((k) => k.replace(/~1/g, '/').replace(/~0/g, '~'))
  const field = (...below: string[]): string => fieldOf([...here, ...below].join('.'))
  const parent = e.parentSchema as Node
  if (e.keyword === 'additionalProperties') {
    const key = String(e.params.additionalProperty)
    const known = Object.keys(parent.properties ?? {}).filter((k) => k !== '$schema')
    const hint = closest(key, known)
    return new ConfigError(field(key), `unknown option${hint ? `; did you mean '${hint}'?` : ''} Known here${parent.title ? ` (${parent.title})` : ''}: ${known.join(', ')}`)
  }
  if (e.keyword === 'required') {
    const key = String(e.params.missingProperty)
    const wanted = resolve(parent.properties?.[key])
    return new ConfigError(field(key), `is required: ${wanted.title ? `${wanted.title}, ` : ''}${expectation(wanted)}`)
  }
  if (e.keyword === 'minProperties') return new ConfigError(field(), `must state at least one of ${Object.keys(parent.properties ?? {}).join(', ')}`, e.data)
  const hint = e.keyword === 'enum' && typeof e.data === 'string' ? closest(e.data, (parent.enum ?? []).filter((v): v is string => typeof v === 'string')) : undefined
  return new ConfigError(field(), `must be ${expectation(parent)}${hint ? `; did you mean '${hint}'?` : ''}`, e.data)
}

/** A $ref followed within the schema; `true` (anything) as an empty node. */
function resolve(node: Node | boolean | undefined): Node {
  if (typeof node !== 'object') return {}
  if (node.$ref === undefined) return node
  const target = node.$ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((at, k) => (at as Record<string, unknown>)[k], schema)
  return resolve(target as Node)
}

/** What a schema node accepts, in words: 'a non-negative integer', 'one of 0, 1, -1 or "all"'. */
function expectation(node: Node): string {
  const n = resolve(node)
  if (n.enum) {
    // a number and the same number as a string are one value said two ways: name it once
    const values = n.enum.filter((v) => !(typeof v === 'string' && n.enum!.includes(Number(v)) && v.trim() !== ''))
    const quote = values.some((v) => typeof v !== 'string')
    return `one of ${inWords(values.map((v) => (quote ? JSON.stringify(v) : String(v))))}`
  }
  if (n.type === 'boolean') return 'a boolean'
  if (n.type === 'string') return n.pattern === '\\S' ? 'a non-empty string' : 'a string'
  if (n.type === 'integer' || n.type === 'number') {
    const noun = n.type === 'integer' ? 'an integer' : 'a number'
    if (n.minimum !== undefined && n.maximum !== undefined) return `${noun} from ${n.minimum} to ${n.maximum}`
    if (n.minimum === 0) return `a non-negative ${n.type}`
    if (n.minimum === 1 && n.type === 'integer') return 'a positive integer'
    return n.minimum !== undefined ? `${noun} of at least ${n.minimum}` : noun
  }
  if (n.type === 'object') return n.minProperties ? `an object stating at least one of ${inWords(Object.keys(n.properties ?? {}))}` : 'an object'
  return 'what schema/gate-config.schema.json allows'
}

const inWords = (xs: string[]): string => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`)

/** The option of `options` closest to `word` (case aside), if close enough to be a typo of it. */
export function closest(word: string, options: readonly string[]): string | undefined {
  const best = options.map((o) => ({ o, d: distance(word.toLowerCase(), o.toLowerCase()) })).sort((x, y) => x.d - y.d)[0]
  return best && best.d <= Math.max(2, Math.floor(word.length / 3)) ? best.o : undefined
}
