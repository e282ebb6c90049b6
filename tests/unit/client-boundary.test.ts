/**
 * The producer-client seam holds: outside harness/clients/<name>/, no module imports a producer
 * client library, so adding a client is one adapter folder, not a dozen edits. The files that
 * still import kafkajs are listed below, each with why it may.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, expect, test } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const SCANNED = ['harness', 'tests', 'bench', 'examples', 'scripts']

/** Kafka producer client libraries for Node (and kafkajs's codec plugins). */
const LIBRARIES = ['kafkajs', 'kafkajs-lz4', 'kafkajs-snappy', '@confluentinc/kafka-javascript', 'node-rdkafka', '@platformatic/kafka', 'kafka-node']

/** An import, dynamic import or require (also through a createRequire'd function such as requireKafkajs) of one of LIBRARIES or a path inside it. */
const IMPORT = new RegExp(`(?:from\\s*|import\\s*\\(\\s*|\\b\\w*[rR]equire\\w*\\s*\\(\\s*|\\)\\s*\\(\\s*)['"\`]((?:${LIBRARIES.map((l) => l.replace(/[/.]/g, '\\$&')).join('|')})(?:/[^'"\`]*)?)['"\`]`, 'g')

/** Files outside harness/clients/<name>/ that may import kafkajs, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  'harness/cluster/cluster.ts': "the harness's own kafkajs clients: Cluster.kafka() and admin() (topics, offsets, metadata), readers and consumers",
  'harness/cluster/client-log.ts': "the log of the harness's own kafkajs clients (the kafkajs adapter writes to it too)",
  'harness/cluster/watermarks.ts': 'a reader: high watermarks at read_uncommitted through a kafkajs-internal cluster client',
  'harness/workload/reader.ts': 'the reader: reads a topic back to its high watermarks',
  'harness/payments/payments.ts': "billing, the story's consumer group: a reader of the topic, not a producer under test",
  'tests/unit/kafkajs-eos.test.ts': "a study of kafkajs's own internals (sendMessages and eosManager against a stand-in broker): kafkajs facts",
  'tests/unit/murmur2.test.ts': "a kafkajs fact: its DefaultPartitioner is Java's murmur2, checked against the harness's own",
  'tests/unit/support/kafkajs-errors.ts': "kafkajs's own errors and retrier, for the kafkajs adapter's classification tests",
  'tests/unit/support/fake-kafka.ts': 'a kafkajs stand-in the kafkajs adapter runs against in unit tests',
  'tests/unit/gate-config.test.ts': "runs kafkajs's real retrier in a child process to pin the gate's production retries",
  'tests/unit/reader.test.ts': "the reader's kafkajs types",
  'tests/cluster/cluster.test.ts': "the cluster's own wiring: a plain kafkajs producer and consumer round-trip through the proxies",
  'tests/cluster/client-line.test.ts': "the lines' own wiring: a plain kafkajs client on a line is told only that line's addresses",
  'tests/partitioning/keyless-retry.test.ts': 'a kafkajs fact: how it retries a keyless send call',
  'bench/throughput.ts': "kafkajs's own throughput per codec (with its lz4 and snappy plugins)",
  'examples/first-producer.ts': "the lecture's first producer: an application written with kafkajs",
  'scripts/compose-smoke.ts': 'a smoke test of the compose file with a plain kafkajs client',
  'tests/unit/client-boundary.test.ts': 'this test names the libraries',
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : files(path)
    return /\.(ts|mts|js|mjs|cjs)$/.test(name) ? [path] : []
  })
}

/** Every (file, library) import in the scanned folders, paths relative to the repository. */
function imports(): { file: string; specifier: string }[] {
  return SCANNED.flatMap((d) => files(join(ROOT, d))).flatMap((path) => {
    const file = relative(ROOT, path).split(sep).join('/')
    return [...readFileSync(path, 'utf8').matchAll(IMPORT)].map((m) => ({ file, specifier: m[1] as string }))
  })
}

/** The library each adapter folder drives, where its name is not the folder's ('java' and 'franz-go' run theirs in a driver process: they import none). */
const LIBRARY_OF: Readonly<Record<string, string>> = {
  confluent: '@confluentinc/kafka-javascript',
  platformatic: '@platformatic/kafka',
}

/** harness/clients/<name>/...: an adapter's own folder. */
const inAdapter = (file: string): boolean => /^harness\/clients\/[^/]+\//.test(file)

describe('the producer-client seam', () => {
  const found = imports()

  test('outside harness/clients/<name>/, only the listed files import a producer client library', () => {
    const outside = found.filter((i) => !inAdapter(i.file) && ALLOWED[i.file] === undefined)
    expect(outside.map((i) => `${i.file} imports ${i.specifier}`)).toEqual([])
  })

  test('an adapter folder imports only its own library', () => {
    const folder = (file: string) => file.split('/')[2] as string
    const crossing = found.filter((i) => inAdapter(i.file) && !i.specifier.startsWith(LIBRARY_OF[folder(i.file)] ?? folder(i.file)))
    expect(crossing.map((i) => `${i.file} imports ${i.specifier}`)).toEqual([])
  })

  test('no file of the list is there without need', () => {
    const importing = new Set(found.map((i) => i.file))
    expect(Object.keys(ALLOWED).filter((f) => !importing.has(f))).toEqual([])
  })

  test('the scan sees imports in every form the code uses', () => {
    const forms = ["import kafkajs from 'kafkajs'", "import type { Kafka } from 'kafkajs'", "require('kafkajs/src/retry')", "requireKafkajs('kafkajs/src/cluster')", "await import('@platformatic/kafka')", "createRequire(import.meta.url)('kafkajs/src/retry/defaults.js')"]
    expect(forms.map((f) => [...f.matchAll(IMPORT)].map((m) => m[1]))).toEqual([['kafkajs'], ['kafkajs'], ['kafkajs/src/retry'], ['kafkajs/src/cluster'], ['@platformatic/kafka'], ['kafkajs/src/retry/defaults.js']])
    expect([..."import { x } from './kafkajs-errors.js'".matchAll(IMPORT)]).toEqual([])
    expect([..."adapterFor('kafkajs')".matchAll(IMPORT)]).toEqual([]) // a client's name, not an import
    // A Node client loaded from its install in the cache, by its adapter.
    expect([..."requireFromCache('confluent')('@confluentinc/kafka-javascript')".matchAll(IMPORT)].map((m) => m[1])).toEqual(['@confluentinc/kafka-javascript'])
  })
})
