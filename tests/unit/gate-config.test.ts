import { spawnSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { kafkajsOptions } from '../../harness/clients/kafkajs/index.js'
import { contradictions, loadGateConfig, parseGateConfig, productionProfile, productionRetry } from '../../harness/gate/config.js'

const base = { name: 'x', send: { acks: 'all' }, claims: { noAcknowledgedLoss: true } }
const withFields = (patch: Record<string, unknown>) => ({ ...base, ...patch })

describe("a team's producer config", () => {
  test('the three example configs parse', () => {
    for (const f of ['safe', 'acks1', 'non-idempotent']) expect(loadGateConfig(`examples/configs/${f}.json`).name).toBe(f)
  })

  test.each([
    [withFields({ producer: { idempotant: true } }), /producer\.idempotant: unknown option; did you mean 'idempotent'\?/],
    [withFields({ producer: { retry: { retires: 3 } } }), /producer\.retry\.retires: unknown option; did you mean 'retries'\?/],
    [withFields({ sned: {} }), /sned: unknown option; did you mean 'send'\?/],
    [withFields({ producer: { maxInFlightRequests: '5' } }), /producer\.maxInFlightRequests: must be a positive integer \(got "5"\)/],
    [withFields({ producer: { idempotent: 'yes' } }), /producer\.idempotent: must be a boolean \(got "yes"\)/],
    [withFields({ send: { acks: 2 } }), /send\.acks: must be one of 0, 1, -1 or "all" \(got 2\)/],
    [withFields({ send: { acks: 'leader' } }), /send\.acks: must be one of 0, 1, -1 or "all" \(got "leader"\)/],
    [withFields({ send: {} }), /send\.acks: is required/],
    [withFields({ send: { acks: 1 }, producer: { idempotent: true } }), /send\.acks: must be "all" \(-1\) with producer\.idempotent: true/],
    [withFields({ producer: { idempotent: true, retry: { retries: 0 } } }), /producer\.retry\.retries: must be at least 1/],
    [withFields({ claims: {} }), /claims: must state at least one of/],
    [withFields({ claims: { noLoss: true } }), /claims\.noLoss: unknown option/],
    [withFields({ send: { acks: 'all', compression: 'zstd' } }), /send\.compression: must be "none" or "gzip"/],
    [withFields({ send: { acks: 'all', callsInFlight: 0 } }), /send\.callsInFlight: must be a positive integer \(got 0\)/],
    [withFields({ send: { acks: 'all', recordsPerCall: 2.5 } }), /send\.recordsPerCall: must be a positive integer \(got 2\.5\)/],
    [{ send: { acks: 'all' }, claims: { noDuplicates: true } }, /name: is required/],
    [withFields({ producer: { transactionalId: 'tx' }, send: { acks: 1 } }), /send\.acks: must be "all" \(-1\) with producer\.transactionalId/],
    [withFields({ producer: { transactionalId: 'tx' }, send: { acks: 'all', callsInFlight: 2 } }), /send\.callsInFlight: must be 1 with producer\.transactionalId/],
    [withFields({ producer: { transactionalId: ' ' } }), /producer\.transactionalId: must be a non-empty string \(got " "\)/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseGateConfig(raw)).toThrow(message)
  })

  test('acks is accepted as 0, 1, -1, "all", and their strings', () => {
    for (const [given, acks] of [[0, 0], [1, 1], [-1, -1], ['all', -1], ['-1', -1], ['1', 1], ['0', 0]] as const) {
      expect(parseGateConfig(withFields({ send: { acks: given } })).producer.acks).toBe(acks)
      expect(parseGateConfig({ name: 'x', producer: { acks: given }, claims: { noDuplicates: true } }).producer.acks).toBe(acks)
    }
  })

  test('claims the options rule out are reported, naming the field', () => {
    const nonIdempotent = loadGateConfig('examples/configs/non-idempotent.json')
    expect(contradictions(nonIdempotent).map((c) => c.field)).toEqual(['claims.noDuplicates'])
    expect(contradictions(nonIdempotent)[0]?.message).toMatch(/non-idempotent producer that retries/)
    const acks1 = loadGateConfig('examples/configs/acks1.json')
    expect(contradictions(acks1).map((c) => c.field)).toEqual(['claims.noAcknowledgedLoss'])
    expect(contradictions(loadGateConfig('examples/configs/safe.json')).map((c) => c.field)).toEqual(['claims.noAcknowledgedLoss'])
  })

  test('an idempotent or transactional producer that can give up cannot claim no acknowledged loss; one that never gives up, or a plain one, can', () => {
    const loss = (producer: object) => contradictions(parseGateConfig({ name: 'x', producer, send: { acks: 'all' }, claims: { noAcknowledgedLoss: true } })).map((c) => c.message)
    expect(loss({ idempotent: true })).toEqual([expect.stringMatching(/^contradicts producer\.idempotent=true with 5 retries: when a send call gives up .* Recreate the producer after any failed send/)])
    expect(loss({ idempotent: true, retry: { retries: 1 } })).toEqual([expect.stringMatching(/with 1 retries/)])
    expect(loss({ idempotent: true, transactionalId: 't' })).toEqual([expect.stringMatching(/^contradicts producer\.transactionalId \(transactional\) with 5 retries: .*the aborted transaction does not reset them/)])
    expect(loss({ idempotent: true, retry: { retries: Number.MAX_SAFE_INTEGER } })).toEqual([])
    expect(loss({ idempotent: false })).toEqual([])
  })

  test("claimed against every replica's power, a kafkajs idempotent producer cannot rule out a give-up, whatever its retries", () => {
    const neverGivesUp = { name: 'x', producer: { idempotent: true, retry: { retries: Number.MAX_SAFE_INTEGER } }, send: { acks: 'all' }, claims: { noAcknowledgedLoss: true } }
    expect(contradictions(parseGateConfig(neverGivesUp))).toEqual([])
    const allReplicas = contradictions(parseGateConfig({ ...neverGivesUp, failureDomain: 'all-replicas', topicConfig: { 'flush.messages': 1 } }))
    expect(allReplicas.map((c) => c.message)).toEqual([
      expect.stringMatching(/^contradicts producer\.idempotent=true with failureDomain "all-replicas", whatever producer\.retry\.retries is: .*broker pool gives up.*reuses them/),
    ])
    // the Java client's producer has no such limit: its claim stands for the scenario to judge
    const java = parseGateConfig({ name: 'j', client: 'java', producer: { acks: 'all', idempotent: true }, claims: { noAcknowledgedLoss: true }, failureDomain: 'all-replicas', topicConfig: { 'flush.messages': 1 } })
    expect(contradictions(java)).toEqual([])
  })

  // Measured (docs/power-loss.md, "The other clients across the outage"): with their never-give-up
  // retries each of these retried the send in flight through the 10–22 s outage and
  // lost nothing, so all-replicas rules nothing out for them; the scenario judges the claim.
  test.each([
    ['java', {}],
    ['franz-go', {}],
    ['confluent', {}],
    ['platformatic', { retries: Number.MAX_SAFE_INTEGER }],
  ])("claimed against every replica's power, %s's idempotent producer that never gives up keeps its claim for the scenario to judge", (client, retries) => {
    const config = (failureDomain: string) =>
      parseGateConfig({ name: 'x', client, producer: { acks: 'all', idempotent: true, callsInFlight: 1, ...retries }, claims: { noAcknowledgedLoss: true }, failureDomain, topicConfig: { 'flush.messages': 1 } })
    expect(contradictions(config('all-replicas'))).toEqual([])
    expect(contradictions(config('node'))).toEqual([])
  })

  test("@platformatic/kafka's finite retries rule the claim out against every replica's power as against one node", () => {
    const config = parseGateConfig({ name: 'x', client: 'platformatic', producer: { acks: 'all', idempotent: true }, claims: { noAcknowledgedLoss: true }, failureDomain: 'all-replicas', topicConfig: { 'flush.messages': 1 } })
    expect(contradictions(config).map((c) => c.message)).toEqual([expect.stringMatching(/^contradicts producer\.idempotent=true with 3 retries: .*advances a partition's sequence number only when an answer arrives/)])
  })

  const claimsAll = { noAcknowledgedLoss: true, noDuplicates: true, perKeyOrder: true }
  const ruledOut = (producer: object, send: object) => contradictions(parseGateConfig({ name: 'x', producer, send, claims: claimsAll })).map((c) => c.field)
  test.each([
    ['idempotent, one call at a time', { idempotent: true }, { acks: 'all' }, ['claims.noAcknowledgedLoss']],
    ['idempotent, one call at a time, never giving up', { idempotent: true, retry: { retries: Number.MAX_SAFE_INTEGER } }, { acks: 'all' }, []],
    ['never retries, 4 calls in flight', { retry: { retries: 0 }, maxInFlightRequests: 5 }, { acks: 'all', callsInFlight: 4 }, []],
    ['retries without idempotence, one call at a time, 5 requests in flight', { maxInFlightRequests: 5 }, { acks: 'all' }, ['claims.noDuplicates']],
    ['idempotent, 4 calls in flight', { idempotent: true }, { acks: 'all', callsInFlight: 4 }, ['claims.noAcknowledgedLoss', 'claims.noDuplicates', 'claims.perKeyOrder']],
    ['idempotent, 4 calls in flight, one request in flight', { idempotent: true, maxInFlightRequests: 1 }, { acks: 'all', callsInFlight: 4 }, ['claims.noAcknowledgedLoss', 'claims.noDuplicates', 'claims.perKeyOrder']],
    ['acks=0', {}, { acks: 0 }, ['claims.noAcknowledgedLoss']],
    ['acks=1, retries, 2 calls', { maxInFlightRequests: 1 }, { acks: 1, callsInFlight: 2 }, ['claims.noAcknowledgedLoss', 'claims.noDuplicates', 'claims.perKeyOrder']],
    ['transactional', { idempotent: true, transactionalId: 'tx' }, { acks: 'all', recordsPerCall: 10 }, ['claims.noAcknowledgedLoss']],
  ])('%s: rules out %j', (_, producer, send, fields) => {
    expect(ruledOut(producer, send)).toEqual(fields)
  })

  test('callsInFlight > 1 with retries rules out perKeyOrder, citing the test that proves kafkajs reorders across calls', () => {
    const c = contradictions(parseGateConfig({ name: 'x', producer: { idempotent: true }, send: { acks: 'all', callsInFlight: 4 }, claims: { perKeyOrder: true } }))
    expect(c[0]?.message).toMatch(/send\.callsInFlight=4 .*tests\/idempotency: 'order within a key: a send retried by kafkajs is overtaken by a later send of the same key'/)
  })
})

/**
 * What the real kafkajs retrier does with a retry object, in a process of its own (NODE_ENV as
 * given), with its timers run at once: how many attempts before it gives up, and the delays it
 * asked for. `retry` is what kafkajs's createProducer hands createRetry for a producer given that
 * option (src/index.js: `{ ...clusterRetry, ...retry }`, no cluster retry here).
 */
function kafkajsRetrier(retry: object | undefined, nodeEnv: string | undefined): { attempts: number; delays: number[]; error: string } {
  const script = `
    const delays = []
    globalThis.setTimeout = (fn, ms) => { delays.push(ms); setImmediate(fn) }
    const createRetry = require('kafkajs/src/retry')
    let attempts = 0
    createRetry(JSON.parse(process.argv[1]))(async () => { attempts++; throw Object.assign(new Error('retriable'), { retriable: true }) })
      .catch((e) => console.log(JSON.stringify({ attempts, delays, error: e.name })))
  `
  const env = { ...process.env }
  delete env.NODE_ENV
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify({ ...retry })], { env, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`retrier probe failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as { attempts: number; delays: number[]; error: string }
}

describe("kafkajs's retries, as the gate runs them", () => {
  const producers: { idempotent?: boolean; retry?: Record<string, number> }[] = [{}, { idempotent: true }, { retry: { retries: 0 } }, { idempotent: true, retry: { initialRetryTime: 100 } }, { retry: { retries: 2, initialRetryTime: 20 } }]
  const gateConfig = (producer: object) => parseGateConfig({ name: 'x', producer, send: { acks: 'all' }, claims: { noAcknowledgedLoss: true } })

  test.each(producers)('the production retries of %j are what the real kafkajs retrier does with NODE_ENV unset', (producer) => {
    const production = kafkajsRetrier(producer.retry, undefined)
    expect(production.error).toBe('KafkaJSNumberOfRetriesExceeded')
    expect(production.attempts - 1).toBe(productionRetry(gateConfig(producer)).retries)
  })

  test.each(producers)("the gate's lane for %j retries as production does, even under NODE_ENV=test", (producer) => {
    const production = kafkajsRetrier(producer.retry, undefined)
    // the retry object the lane's kafkajs producer is built with
    const laneRetry = kafkajsOptions(productionProfile(gateConfig(producer))).producer.retry
    const gated = kafkajsRetrier(laneRetry, 'test')
    expect(gated.attempts).toBe(production.attempts)
    // The first delay is initialRetryTime within the randomisation factor, the same bounds in both.
    const { initialMs: initialRetryTime, jitter: factor } = productionRetry(gateConfig(producer))
    for (const run of [production, gated]) {
      if (run.delays[0] === undefined) continue
      expect(run.delays[0]).toBeGreaterThanOrEqual(Math.floor(initialRetryTime * (1 - factor)))
      expect(run.delays[0]).toBeLessThanOrEqual(Math.ceil(initialRetryTime * (1 + factor)))
    }
  })

  test('without the production values, vitest would gate a config with other retries: the reason they are filled in', () => {
    expect(kafkajsRetrier(undefined, 'test').attempts - 1).toBe(15)
    expect(kafkajsRetrier(undefined, undefined).attempts - 1).toBe(5)
  })
})

describe('a config in the client-neutral format (a producer profile and a client)', () => {
  const neutral = (producer: object, extra: object = {}) => parseGateConfig({ name: 'x', producer, claims: { noAcknowledgedLoss: true }, ...extra })

  test('examples/configs/safe-profile.json is safe.json in this format: the same producer, the same contradictions', () => {
    const profile = loadGateConfig('examples/configs/safe-profile.json')
    expect(profile.producer).toEqual(loadGateConfig('examples/configs/safe.json').producer)
    expect(contradictions(profile).map((c) => c.field)).toEqual(contradictions(loadGateConfig('examples/configs/safe.json')).map((c) => c.field))
  })

  test('reads the same as the kafkajs format it stands for, and names fields as written', () => {
    const legacy = parseGateConfig({ name: 'x', producer: { idempotent: true, maxInFlightRequests: 1, retry: { retries: 10, initialRetryTime: 100, factor: 0.1 } }, send: { acks: 'all', timeout: 5000, compression: 'gzip', callsInFlight: 1, recordsPerCall: 5 }, claims: { noAcknowledgedLoss: true } })
    const profile = neutral({ acks: 'all', idempotent: true, requestsInFlight: 1, retries: 10, retryBackoff: { initialMs: 100, jitter: 0.1 }, ackTimeoutMs: 5000, compression: 'gzip', recordsPerCall: 5 })
    expect(profile.producer).toEqual(legacy.producer)
    expect({ legacy: legacy.format, profile: profile.format, client: profile.client }).toEqual({ legacy: 'kafkajs', profile: 'profile', client: 'kafkajs' })
    expect(contradictions(neutral({ acks: 1 }))[0]?.message).toMatch(/^contradicts producer\.acks=1: .* Set producer\.acks: "all"$/)
  })

  test.each([
    [{ acks: 'all', idempotant: true }, {}, /producer\.idempotant: unknown option; did you mean 'idempotent'\?/],
    [{ idempotent: true }, {}, /producer\.acks: is required: .*, one of 0, 1, -1 or "all"$/],
    [{ acks: 2 }, {}, /producer\.acks: must be one of 0, 1, -1 or "all" \(got 2\)/],
    [{ acks: 'all' }, { client: 'kafkajss' }, /client: must be one of kafkajs, java, franz-go, confluent or platformatic; did you mean 'kafkajs'\? \(got "kafkajss"\)/],
    [{ acks: 'all' }, { client: 'sarama' }, /client: must be one of kafkajs, .* or platformatic \(got "sarama"\)/],
    [{ acks: 'all', lingerMs: 5 }, {}, /producer\.lingerMs: kafkajs has no linger: .*Leave it out \(or 0\) and batch with producer\.recordsPerCall \(got 5\)/],
    [{ acks: 'all', batchBytes: 16384 }, {}, /producer\.batchBytes: kafkajs has no batch size/],
    [{ acks: 'all', compression: 'zstd' }, {}, /producer\.compression: must be "none" or "gzip" \(kafkajs ships no other codec without a plugin\)/],
    [{ acks: 'all', compression: 'brotli' }, {}, /producer\.compression: must be one of none, gzip, snappy, lz4 or zstd \(got "brotli"\)/],
    [{ acks: 1, idempotent: true }, {}, /producer\.acks: must be "all" \(-1\) with producer\.idempotent: true/],
    [{ acks: 'all', idempotent: true, retries: 0 }, {}, /producer\.retries: must be at least 1 with producer\.idempotent: true/],
    [{ acks: 'all', transactionalId: 'tx', callsInFlight: 2 }, {}, /producer\.callsInFlight: must be 1 with producer\.transactionalId/],
    [{ acks: 'all', partitioner: 'sticky' }, {}, /producer\.partitioner: must be one of default or murmur2 \(got "sticky"\)/],
  ])('rejects producer %j %j', (producer, extra, message) => {
    expect(() => neutral(producer, extra)).toThrow(message)
  })
})
