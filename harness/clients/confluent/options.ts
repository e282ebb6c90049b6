/**
 * The neutral profile as librdkafka 2.15.1 configuration (CONFIGURATION.md of the installed
 * package's deps/librdkafka), in librdkafka's own names.
 */
import type { ClientEndpoint } from '../endpoint.js'
import { acksOf, type ProducerProfile, type RetrySettings } from '../profile.js'

/** librdkafka's defaults: message.send.max.retries INT32_MAX (bounded by message.timeout.ms, 300 s), retry.backoff.ms 100, retry.backoff.max.ms 1000, ×2, ±20 %. */
export const LIBRDKAFKA_RETRY: Readonly<RetrySettings> = { retries: 2_147_483_647, initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0.2 }

export type LibrdkafkaConfig = Record<string, string | number | boolean>

/**
 * The profile's options. Compression is always stated (none unless asked). The partitioner is
 * murmur2_random (Java's rule for keys) for both 'default' and 'murmur2': it is the package's
 * own default (its KafkaJS API sets it), not librdkafka's consistent_random (CRC32).
 */
export function librdkafkaOptions(p: ProducerProfile): LibrdkafkaConfig {
  const b = p.retryBackoff ?? {}
  const idempotent = p.idempotent === true || p.transactionalId !== undefined
  const set: [string, string | number | boolean | undefined][] = [
    ['acks', acksOf(p)],
    ['request.timeout.ms', p.ackTimeoutMs],
    ['enable.idempotence', p.idempotent ?? (p.transactionalId !== undefined ? true : undefined)],
    ['message.send.max.retries', p.retries],
    ['retry.backoff.ms', b.initialMs],
    ['retry.backoff.max.ms', b.maxMs],
    ['max.in.flight.requests.per.connection', p.requestsInFlight],
    ['compression.codec', p.compression ?? 'none'],
    ['linger.ms', p.lingerMs],
    ['batch.size', p.batchBytes],
    ['partitioner', 'murmur2_random'],
    ['transactional.id', p.transactionalId],
    ['transaction.timeout.ms', p.transactionTimeoutMs],
    ['metadata.max.age.ms', p.metadataMaxAgeMs],
    // The producer id and epoch are only in librdkafka's statistics (eos.producer_id): emitted each second.
    ['statistics.interval.ms', idempotent ? 1_000 : undefined],
  ]
  return Object.fromEntries(set.filter((kv): kv is [string, string | number | boolean] => kv[1] !== undefined))
}

/** Where and as whom: the endpoint's bootstrap (a client line's own proxies, or the cluster's). */
export function endpointOptions(e: ClientEndpoint): LibrdkafkaConfig {
  return {
    'bootstrap.servers': e.brokers.join(','),
    'client.id': e.clientId,
    'socket.connection.setup.timeout.ms': e.connectionTimeoutMs,
    'socket.timeout.ms': e.requestTimeoutMs,
    'allow.auto.create.topics': false,
  }
}
