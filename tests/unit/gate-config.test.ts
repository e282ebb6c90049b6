import { describe, expect, test } from 'vitest'
import { contradictions, effectiveRetries, loadGateConfig, parseGateConfig } from '../../harness/gate/config.js'

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
    [withFields({ producer: { maxInFlightRequests: '5' } }), /producer\.maxInFlightRequests: must be a non-negative integer \(got "5"\)/],
    [withFields({ producer: { idempotent: 'yes' } }), /producer\.idempotent: must be a boolean \(got "yes"\)/],
    [withFields({ send: { acks: 2 } }), /send\.acks: must be one of 0, 1, -1 or "all" \(got 2\)/],
    [withFields({ send: { acks: 'leader' } }), /send\.acks: must be one of 0, 1, -1 or "all" \(got "leader"\)/],
    [withFields({ send: {} }), /send\.acks: is required/],
    [withFields({ send: { acks: 1 }, producer: { idempotent: true } }), /send\.acks: must be "all" \(-1\) with producer\.idempotent: true/],
    [withFields({ producer: { idempotent: true, retry: { retries: 0 } } }), /producer\.retry\.retries: must be at least 1/],
    [withFields({ claims: {} }), /claims: must state at least one of/],
    [withFields({ claims: { noLoss: true } }), /claims\.noLoss: unknown option/],
    [withFields({ send: { acks: 'all', compression: 'zstd' } }), /send\.compression: must be "none" or "gzip"/],
    [withFields({ send: { acks: 'all', callsInFlight: 0 } }), /send\.callsInFlight: must be at least 1/],
    [withFields({ send: { acks: 'all', recordsPerCall: 2.5 } }), /send\.recordsPerCall: must be a non-negative integer/],
    [{ send: { acks: 'all' }, claims: { noDuplicates: true } }, /name: is required/],
  ])('rejects %j', (raw, message) => {
    expect(() => parseGateConfig(raw)).toThrow(message)
  })

  test('acks is accepted as 0, 1, -1, "all", and their strings', () => {
    for (const [given, acks] of [[0, 0], [1, 1], [-1, -1], ['all', -1], ['-1', -1], ['1', 1], ['0', 0]] as const) {
      expect(parseGateConfig(withFields({ send: { acks: given } })).send.acks).toBe(acks)
    }
  })

  test('claims the options rule out are reported, naming the field', () => {
    const nonIdempotent = loadGateConfig('examples/configs/non-idempotent.json')
    expect(contradictions(nonIdempotent).map((c) => c.field)).toEqual(['claims.noDuplicates'])
    expect(contradictions(nonIdempotent)[0]?.message).toMatch(/non-idempotent producer that retries/)
    const acks1 = loadGateConfig('examples/configs/acks1.json')
    expect(contradictions(acks1).map((c) => c.field)).toEqual(['claims.noAcknowledgedLoss'])
    expect(contradictions(loadGateConfig('examples/configs/safe.json'))).toEqual([])
    const unordered = parseGateConfig(withFields({ producer: { maxInFlightRequests: 5 }, claims: { perKeyOrder: true } }))
    expect(contradictions(unordered).map((c) => c.field)).toEqual(['claims.perKeyOrder'])
  })

  test("kafkajs's effective retry count follows its own defaults", () => {
    expect(effectiveRetries({ idempotent: true })).toBe(5)
    expect(effectiveRetries({ idempotent: true, retry: { initialRetryTime: 100 } })).toBe(5)
    expect(effectiveRetries({})).toBe(5)
    expect(effectiveRetries({ retry: { retries: 0 } })).toBe(0)
  })
})
