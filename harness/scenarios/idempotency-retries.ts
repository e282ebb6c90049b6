/**
 * Retry duplicates: a produce request whose answer is lost after the leader appended it, and
 * connections reset under steady load. A producer without idempotence writes the retried records
 * again; the idempotent producer's retry carries the same producer id and sequence numbers, and
 * the leader answers it from the batch it already holds.
 */
import { waitFor } from '../cluster/index.js'
import { AbortError } from '../cluster/wait.js'
import { dropResponsesOn, resetPeerOn, withFault, type Fault, type FaultWindow } from '../faults/index.js'
import { startWorkload } from '../workload/index.js'
import { lastStableOffset, leaderOf, loseTheAnswer, ScenarioPreconditionError, type IdempotencyLab, type Settled, type Variant } from './idempotency.js'

export interface ResponseLost extends Settled {
  /** Ids of the records whose answer was lost (one send call). */
  lostAnswer: string[]
}

/**
 * One send call of `records` records to a 1-partition topic while the answers from its leader are
 * dropped on the producer's line; once the leader reports the records written, the fault heals:
 * the held connection closes and kafkajs retries the call through the healed line.
 */
export async function responseLostAfterAppend(lab: IdempotencyLab, variant: Variant, records = 3): Promise<ResponseLost> {
  const producer = await lab.warmProducer('response-lost', variant)
  const { topic, session } = producer
  const faults: FaultWindow[] = []
  const pending = await loseTheAnswer(lab, producer, Array.from({ length: records }, (_, i) => ({ key: `order-${i + 1}` })), faults)
  const entries = await pending.call
  const ledger = await session.close()
  const settled = await lab.settle({
    scenario: 'response lost after the append',
    variant: variant.name,
    topic,
    ledger,
    faults,
    notes: { lostAnswer: records, attempts: Math.max(...entries.map((e) => e.attempts)) },
  })
  return { ...settled, lostAnswer: entries.map((e) => e.id) }
}

/** The steady load of the reset scenario. */
export const LOAD = { rate: 300, batchSize: 2, keys: 8, before: 40, after: 40 }

export interface ResetUnderLoad extends Settled {
  /** Records the leader had written whose answers were lost when the connections were reset. */
  writtenUnanswered: number
}

/**
 * A steady load (LOAD) with `concurrency` send calls in flight. Mid-run the leader's answers are
 * dropped on the producer's line until every call in flight has been written and nothing more can
 * be sent (the concurrency is used up); then connections through the line are reset whenever the
 * producer sends on them (reset_peer), and the dropped answers' connections close. kafkajs
 * retries; each retry meets a reset until that heals too; then the load goes on.
 *
 * The records written without an answer are counted exactly (the leader's high watermark minus
 * the acknowledged records, once the producer cannot send more), so the non-idempotent
 * producer's duplicates are known before the log is read.
 */
export async function resetMidProduce(lab: IdempotencyLab, variant: Variant, concurrency: number): Promise<ResetUnderLoad> {
  const c = lab.cluster
  const topic = await lab.topic('reset-under-load')
  const line = await lab.line('producer')
  const run = startWorkload({
    endpoint: lab.endpoint(line, `${variant.name}-load`),
    topic,
    producer: { acks: -1, ...variant.producer },
    keys: LOAD.keys,
    rate: LOAD.rate,
    batchSize: LOAD.batchSize,
    concurrency,
    drainTimeoutMs: 20_000,
  })
  lab.onTeardown(async () => {
    run.stop()
    await run.done
  })
  await run.acknowledged(LOAD.before)
  const faults: FaultWindow[] = []
  const reset = resetPeerOn(line, leaderOf(topic))
  const faultAt = Date.now()
  let writtenUnanswered = 0
  let ackedAtReset = 0
  try {
    await withFault(
      c,
      dropResponsesOn(line, leaderOf(topic)),
      async () => {
        const full = concurrency * LOAD.batchSize
        writtenUnanswered = await waitFor(
          `every send call in flight (${full} records) to be written without an answer`,
          async () => {
            const p = run.progress()
            if (p.failed > 0 || p.unknown > 0) throw new AbortError(new ScenarioPreconditionError(`a send failed before the fault: ${JSON.stringify(p)}`))
            const high = await lastStableOffset(c, topic, 0)
            if (p.inFlight !== full || high !== p.acknowledged + p.inFlight) throw new Error(`in flight ${p.inFlight}, acknowledged ${p.acknowledged}, high watermark ${high}`)
            return p.inFlight
          },
          { timeoutMs: 10_000 },
        )
        ackedAtReset = run.progress().acknowledged
        await applied(c, reset, faults)
      },
      faults,
    )
    await waitFor(
      'a retry to be reset on the line (a send call at attempt 3: closed by the heal, then reset)',
      () => {
        const hit = run.ledger().events.some((e) => e.type === 'retry' && e.at >= faultAt && Number(e.detail?.attempt) >= 3)
        if (!hit) throw new Error('no send call past attempt 2 yet')
      },
      { timeoutMs: 10_000 },
    )
  } finally {
    await healed(c, reset, faults)
  }
  await run.acknowledged(ackedAtReset + writtenUnanswered + LOAD.after)
  run.stop()
  const ledger = await run.done
  const settled = await lab.settle({
    scenario: 'connections reset mid-produce (steady load)',
    variant: `${variant.name}, ${concurrency} send${concurrency > 1 ? 's' : ''} in flight`,
    topic,
    ledger,
    faults,
    notes: { writtenUnanswered },
  })
  return { ...settled, writtenUnanswered }
}

/** Applies a fault that outlives the body it was applied in, recording its window. */
export async function applied(c: IdempotencyLab['cluster'], fault: Fault, windows: FaultWindow[]): Promise<void> {
  const w: FaultWindow = { name: fault.name, description: fault.name, appliedAt: Date.now() }
  windows.push(w)
  await fault.apply(c)
  w.description = fault.describe()
}

/** Heals a fault applied with `applied` and closes its window. */
export async function healed(c: IdempotencyLab['cluster'], fault: Fault, windows: FaultWindow[]): Promise<void> {
  await fault.heal(c)
  const w = [...windows].reverse().find((x) => x.name === fault.name && x.healedAt === undefined)
  if (w) w.healedAt = Date.now()
}
