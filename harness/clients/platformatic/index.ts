/**
 * The platformatic adapter: @platformatic/kafka 1.35.0 (pure JavaScript; 2.x needs Node 22.22+),
 * loaded from its install in the cache (`npm run setup:clients`).
 *
 * How its answer becomes per-record offsets: send() answers with one base offset per partition
 * (ProduceResult.offsets). 1.35.0 guarantees the rest (dist/clients/producer/producer.js
 * #performSend, dist/apis/producer/produce-v*.js, dist/protocol/records.js createRecordsBatch):
 * a call's messages are grouped by leader, one produce request per leader, in which each
 * partition's messages (groupByProperty keeps their order) are ONE record batch with
 * offsetDelta i for the i-th; a retry resends the same request. So the i-th record of a call in
 * partition p is at base(p) + i. A call that fails on one leader and succeeds on another carries
 * the succeeded partitions' base offsets on its error (`error.produced`): those records are `ok`.
 *
 * What it refuses, by field: `idempotent: true` silently forces acks -1, one request in flight
 * and unlimited retries (for retries ≤ 1), so any other value given with it is refused; it has no
 * linger or batch size (a send() call is one batch per partition).
 */
import { ConfigError } from '../../errors.js'
import { requireFromCache } from '../../runtime/clients.js'
import { acksContradictions, defineAdapter } from '../common.js'
import { acksOf, producerFields, type ProducerProfile, type RetrySettings } from '../profile.js'
import type { Claim, ClientAdapter, Contradiction } from '../types.js'
import { PlatformaticProducer, type Platformatic } from './producer.js'

let loaded: Platformatic | undefined
function library(): Platformatic {
  loaded ??= requireFromCache('platformatic')('@platformatic/kafka') as Platformatic
  return loaded
}

/** @platformatic/kafka 1.35.0's defaults (dist/clients/base/options.js): 3 retries, 1000 ms apart (a fixed delay). */
const PLATFORMATIC_RETRY: Readonly<RetrySettings> = { retries: 3, initialMs: 1_000, maxMs: 1_000, multiplier: 1, jitter: 0 }

/**
 * The claims @platformatic/kafka's options rule out: acks below all (every client), and no
 * acknowledged loss for an idempotent producer, because it advances a partition's sequence number
 * only when an answer arrives (tests/clients/platformatic.test.ts):
 * - driven with several send calls in flight, they take the same sequence numbers, and the second
 *   is acknowledged at the first's offsets without being written;
 * - with finite retries, a call that gives up although the leader wrote it leaves the numbers
 *   where they were, and the next call of the same size is acknowledged at its offset, unwritten.
 * Against every replica's power (`failureDomain: "all-replicas"`) it needs no rule of its own,
 * unlike kafkajs: each connection attempt is one attempt of the send's own retry loop (no pool
 * with a limit of its own), so with unlimited retries it retried the send in flight once a second
 * through the 10–22 s of the outage and never gave up (docs/power-loss.md, "The other
 * clients across the outage"); its finite retries are ruled out above whatever the domain.
 */
function contradictions(p: ProducerProfile, claims: Readonly<Record<Claim, boolean>>, name = producerFields): Contradiction[] {
  const out = acksContradictions(p, claims, name)
  const idempotent = p.idempotent === true || p.transactionalId !== undefined
  if (claims.noAcknowledgedLoss && out.length === 0 && idempotent && (p.callsInFlight ?? 1) > 1) {
    out.push({
      field: 'claims.noAcknowledgedLoss',
      message: `contradicts ${name('idempotent')}=true with ${name('callsInFlight')}=${p.callsInFlight}: @platformatic/kafka 1.35.0 advances a partition's sequence number only when an answer arrives, so two calls in flight take the same sequence numbers, and the leader answers the second with the first's offsets; it is reported acknowledged and never written (tests/clients/platformatic.test.ts). Set ${name('callsInFlight')}: 1, or drop the claim`,
    })
  }
  const retries = p.retries ?? PLATFORMATIC_RETRY.retries
  if (claims.noAcknowledgedLoss && out.length === 0 && idempotent && retries < Number.MAX_SAFE_INTEGER) {
    out.push({
      field: 'claims.noAcknowledgedLoss',
      message: `contradicts ${name('idempotent')}=true with ${retries} retries: @platformatic/kafka 1.35.0 advances a partition's sequence number only when an answer arrives, so a call that gives up (its retries used up) although the leader wrote it leaves the numbers unmoved; the next call of the same size takes them, the leader answers it with the given-up record's offset, and it is reported acknowledged though it was never written (tests/clients/platformatic.test.ts, 'the next send after a give-up'). Recreate the producer after any failed send, or set ${name('retries')}: ${Number.MAX_SAFE_INTEGER} (never give up), or drop the claim`,
    })
  }
  return out
}

export const platformatic: ClientAdapter = defineAdapter({
  name: 'platformatic',
  retry: PLATFORMATIC_RETRY,
  refuse(p, name) {
    const idempotent = p.idempotent === true || p.transactionalId !== undefined
    if (idempotent && acksOf(p) !== -1) throw new ConfigError(name('acks'), `must be "all" (-1) with idempotence: @platformatic/kafka silently forces acks -1 on an idempotent producer`, acksOf(p))
    if (idempotent && p.requestsInFlight !== undefined && p.requestsInFlight !== 1) {
      throw new ConfigError(name('requestsInFlight'), 'must be 1 (or left out) with idempotence: @platformatic/kafka silently forces one request in flight on an idempotent producer', p.requestsInFlight)
    }
    if (idempotent && p.retries !== undefined && p.retries <= 1) {
      throw new ConfigError(name('retries'), `must be at least 2 (or left out) with idempotence: @platformatic/kafka silently replaces ${p.retries} with unlimited retries on an idempotent producer`, p.retries)
    }
    if (p.transactionalId !== undefined && p.idempotent === false) throw new ConfigError(name('idempotent'), `must not be false with ${name('transactionalId')}: a transactional producer is idempotent`, false)
    if (p.lingerMs !== undefined && p.lingerMs > 0) throw new ConfigError(name('lingerMs'), `@platformatic/kafka's send() has no linger: each call goes out at once, one batch per partition. Leave it out and batch with ${name('recordsPerCall')}`, p.lingerMs)
    if (p.batchBytes !== undefined) throw new ConfigError(name('batchBytes'), `@platformatic/kafka's send() has no batch size: a call is one batch per partition. Leave it out and size batches with ${name('recordsPerCall')}`, p.batchBytes)
  },
  contradictions,
  describe: (p) => ({ producer: PlatformaticProducer.options(p) }),
  build: (spec) => new PlatformaticProducer(library(), spec),
})
