/**
 * Connections reset mid-produce. Under steady load, each lane driven as its profile says (send
 * calls in flight, records per call), the leader's answers are held on the line until every call
 * is in flight and written and nothing more arrives for QUIET_MS (the producer can send no more:
 * observed, not predicted, since clients keep different numbers of requests on the wire); then
 * every connection through the line is reset as it is used and the held ones close, so the
 * producers retry into the resets; once they have, the resets heal and the load goes on. A
 * producer without idempotence writes every record written without an answer again; the
 * idempotent producer writes nothing twice.
 */
import { laneEndpoint, withWatermarks, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { adapterFor, type ClientName } from '../../../harness/clients/index.js'
import { dropResponsesOn, resetPeerOn } from '../../../harness/faults/index.js'
import { startWorkload, type Ledger } from '../../../harness/workload/index.js'

const QUIET_MS = 500

export async function resetMidProduce(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  const side = await lab.lanes({ scenario: 'connections reset mid-produce', profiles })
  const line = await lab.line('resets')
  const lanes = side.lanes.map((lane) => {
    const [calls, batch] = [lane.profile.producer.callsInFlight ?? 2, lane.profile.producer.recordsPerCall ?? 2]
    const run = startWorkload({ endpoint: laneEndpoint(lab.cluster, lane, line), topic: lane.topic, ...(lane.profile.client === undefined ? {} : { client: lane.profile.client }), producer: lane.profile.producer, keys: 12, rate: 100, batchSize: batch, concurrency: calls, durationMs: 120_000, drainTimeoutMs: 20_000 })
    return { ...lane, run, calls, batch }
  })
  type L = (typeof lanes)[number]
  const counted = (l: L): number => (l.acks === 0 ? l.run.progress().sent - l.run.progress().inFlight : l.run.progress().acknowledged)
  const atLeast = (what: string, count: (l: L) => number, n: (l: L) => number, timeoutMs: number) =>
    side.eachLane(lanes, () => what, (l) => { if (count(l) < n(l)) throw new Error(`${count(l)} so far`) }, { timeoutMs, maxIntervalMs: 50 })
  try {
    await atLeast('40 records acknowledged (acks=0: sent) before the fault', counted, () => 40, 60_000)
    const faultAt = Date.now()
    await withWatermarks(lab.cluster, (hw) =>
      side.withFault(dropResponsesOn(line, side.leader), async (healHeldAnswers) => {
        const [last, unanswered] = [new Map<L, { w: number; since: number }>(), new Map<L, number>()]
        const stalled = await side.eachLane(lanes, (l) => `all ${l.calls} send calls in flight, records written without an answer, and nothing more arriving for ${QUIET_MS} ms`, async (l) => {
          const [p, w] = [l.run.progress(), await hw.sum(l.topic)]
          if (last.get(l)?.w !== w) last.set(l, { w, since: Date.now() })
          const accounted = p.acknowledged + transactionMarkers(l.run.ledger())
          const state = `in flight ${p.inFlight} of ${l.calls * l.batch}, acknowledged ${p.acknowledged}, written ${w}${accounted > p.acknowledged ? ` (of which ${accounted - p.acknowledged} transaction markers)` : ''}`
          if (p.inFlight !== l.calls * l.batch || w <= accounted) throw new Error(state)
          if (Date.now() - (last.get(l)?.since ?? Date.now()) < QUIET_MS) throw new Error(`${state}; still arriving`)
          unanswered.set(l, w - accounted)
        }, { timeoutMs: 15_000, maxIntervalMs: 100, notApplicable: (l) => (l.acks === 0 ? 'acks=0 expects no answer, so none can be held back' : undefined) })
        for (const l of stalled) side.note(l, { writtenUnanswered: unanswered.get(l) ?? 0 })
        await side.withFault(resetPeerOn(line, side.leader), async () => {
          const healedAt = Date.now()
          await healHeldAnswers() // the held connections close: every producer retries, into the resets
          await side.eachLane(lanes, (l) => (numbersAttempts(l) ? 'its producer to retry into the resets (a send call at attempt 3: closed by the heal, then reset)' : 'its producer to meet the resets (two connection troubles since the heal: the held connection closed, then a new one reset)'), (l) => {
            const since = l.run.ledger().events.filter((e) => e.at >= (numbersAttempts(l) ? faultAt : healedAt))
            if (numbersAttempts(l) && !since.some((e) => e.type === 'retry' && Number(e.detail?.attempt) >= 3)) throw new Error('no send call past attempt 2 yet')
            const troubles = since.filter((e) => TROUBLE.has(e.type)).length
            if (!numbersAttempts(l) && troubles < 2) throw new Error(`${troubles} connection trouble(s) since the heal`)
          }, { timeoutMs: 15_000, maxIntervalMs: 100, notApplicable: (l) => (l.acks === 0 ? 'acks=0 never learns of a failure, so it never retries' : (l.profile.producer.retries ?? 1) === 0 ? 'this producer never retries (retry.retries 0), so the retry-into-resets step does not apply; its sends failed or were acknowledged and were reconciled as such' : !numbersAttempts(l) && !signals(l).connectionTrouble ? `${l.profile.client} tells its adapter of no connection it loses, so meeting the resets cannot be seen; the retries of its held calls after the heal decide its verdict` : undefined) })
        })
      }),
    )
    const base = new Map(lanes.map((l) => [l, l.run.progress().sent]))
    await atLeast('the load to go on after the resets (40 more records sent)', (l) => l.run.progress().sent, (l) => (base.get(l) ?? 0) + 40, 30_000)
  } finally {
    for (const l of lanes) l.run.stop()
  }
  return side.settle(await Promise.all(lanes.map(async (l) => ({ ledger: await l.run.done }))))
}

/** Timeline events that say a connection failed the producer. */
const TROUBLE = new Set(['disconnect', 'connect-failed', 'attempt-error', 'retry', 'request-timeout'])

/** What the lane's client can say of its retries (its adapter knows). */
const signals = (l: { profile: { client?: ClientName } }) => adapterFor(l.profile.client).timeline
const numbersAttempts = (l: { profile: { client?: ClientName } }) => signals(l).numberedAttempts

/** Offsets taken by transaction markers so far: one per partition of each settled call of a transactional lane. */
function transactionMarkers(ledger: Ledger): number {
  if ((ledger.settings.producer as { transactionalId?: string } | undefined)?.transactionalId === undefined) return 0
  return new Set(ledger.entries.filter((e) => e.partition !== null).map((e) => `${e.call}:${e.partition}`)).size
}
