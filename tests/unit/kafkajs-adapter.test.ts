/**
 * The kafkajs adapter's mapping of the client-neutral profile onto kafkajs 2.2.4 options: what a
 * lane's producer is built with, field by field, and what the adapter tells the gate.
 */
import { describe, expect, test } from 'vitest'
import { adapterFor, clients } from '../../harness/clients/index.js'
import { KAFKAJS_PRODUCTION_RETRY, kafkajsOptions } from '../../harness/clients/kafkajs/index.js'
import { ConfigError } from '../../harness/errors.js'

describe('the kafkajs adapter', () => {
  test('maps every profile field onto the kafkajs option it stands for, and sets only those given', () => {
    expect(kafkajsOptions({})).toEqual({ producer: { allowAutoTopicCreation: false }, send: { acks: -1 } })
    expect(
      kafkajsOptions({
        acks: -1, ackTimeoutMs: 5000, idempotent: true, retries: 10, retryBackoff: { initialMs: 100, maxMs: 1000, multiplier: 2, jitter: 0.1 },
        requestsInFlight: 1, callsInFlight: 1, recordsPerCall: 50, compression: 'gzip', partitioner: 'murmur2',
        transactionalId: 'tx', transactionTimeoutMs: 30000, metadataMaxAgeMs: 500,
      }),
    ).toEqual({
      producer: {
        idempotent: true, maxInFlightRequests: 1, transactionalId: 'tx', transactionTimeout: 30000, metadataMaxAge: 500,
        retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1000, multiplier: 2, factor: 0.1 }, allowAutoTopicCreation: false,
      },
      send: { acks: -1, timeout: 5000, compression: 1 },
    })
    // a retry object holds only the fields given: kafkajs merges it over the client's own retry
    expect(kafkajsOptions({ retries: 0 }).producer.retry).toEqual({ retries: 0 })
    expect(kafkajsOptions({ compression: 'none' }).send).toEqual({ acks: -1 })
  })

  test("fills in kafkajs's production retry defaults under the profile's own, read from kafkajs itself", () => {
    expect(KAFKAJS_PRODUCTION_RETRY).toEqual({ maxRetryTime: 30_000, initialRetryTime: 300, factor: 0.2, multiplier: 2, retries: 5 })
    const kafkajs = adapterFor('kafkajs')
    expect(kafkajs.productionRetry({ retries: 2 })).toEqual({ retries: 2, initialMs: 300, maxMs: 30_000, multiplier: 2, jitter: 0.2 })
    expect(kafkajsOptions(kafkajs.production({ retryBackoff: { initialMs: 100 } })).producer.retry).toEqual({ retries: 5, initialRetryTime: 100, maxRetryTime: 30_000, multiplier: 2, factor: 0.2 })
  })

  test('the ledger describes the kafkajs options a profile ran with', () => {
    expect(clients.kafkajs.describe({ acks: 1, idempotent: false })).toEqual({ producer: { idempotent: false, allowAutoTopicCreation: false, partitioner: 'default' }, send: { acks: 1 } })
  })

  test.each([
    [{ lingerMs: 10 }, 'producer.lingerMs'],
    [{ batchBytes: 16_384 }, 'producer.batchBytes'],
    [{ compression: 'lz4' as const }, 'producer.compression'],
    [{ acks: 0 as const, idempotent: true }, 'producer.acks'],
    [{ idempotent: true, retries: 0 }, 'producer.retries'],
    [{ acks: 1 as const, transactionalId: 'tx' }, 'producer.acks'],
    [{ transactionalId: 'tx', callsInFlight: 3 }, 'producer.callsInFlight'],
    [{ requestsInFlight: 0 }, 'producer.requestsInFlight'],
  ])('refuses %j, naming %s', (profile, field) => {
    const kafkajs = adapterFor('kafkajs')
    expect(() => kafkajs.validate(profile)).toThrow(ConfigError)
    try {
      kafkajs.validate(profile)
    } catch (e) {
      expect((e as ConfigError).field).toBe(field)
    }
  })

  test('accepts what it can honour: linger 0, the default and the murmur2 partitioner', () => {
    const kafkajs = adapterFor('kafkajs')
    for (const p of [{ lingerMs: 0 }, { partitioner: 'default' as const }, { partitioner: 'murmur2' as const }, { compression: 'gzip' as const }]) expect(() => kafkajs.validate(p)).not.toThrow()
  })
})
