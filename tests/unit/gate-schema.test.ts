import { readdirSync, readFileSync, existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Ajv } from 'ajv'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import jsonLanguageService from 'vscode-json-languageservice'
import { CLIENT_NAMES, DEFAULT_CLIENT } from '../../harness/clients/registry.js'
import { EDITOR_KEYWORDS } from '../../harness/clients/schema.js'
import { parseAcks } from '../../harness/clients/profile.js'
import { CLAIMS, fieldsOf, loadGateConfig, parseGateConfig } from '../../harness/gate/config.js'
import schema from '../../schema/gate-config.schema.json' with { type: 'json' }

/**
 * schema/gate-config.schema.json is what teams' editors check a config with and what the gate
 * validates with: it must be a valid schema, agree with the TypeScript types the gate runs on, and
 * give field-named messages.
 */
const ROOT = join(import.meta.dirname, '..', '..')
const SCHEMA_FILE = join(ROOT, 'schema', 'gate-config.schema.json')

type Node = { $ref?: string; type?: string; enum?: unknown[]; properties?: Record<string, Node>; allOf?: Node[]; description?: string; title?: string; [k: string]: unknown }
const defs = schema.definitions as unknown as Record<string, Node>
/** A schema node with its $ref followed. */
const deref = (n: Node): Node => (n.$ref ? deref(defs[n.$ref.replace('#/definitions/', '')]!) : n)
/** What a node accepts, without the words for people. */
const rules = (n: Node): Node => Object.fromEntries(Object.entries(deref(n)).filter(([k]) => !['title', 'description'].includes(k))) as Node

/** The interfaces (property → type as written) and literal unions of a TypeScript file, read with the TypeScript parser. */
function declarations(file: string): { interfaces: Map<string, Map<string, string>>; unions: Map<string, unknown[]> } {
  const sf = ts.createSourceFile(file, readFileSync(join(ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true)
  const interfaces = new Map<string, Map<string, string>>()
  const unions = new Map<string, unknown[]>()
  sf.forEachChild((node) => {
    if (ts.isInterfaceDeclaration(node)) interfaces.set(node.name.text, new Map(node.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(sf), m.type?.getText(sf) ?? ''])))
    if (ts.isTypeAliasDeclaration(node) && ts.isUnionTypeNode(node.type) && node.type.types.every(ts.isLiteralTypeNode))
      unions.set(node.name.text, node.type.types.map((t) => JSON.parse(t.getText(sf).replace(/'/g, '"')) as unknown))
  })
  return { interfaces, unions }
}

describe('schema/gate-config.schema.json', () => {
  test("is a valid draft-07 schema under ajv's strict mode (which does refuse a loose one)", () => {
    const strict = (): Ajv => new Ajv({ strict: true, allErrors: true }).addVocabulary(EDITOR_KEYWORDS)
    const meta = strict()
    expect(meta.validateSchema(schema), JSON.stringify(meta.errors)).toBe(true)
    expect(() => strict().compile(schema)).not.toThrow()
    // the check can fail: a misspelt keyword is an error in strict mode
    const loose = { ...schema, properties: { ...schema.properties, name: { tpye: 'string' } } }
    expect(() => strict().compile(loose)).toThrow(/strict mode: unknown keyword: "tpye"/)
  })

  test("its $id is where the published package serves it: this package's name and the file's path", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string }
    expect(new URL(schema.$id).pathname).toBe(`/${pkg.name}/schema/gate-config.schema.json`)
  })

  test('every property tells an editor what it is: a title and a description', () => {
    const undescribed: string[] = []
    const walk = (n: Node, at: string): void => {
      for (const [k, child] of Object.entries(n.properties ?? {})) {
        const d = deref(child)
        if (!d.title || !d.description) undescribed.push(`${at}${k}`)
        walk(d, `${at}${k}.`)
      }
    }
    walk(schema as unknown as Node, '')
    for (const [name, d] of Object.entries(defs)) walk(d, `definitions.${name}: `)
    expect(undescribed).toEqual([])
  })

  test('every example config names it in "$schema", and validates and parses', () => {
    const files = readdirSync(join(ROOT, 'examples/configs')).filter((f) => f.endsWith('.json'))
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) {
      const file = join(ROOT, 'examples/configs', f)
      const raw = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string; name: string }
      expect(raw.$schema && resolve(dirname(file), raw.$schema), f).toBe(SCHEMA_FILE)
      expect(existsSync(SCHEMA_FILE)).toBe(true)
      expect(loadGateConfig(file).name).toBe(raw.name)
    }
  })

  test('"$schema" is accepted and changes nothing', () => {
    const config = { name: 'x', producer: { acks: 'all' }, claims: { noDuplicates: true } }
    expect(parseGateConfig({ $schema: './node_modules/kafka-durability/schema/gate-config.schema.json', ...config })).toEqual(parseGateConfig(config))
  })
})

describe('the schema and the TypeScript types agree', () => {
  const profile = declarations('harness/clients/profile.ts')
  const gate = declarations('harness/gate/config.ts')

  /** Mismatches between a TypeScript interface and a schema object node, field by field. */
  function disagreements(iface: string, node: Node, at = ''): string[] {
    const props = profile.interfaces.get(iface) ?? gate.interfaces.get(iface)
    if (!props) return [`${iface}: no such interface`]
    const inSchema = Object.keys(deref(node).properties ?? {})
    const out = [...props.keys()].filter((k) => !inSchema.includes(k)).map((k) => `${at}${k}: in ${iface}, not in the schema`)
    out.push(...inSchema.filter((k) => !props.has(k)).map((k) => `${at}${k}: in the schema, not in ${iface}`))
    for (const [k, tsType] of props) {
      const s = deref(node).properties?.[k]
      if (!s) continue
      const r = rules(s)
      const union = profile.unions.get(tsType)
      if (tsType === 'number') r.type === 'integer' || r.type === 'number' || out.push(`${at}${k}: number, schema ${r.type}`)
      else if (tsType === 'string' || tsType === 'boolean') r.type === tsType || out.push(`${at}${k}: ${tsType}, schema ${r.type}`)
      else if (tsType === 'Acks') {
        // the schema's numbers are the type's; its strings are other spellings of them
        const numbers = (r.enum ?? []).filter((v) => typeof v === 'number')
        if (JSON.stringify([...numbers].sort()) !== JSON.stringify([...union!].sort())) out.push(`${at}${k}: Acks ${JSON.stringify(union)}, schema ${JSON.stringify(numbers)}`)
        for (const v of r.enum ?? []) if (!union!.includes(parseAcks(v))) out.push(`${at}${k}: schema value ${JSON.stringify(v)} is no Acks`)
      } else if (union) JSON.stringify(r.enum) === JSON.stringify(union) || out.push(`${at}${k}: ${tsType} ${JSON.stringify(union)}, schema ${JSON.stringify(r.enum)}`)
      else if (profile.interfaces.has(tsType)) out.push(...disagreements(tsType, s, `${at}${k}.`))
      else out.push(`${at}${k}: type ${tsType} has no rule in this test`)
    }
    return out
  }

  test('ProducerProfile (and RetryBackoff, Acks, Compression, Partitioner) is the schema\'s producer profile, field by field', () => {
    expect(disagreements('ProducerProfile', defs.producerProfile!)).toEqual([])
    // the gate's producer is the profile with acks required
    expect(defs.gateProducer).toMatchObject({ required: ['acks'], allOf: [{ $ref: '#/definitions/producerProfile' }] })
  })

  test("a gate config's fields, clients and claims are the schema's", () => {
    const fields = [...gate.interfaces.get('GateConfig')!.keys()].filter((k) => k !== 'format') // how it was written, not a field
    expect(Object.keys(schema.properties).filter((k) => !['$schema', 'send'].includes(k))).toEqual(fields)
    expect(schema.properties.client.enum).toEqual(CLIENT_NAMES)
    expect(schema.properties.client.default).toBe(DEFAULT_CLIENT)
    expect(Object.keys(schema.properties.claims.properties)).toEqual(CLAIMS)
  })

  test('each field of the kafkajs format stands for one profile field, with the same rules', () => {
    const profileFields = [...profile.interfaces.get('ProducerProfile')!.keys()].flatMap((k) => (k === 'retryBackoff' ? [...profile.interfaces.get('RetryBackoff')!.keys()].map((b) => `retryBackoff.${b}`) : [k]))
    const legacyName = fieldsOf({ format: 'kafkajs' }) as (f: string) => string
    const ruleOf = (root: Node, path: string): Node | undefined => path.split('.').reduce<Node | undefined>((n, k) => (n ? deref(n).properties?.[k] : undefined), root)
    const legacyRoot: Node = { properties: { producer: { $ref: '#/definitions/kafkajsProducer' }, send: { $ref: '#/definitions/kafkajsSend' } } }
    const leaves = (n: Node, at: string): string[] => Object.entries(deref(n).properties ?? {}).flatMap(([k, c]) => (deref(c).type === 'object' ? leaves(c, `${at}${k}.`) : [`${at}${k}`]))
    const legacyLeaves = leaves(legacyRoot, '')
    const mapped = profileFields.filter((f) => legacyLeaves.includes(legacyName(f)))
    expect(mapped.map(legacyName).sort()).toEqual([...legacyLeaves].sort())
    // the first format has no field for these
    expect(profileFields.filter((f) => !mapped.includes(f))).toEqual(['lingerMs', 'batchBytes', 'partitioner'])
    for (const f of mapped) expect(rules(ruleOf(legacyRoot, legacyName(f))!), `${legacyName(f)} and producer.${f}`).toEqual(rules(ruleOf(defs.producerProfile!, f)!))
  })
})

describe('a config the schema refuses: the field, what was expected, what was found, the fix', () => {
  const profile = (producer: object, extra: object = {}) => ({ name: 'x', producer: { acks: 'all', ...producer }, claims: { noAcknowledgedLoss: true }, ...extra })
  const kafkajsFormat = (patch: object) => ({ name: 'x', send: { acks: 'all' }, claims: { noAcknowledgedLoss: true }, ...patch })
  test.each([
    ['acks outside 0/1/-1/all', profile({ acks: 2 }), 'producer.acks: must be one of 0, 1, -1 or "all" (got 2)'],
    ['acks as a word Kafka does not know', kafkajsFormat({ send: { acks: 'leader' } }), 'send.acks: must be one of 0, 1, -1 or "all" (got "leader")'],
    ['acks left out', { name: 'x', producer: {}, claims: { noDuplicates: true } }, 'producer.acks: is required: the replicas that must have a record before it is acknowledged, one of 0, 1, -1 or "all"'],
    ['an unknown option, with its suggestion', profile({ requestInFlight: 1 }), "producer.requestInFlight: unknown option; did you mean 'requestsInFlight'? Known here (the producer profile): acks, ackTimeoutMs, idempotent, retries, retryBackoff, requestsInFlight, callsInFlight, recordsPerCall, compression, lingerMs, batchBytes, partitioner, transactionalId, transactionTimeoutMs, metadataMaxAgeMs"],
    ['an unknown option nested', profile({ retryBackoff: { initalMs: 100 } }), "producer.retryBackoff.initalMs: unknown option; did you mean 'initialMs'? Known here (the back-off between retries): initialMs, maxMs, multiplier, jitter"],
    ['an unknown option in the kafkajs format', kafkajsFormat({ producer: { maxInflightRequests: 1 } }), `producer.maxInflightRequests: unknown option; did you mean 'maxInFlightRequests'? Known here (the producer in the kafkajs format, a config with "send"): idempotent, maxInFlightRequests, transactionalId, transactionTimeout, metadataMaxAge, retry`],
    ['acks under producer in the kafkajs format', kafkajsFormat({ producer: { acks: 'all' } }), /^producer\.acks: unknown option Known here \(the producer in the kafkajs format, a config with "send"\): /],
    ['a top-level typo', { ...profile({}), claim: {} }, "claim: unknown option; did you mean 'claims'? Known here (a gate config): name, description, client, producer, send, claims"],
    ['an unknown option with nothing close', profile({ bootstrapServers: 'b:9092' }), /^producer\.bootstrapServers: unknown option Known here \(the producer profile\): acks, /],
    ['a wrong type', profile({ idempotent: 'yes' }), 'producer.idempotent: must be a boolean (got "yes")'],
    ['a fraction where an integer goes', profile({ ackTimeoutMs: 1.5 }), 'producer.ackTimeoutMs: must be a non-negative integer (got 1.5)'],
    ['jitter beyond ±100 %', profile({ retryBackoff: { jitter: 1.5 } }), 'producer.retryBackoff.jitter: must be a number from 0 to 1 (got 1.5)'],
    ['a transaction timeout of 0', profile({ transactionTimeoutMs: 0 }), 'producer.transactionTimeoutMs: must be a positive integer (got 0)'],
    ['an unknown client, with its suggestion', profile({}, { client: 'franzgo' }), `client: must be one of ${CLIENT_NAMES.slice(0, -1).join(', ')} or ${CLIENT_NAMES.at(-1)}; did you mean 'franz-go'? (got "franzgo")`],
    ['no claim stated', profile({}, { claims: {} }), 'claims: must state at least one of noAcknowledgedLoss, noDuplicates, perKeyOrder (got {})'],
    ['no claims', { name: 'x', producer: { acks: 1 } }, 'claims: is required: the guarantees this config claims, an object stating at least one of noAcknowledgedLoss, noDuplicates or perKeyOrder'],
    ['a blank name', profile({}, { name: ' ' }), 'name: must be a non-empty string (got " ")'],
    ['no producer', { name: 'x', claims: { noDuplicates: true } }, /^producer: is required: the producer profile, an object$/],
    ['not an object', ['x'], '(config): must be an object (got ["x"])'],
    ['a $schema that is not a string', profile({}, { $schema: 1 }), '$schema: must be a string (got 1)'],
  ])('%s', (_, raw, message) => {
    expect(() => parseGateConfig(raw)).toThrow(message)
  })
})

/**
 * What an editor makes of the schema, asked of VS Code's own JSON language service (the engine of
 * its JSON editor): the schema found through a config's "$schema", the completions offered as a
 * team types, and the problems marked.
 */
describe("in an editor (VS Code's JSON language service)", () => {
  const { getLanguageService, TextDocument } = jsonLanguageService
  const service = getLanguageService({
    schemaRequestService: async (uri) => readFileSync(fileURLToPath(uri), 'utf8'),
    workspaceContext: { resolveRelativePath: (path, resource) => new URL(path, resource).href },
  })
  service.configure({ validate: true })
  const configs = join(ROOT, 'examples/configs')
  /** A document at `file` (in examples/configs/, so that "$schema" finds the schema from there); `|` marks the cursor. */
  const open = (text: string, file = join(configs, 'typed.json')) => {
    const doc = TextDocument.create(pathToFileURL(file).href, 'json', 1, text.replace('|', ''))
    return { doc, json: service.parseJSONDocument(doc), cursor: doc.positionAt(text.indexOf('|')) }
  }
  const problems = async (text: string, file?: string) => {
    const { doc, json } = open(text, file)
    return (await service.doValidation(doc, json)).map((d) => `${doc.getText(d.range)}: ${d.message}`)
  }
  const completions = async (text: string) => {
    const { doc, json, cursor } = open(text)
    return (await service.doComplete(doc, cursor, json))?.items ?? []
  }
  const head = '{ "$schema": "../../schema/gate-config.schema.json", "name": "x", "claims": { "noDuplicates": true }, '

  test('finds the schema through each example\'s "$schema" and marks nothing in it, and marks a typo once there is one', async () => {
    for (const f of readdirSync(configs).filter((n) => n.endsWith('.json'))) {
      const text = readFileSync(join(configs, f), 'utf8')
      expect(await problems(text, join(configs, f)), f).toEqual([])
      const typo = text.replace('"producer": {', '"producer": { "idempotant": true,')
      expect(await problems(typo, join(configs, f)), f).toEqual(['"idempotant": Property idempotant is not allowed.'])
    }
  })

  test('marks what the schema refuses, where it is', async () => {
    expect((await problems(`${head}"client": "kafkajss", "producer": { "acks": 2, "retryBackoff": { "jitter": 1.5 } } }`)).sort()).toEqual([
      '"kafkajss": Value is not accepted. Valid values: "kafkajs", "java", "franz-go", "confluent", "platformatic".',
      '1.5: Value is above the maximum of 1.',
      '2: Value is not accepted. Valid values: 0, 1, -1, "all", "0", "1", "-1".',
    ])
    expect(await problems('{ "$schema": "../../schema/gate-config.schema.json", "name": " ", "producer": { "acks": 1 }, "claims": {} }')).toEqual(['" ": must not be blank', '{}: Object has fewer properties than the required number of 1'])
  })

  test('completes each format\'s producer fields, acks, the clients and the claims, each with what it means', async () => {
    const labels = async (text: string) => {
      const items = await completions(text)
      expect(items.filter((i) => !i.documentation).map((i) => i.label)).toEqual([])
      return items.map((i) => i.label)
    }
    expect(await labels(`${head}"producer": { | } }`)).toEqual(Object.keys(defs.producerProfile!.properties!))
    expect(await labels(`${head}"send": { "acks": 1 }, "producer": { | } }`)).toEqual(Object.keys(defs.kafkajsProducer!.properties!))
    expect(await labels(`${head}"producer": { "acks": | } }`)).toEqual(['0', '1', '-1', '"all"', '"0"', '"1"', '"-1"'])
    expect(await labels(`${head}"client": |, "producer": { "acks": 1 } }`)).toEqual(CLIENT_NAMES.map((c) => `"${c}"`))
    expect(await labels('{ "$schema": "../../schema/gate-config.schema.json", "claims": { | } }')).toEqual(CLAIMS)
  })
})
