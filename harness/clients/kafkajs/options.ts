/**
 * The neutral profile as kafkajs 2.2.4 options: which ProducerConfig and per-send options a
 * profile stands for, what kafkajs cannot honour or refuses (a ConfigError naming the field and
 * the fix), and kafkajs's production retry defaults.
 */
import { createRequire } from 'node:module'
import type { CompressionTypes, ProducerConfig, RetryOptions } from 'kafkajs'
import { ConfigError } from '../../errors.js'
import { acksOf, producerFields, type Acks, type FieldNamer, type ProducerProfile, type RetrySettings } from '../profile.js'

/** What a profile is in kafkajs: producer options (data only; the partitioner is added by the producer) and per-send options. */
export interface KafkajsOptions {
  producer: Omit<ProducerConfig, 'createPartitioner'>
  send: { acks: Acks; timeout?: number; compression?: CompressionTypes }
}

/** kafkajs's CompressionTypes.GZIP (the enum is not exported at runtime as a type-only import). */
const GZIP = 1 as CompressionTypes

type KafkajsRetry = Required<Pick<RetryOptions, 'retries' | 'initialRetryTime' | 'maxRetryTime' | 'factor' | 'multiplier'>>

/**
 * kafkajs's production retry defaults, read from kafkajs itself (src/retry/defaults.js). kafkajs
 * picks src/retry/defaults.test.js instead when NODE_ENV=test, which vitest sets: 15 retries from
 * 50 ms instead of 5 from 300 ms.
 */
export const KAFKAJS_PRODUCTION_RETRY: Readonly<KafkajsRetry> = Object.freeze(createRequire(import.meta.url)('kafkajs/src/retry/defaults.js'))

/** The profile's retry fields as a kafkajs `retry` object: only the fields it sets (kafkajs merges it over the client's). */
function retryOf(p: ProducerProfile): RetryOptions | undefined {
  const b = p.retryBackoff ?? {}
  const retry: RetryOptions = {
    ...(p.retries !== undefined ? { retries: p.retries } : {}),
    ...(b.initialMs !== undefined ? { initialRetryTime: b.initialMs } : {}),
    ...(b.maxMs !== undefined ? { maxRetryTime: b.maxMs } : {}),
    ...(b.jitter !== undefined ? { factor: b.jitter } : {}),
    ...(b.multiplier !== undefined ? { multiplier: b.multiplier } : {}),
  }
  return Object.keys(retry).length > 0 ? retry : undefined
}

/**
 * The kafkajs options a profile stands for. Topics are never created by a produce (the cluster
 * disables auto-creation; the harness creates every topic it writes), so `allowAutoTopicCreation`
 * is always false.
 */
export function kafkajsOptions(p: ProducerProfile): KafkajsOptions {
  const retry = retryOf(p)
  return {
    producer: {
      ...(p.idempotent !== undefined ? { idempotent: p.idempotent } : {}),
      ...(p.requestsInFlight !== undefined ? { maxInFlightRequests: p.requestsInFlight } : {}),
      ...(p.transactionalId !== undefined ? { transactionalId: p.transactionalId } : {}),
      ...(p.transactionTimeoutMs !== undefined ? { transactionTimeout: p.transactionTimeoutMs } : {}),
      ...(p.metadataMaxAgeMs !== undefined ? { metadataMaxAge: p.metadataMaxAgeMs } : {}),
      ...(retry !== undefined ? { retry } : {}),
      allowAutoTopicCreation: false,
    },
    send: {
      acks: acksOf(p),
      ...(p.ackTimeoutMs !== undefined ? { timeout: p.ackTimeoutMs } : {}),
      ...(p.compression === 'gzip' ? { compression: GZIP } : {}),
    },
  }
}

/**
 * Throws ConfigError for what kafkajs 2.2.4 cannot honour or refuses, naming the field (through
 * `name`) and the fix.
 */
export function validateForKafkajs(p: ProducerProfile, name: FieldNamer = producerFields): void {
  const acks = acksOf(p)
  if (p.compression !== undefined && p.compression !== 'none' && p.compression !== 'gzip') {
    throw new ConfigError(name('compression'), 'must be "none" or "gzip" (kafkajs ships no other codec without a plugin)', p.compression)
  }
  if (p.lingerMs !== undefined && p.lingerMs > 0) {
    throw new ConfigError(name('lingerMs'), `kafkajs has no linger: every send() call goes out at once, one batch per partition. Leave it out (or 0) and batch with ${name('recordsPerCall')}`, p.lingerMs)
  }
  if (p.batchBytes !== undefined) {
    throw new ConfigError(name('batchBytes'), `kafkajs has no batch size: a send() call is one batch per partition, whatever its size. Leave it out and size batches with ${name('recordsPerCall')}`, p.batchBytes)
  }
  if (p.idempotent && acks !== -1) {
    throw new ConfigError(name('acks'), `must be "all" (-1) with ${name('idempotent')}: true; kafkajs rejects any other acks for an idempotent producer at send time`, acks)
  }
  if (p.idempotent && p.retries === 0) {
    throw new ConfigError(name('retries'), `must be at least 1 with ${name('idempotent')}: true (kafkajs refuses an idempotent producer without retries)`, 0)
  }
  if (p.transactionalId !== undefined) {
    if (acks !== -1) throw new ConfigError(name('acks'), `must be "all" (-1) with ${name('transactionalId')}: a transaction is written with acks=all (kafkajs refuses any other acks inside one)`, acks)
    if ((p.callsInFlight ?? 1) > 1) {
      throw new ConfigError(name('callsInFlight'), `must be 1 with ${name('transactionalId')}: each call is sent in its own transaction, and kafkajs allows one open transaction per producer`, p.callsInFlight)
    }
  }
}

/** The retry settings a profile runs with in production: its own fields over kafkajs's production defaults. */
export function productionRetry(p: ProducerProfile): RetrySettings {
  const d = KAFKAJS_PRODUCTION_RETRY
  const b = p.retryBackoff ?? {}
  return {
    retries: p.retries ?? d.retries,
    initialMs: b.initialMs ?? d.initialRetryTime,
    maxMs: b.maxMs ?? d.maxRetryTime,
    multiplier: b.multiplier ?? d.multiplier,
    jitter: b.jitter ?? d.factor,
  }
}

/**
 * The profile with kafkajs's production retry defaults filled in, so it runs as in production
 * whatever NODE_ENV the runner has.
 */
export function production(p: ProducerProfile): ProducerProfile {
  const r = productionRetry(p)
  return { ...p, retries: r.retries, retryBackoff: { initialMs: r.initialMs, maxMs: r.maxMs, multiplier: r.multiplier, jitter: r.jitter } }
}
