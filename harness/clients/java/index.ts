/**
 * The Java adapter: org.apache.kafka:kafka-clients 4.4.0, the reference every client is measured
 * against, run by our driver (./driver/, built by `npm run setup:clients`) behind the driver
 * protocol (docs/clients/protocol.md). Offsets are RecordMetadata.offset(), per record; the
 * producer id is read by reflection (kafka-clients has no public API for it).
 *
 * What it refuses is what kafka-clients refuses or cannot express, so a gate config fails here,
 * before a driver starts, with the profile's field named.
 */
import { ConfigError } from '../../errors.js'
import { driverAdapter } from '../driver-client.js'
import { acksOf } from '../profile.js'

/** kafka-clients 4.4.0's defaults: retries Integer.MAX_VALUE (bounded by delivery.timeout.ms, 120 s), retry.backoff.ms 100, retry.backoff.max.ms 1000, ×2, ±20 %. */
const JAVA_RETRY = { retries: 2_147_483_647, initialMs: 100, maxMs: 1_000, multiplier: 2, jitter: 0.2 }

export const java = driverAdapter({
  name: 'java',
  retry: JAVA_RETRY,
  refuse(p, name) {
    const b = p.retryBackoff ?? {}
    if (b.multiplier !== undefined && b.multiplier !== JAVA_RETRY.multiplier) {
      throw new ConfigError(name('retryBackoff.multiplier'), `kafka-clients doubles its back-off (fixed ×2): leave it out or set ${JAVA_RETRY.multiplier}`, b.multiplier)
    }
    if (b.jitter !== undefined && b.jitter !== JAVA_RETRY.jitter) {
      throw new ConfigError(name('retryBackoff.jitter'), `kafka-clients randomises its back-off by a fixed ±20 %: leave it out or set ${JAVA_RETRY.jitter}`, b.jitter)
    }
    const idempotent = p.idempotent === true || p.transactionalId !== undefined
    if (idempotent && acksOf(p) !== -1) {
      throw new ConfigError(name('acks'), `must be "all" (-1) with ${p.transactionalId !== undefined ? name('transactionalId') : `${name('idempotent')}: true`} (kafka-clients: "Must set acks to all in order to use the idempotent producer")`, acksOf(p))
    }
    if (idempotent && p.retries === 0) {
      throw new ConfigError(name('retries'), `must be at least 1 with idempotence (kafka-clients: "Must set retries to non-zero when using the idempotent producer")`, 0)
    }
    if (idempotent && (p.requestsInFlight ?? 5) > 5) {
      throw new ConfigError(name('requestsInFlight'), 'must be at most 5 with idempotence (kafka-clients keeps order by sequence numbers over at most 5 requests in flight)', p.requestsInFlight)
    }
    if (p.transactionalId !== undefined && p.idempotent === false) {
      throw new ConfigError(name('idempotent'), `must not be false with ${name('transactionalId')}: a transactional producer is idempotent (kafka-clients refuses the pair)`, false)
    }
  },
})
