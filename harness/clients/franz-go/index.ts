/**
 * The franz-go adapter: github.com/twmb/franz-go v1.22.3 (the lecture's client), run by our
 * driver (./driver/, `go build` by `npm run setup:clients`) behind the driver protocol
 * (docs/clients/protocol.md). Offsets are each record's promise's r.Offset; the producer id is
 * franz-go's own ProducerID().
 *
 * Departures from Java it is refused or mapped for (protocol.md has the table): idempotence is
 * on by default and needs acks all; an idempotent franz-go producer ignores any in-flight limit
 * (5, ordered by sequence numbers); its default compression is snappy (the adapter sends none
 * unless told); its partitioner is per client, so a record's own partition is refused.
 */
import { ConfigError } from '../../errors.js'
import { driverAdapter } from '../driver-client.js'
import { acksOf } from '../profile.js'

/** franz-go's defaults: RecordRetries math.MaxInt64 ("effectively unbounded"), back-off 250 ms ×2 up to 5 s, ×(0.8..1.2). */
const FRANZ_GO_RETRY = { retries: Number.MAX_SAFE_INTEGER, initialMs: 250, maxMs: 5_000, multiplier: 2, jitter: 0.2 }

export const franzGo = driverAdapter({
  name: 'franz-go',
  retry: FRANZ_GO_RETRY,
  refuse(p, name) {
    const acks = acksOf(p)
    if ((p.idempotent === true || p.transactionalId !== undefined) && acks !== -1) {
      throw new ConfigError(name('idempotent'), `franz-go's idempotent producer requires acks all: set ${name('acks')}: "all", or ${name('idempotent')}: false`, true)
    }
    if (p.transactionalId !== undefined && p.idempotent === false) {
      throw new ConfigError(name('idempotent'), `must not be false with ${name('transactionalId')}: a transactional producer is idempotent`, false)
    }
    const idempotent = p.idempotent !== false && acks === -1
    if (idempotent && p.requestsInFlight !== undefined) {
      throw new ConfigError(name('requestsInFlight'), `franz-go ignores it for an idempotent producer (always 5 in flight, ordered by sequence numbers): leave it out, or set ${name('idempotent')}: false`, p.requestsInFlight)
    }
  },
  refuseRecord: (r) => (r.partition === undefined ? undefined : `franz-go picks partitions with one partitioner per client: a record's own partition (${r.partition}) cannot be honoured`),
})
