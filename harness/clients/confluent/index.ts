/**
 * The confluent adapter: @confluentinc/kafka-javascript 1.10.1 (librdkafka 2.15.1), loaded from
 * its install in the cache (`npm run setup:clients`: built with CKJS_LINKING=dynamic against
 * Debian's libraries). It drives the package's librdkafka Producer (the node-rdkafka API), not its
 * KafkaJS-compatible one: that one's send() rejects a whole call when one message fails, while
 * the Producer gives one delivery report per message, with the offset librdkafka reports for
 * that very message. Its options are librdkafka's own (./options.ts).
 */
import { ConfigError } from '../../errors.js'
import { requireFromCache } from '../../runtime/clients.js'
import { defineAdapter } from '../common.js'
import { acksOf } from '../profile.js'
import type { ClientAdapter } from '../types.js'
import { LIBRDKAFKA_RETRY, librdkafkaOptions } from './options.js'
import { ConfluentProducer, type Librdkafka } from './producer.js'

let loaded: Librdkafka | undefined
/** The package, loaded once from its cache prefix (RuntimeRequirementError naming the fix if not installed). */
function library(): Librdkafka {
  loaded ??= requireFromCache('confluent')('@confluentinc/kafka-javascript') as Librdkafka
  return loaded
}

export const confluent: ClientAdapter = defineAdapter({
  // librdkafka tells the application of no single connection it loses ('disconnected' is the client's)
  timeline: { numberedAttempts: false, connectionTrouble: false },
  name: 'confluent',
  retry: LIBRDKAFKA_RETRY,
  refuse(p, name) {
    const b = p.retryBackoff ?? {}
    if (b.multiplier !== undefined && b.multiplier !== 2) throw new ConfigError(name('retryBackoff.multiplier'), 'librdkafka doubles its back-off (fixed ×2): leave it out or set 2', b.multiplier)
    if (b.jitter !== undefined && b.jitter !== 0.2) throw new ConfigError(name('retryBackoff.jitter'), 'librdkafka randomises its back-off by a fixed ±20 %: leave it out or set 0.2', b.jitter)
    const idempotent = p.idempotent === true || p.transactionalId !== undefined
    if (idempotent && acksOf(p) !== -1) throw new ConfigError(name('acks'), `must be "all" (-1) with idempotence (librdkafka: "enable.idempotence requires acks=all")`, acksOf(p))
    if (idempotent && (p.requestsInFlight ?? 5) > 5) throw new ConfigError(name('requestsInFlight'), 'must be at most 5 with idempotence (librdkafka refuses more)', p.requestsInFlight)
    if (idempotent && p.retries === 0) throw new ConfigError(name('retries'), 'must be at least 1 with idempotence (librdkafka refuses an idempotent producer without retries)', 0)
    if (p.transactionalId !== undefined && p.idempotent === false) throw new ConfigError(name('idempotent'), `must not be false with ${name('transactionalId')}: a transactional producer is idempotent`, false)
  },
  describe: (p) => ({ producer: librdkafkaOptions(p) }),
  build: (spec) => new ConfluentProducer(library(), spec),
})
