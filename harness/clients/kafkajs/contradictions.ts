/**
 * Claims that a profile's options rule out for kafkajs 2.2.4, before any fault is injected. Each
 * rule is a kafkajs mechanism the suite has shown on a real broker (where: PROVEN).
 */
import { acksOf, producerFields, type FieldNamer, type ProducerProfile } from '../profile.js'
import type { Claim, Contradiction, FailureDomain } from '../types.js'
import { productionRetry } from './options.js'

/** Where the suite proved the kafkajs behaviour a contradiction rests on. */
const PROVEN = {
  queuedBehindLostAnswer: "tests/idempotency: 'kafkajs: a same-size send queued behind a lost answer is acknowledged but never written, and the first send is written twice'",
  afterAGiveUp: "tests/idempotency: 'kafkajs: after a give-up, the next same-size send is acknowledged at the offset of the given-up record and never written' (idempotent with 1 and with 5 retries) and 'a transactional producer aborts the given-up call, and its next same-size send is acknowledged ... and never written'",
  brokerPoolGivesUp: "docs/power-loss.md ('A correction'): with every broker down for ~10 s, a send of an idempotent producer with 2,147,483,647 retries gave up, KafkaJSNonRetriableError 'Closed connection', in runs of the gate's power-loss-all scenario; with Number.MAX_SAFE_INTEGER retries and one call in flight, the next send was then acknowledged at the given-up record's offset and never written ('The other clients across the outage')",
  overtakenAcrossCalls: "tests/idempotency: 'order within a key: a send retried by kafkajs is overtaken by a later send of the same key' and '... the idempotent producer is overtaken the same way'",
}

/**
 * A claim ruled out fails the gate whatever the battery shows: the options make it untrue even
 * when no fault happened to show it. Fields are named through `name` (as the config spells them).
 */
export function contradictions(
  p: ProducerProfile,
  claims: Readonly<Record<Claim, boolean>>,
  name: FieldNamer = producerFields,
  domain: FailureDomain = 'node',
): Contradiction[] {
  const out: Contradiction[] = []
  const acks = acksOf(p)
  const retries = productionRetry(p).retries
  const calls = p.callsInFlight ?? 1
  const transactional = p.transactionalId !== undefined
  const idempotent = p.idempotent === true || transactional
  const concurrentIdempotent = p.idempotent === true && !transactional && calls > 1
  const idempotence = transactional ? `${name('transactionalId')} (transactional)` : `${name('idempotent')}=true`
  const givenBack = (why: string) =>
    `when a send call gives up (${why}) although the leader wrote its last attempt, kafkajs has given that attempt's sequence numbers back, so the producer's next send of the same size reuses them, the leader answers it with the given-up record's offset, and kafkajs reports it acknowledged though it was never written${transactional ? ' (the aborted transaction does not reset them)' : ''} (${PROVEN.afterAGiveUp})`
  const queuedBehind = `kafkajs's idempotent producer with ${name('callsInFlight')}=${calls}: a call queued behind a lost answer takes that answer's sequence numbers, the leader answers it from the batch it already holds, and kafkajs reports it acknowledged though it was never written; the first call's retry is then written again (${PROVEN.queuedBehindLostAnswer}). Set ${name('callsInFlight')}: 1 (await each send), or drop the claim`
  if (claims.noAcknowledgedLoss) {
    if (acks !== -1) {
      out.push({
        field: 'claims.noAcknowledgedLoss',
        message: `contradicts ${name('acks')}=${acks}: ${acks === 0 ? 'nothing is acknowledged, so nothing sent is known to be written; the gate judges it on records sent and absent' : 'the leader acknowledges before any follower has the record; losing the leader loses it'}. Set ${name('acks')}: "all"`,
      })
    } else if (concurrentIdempotent) out.push({ field: 'claims.noAcknowledgedLoss', message: `contradicts ${queuedBehind}` })
    else if (idempotent && retries < Number.MAX_SAFE_INTEGER) {
      out.push({
        field: 'claims.noAcknowledgedLoss',
        message: `contradicts ${idempotence} with ${retries} retries: ${givenBack('its retries used up')}. Recreate the producer after any failed send, or set ${name('retries')}: ${Number.MAX_SAFE_INTEGER} (never give up), or drop the claim`,
      })
    } else if (idempotent && domain === 'all-replicas') {
      out.push({
        field: 'claims.noAcknowledgedLoss',
        message: `contradicts ${idempotence} with failureDomain "all-replicas", whatever ${name('retries')} is: while every broker is down, kafkajs's broker pool gives up reconnecting on its own retry limit and ends the send call as not retriable (${PROVEN.brokerPoolGivesUp}); ${givenBack("on the broker pool's limit")}. Recreate the producer after any failed send, or drop the claim for this failure domain`,
      })
    }
  }
  if (claims.noDuplicates) {
    if (!idempotent && retries > 0 && acks !== 0) {
      out.push({
        field: 'claims.noDuplicates',
        message: `contradicts ${name('idempotent')}=${p.idempotent ?? false} with ${retries} retries: a non-idempotent producer that retries after a lost response writes the record again. Set ${name('idempotent')}: true, or ${name('retries')}: 0 (and handle failures yourself), or drop the claim`,
      })
    } else if (concurrentIdempotent) out.push({ field: 'claims.noDuplicates', message: `contradicts ${queuedBehind}` })
  }
  if (claims.perKeyOrder && calls > 1 && retries > 0) {
    out.push({
      field: 'claims.perKeyOrder',
      message: `contradicts ${name('callsInFlight')}=${calls} with ${retries} retries: kafkajs retries each send call on its own, so a later call of the same key is written while an earlier one waits for its retry, idempotent or not, whatever ${name('requestsInFlight')} is (${PROVEN.overtakenAcrossCalls}). Set ${name('callsInFlight')}: 1 (await each send before the next of the same key), or drop the claim`,
    })
  }
  return out
}
