/**
 * The battery's scenarios that need the producers' answers to be lost while the harness still
 * watches the leader: every lane's producer goes through one shared client line (see
 * harness/faults/client-line.ts), and the faults sit on the line, so the harness's admin client
 * reads each lane's high watermark from the leader itself. Lanes, topics and read-back are the
 * acks scenarios' (harness/scenarios/acks.ts): one producer per config, one topic per lane, all
 * led by one node, one fault at one moment.
 */
import { randomBytes } from 'node:crypto'
import { waitFor, type Cluster } from '../cluster/index.js'
import { ClientLine, dropResponsesOn, resetPeerOn, type FaultWindow } from '../faults/index.js'
import { SideBySide, type AcksOutcome, type Lane, type Profile } from '../scenarios/acks.js'
import { applied, healed } from '../scenarios/idempotency-retries.js'
import { mergeLedgers, openProducerSession, startWorkload, type Ledger, type ProducerSession, type RecordSpec } from '../workload/index.js'

/** Longer than any wait inside a fault: kafkajs never re-sends a held request by itself. */
const REQUEST_TIMEOUT_MS = 30_000
/** Records whose answer is lost, per lane. */
export const LOST_ANSWER = 3

/** Sum of the lane topic's high watermarks, as each partition's leader reports it. */
async function written(cluster: Cluster, topic: string): Promise<number> {
  const offsets = await (await cluster.admin()).fetchTopicOffsets(topic)
  return offsets.reduce((sum, o) => sum + Number(o.high), 0)
}

async function waitWritten(cluster: Cluster, lanes: readonly Lane[], target: (lane: Lane) => number, what: string): Promise<void> {
  await Promise.all(
    lanes.map((lane) =>
      waitFor(`${what} (${lane.variant} on ${lane.topic})`, async () => {
        const w = await written(cluster, lane.topic)
        if (w < target(lane)) throw new Error(`high watermarks sum to ${w}, want ${target(lane)}`)
      }, { timeoutMs: 15_000, maxIntervalMs: 100 }),
    ),
  )
}

async function withLine<T>(cluster: Cluster, name: string, body: (line: ClientLine) => Promise<T>): Promise<T> {
  const line = await ClientLine.open(cluster, `${name}-${randomBytes(2).toString('hex')}`)
  try {
    return await body(line)
  } finally {
    await line.close()
  }
}

function session(cluster: Cluster, lane: Lane, line: ClientLine | undefined, drainTimeoutMs = 20_000): ProducerSession {
  return openProducerSession({
    kafka: cluster.kafka({ clientId: `gate-${lane.topic}`, requestTimeout: REQUEST_TIMEOUT_MS, ...(line ? { socketFactory: line.socketFactory } : {}) }),
    topic: lane.topic,
    producer: lane.profile.producer,
    send: lane.profile.send,
    drainTimeoutMs,
  })
}

/** One warm-up record per lane, so nothing but the scenario's sends crosses the line in the fault. */
async function warm(sessions: readonly ProducerSession[]): Promise<void> {
  await Promise.all(sessions.map((s) => s.send([{ key: 'warm-up', partition: 0 }])))
}

const burst = (prefix: string): RecordSpec[] => Array.from({ length: LOST_ANSWER }, (_, i) => ({ key: `order-${i + 1}`, id: `${prefix}-${i + 1}`, partition: 0 }))

/**
 * Each lane sends LOST_ANSWER records in one call; the leader's answers are dropped on the line
 * until every lane's records are written; healing closes the held connections and the producers
 * retry. A producer without idempotence writes them again.
 */
export async function responseLost(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome> {
  const side = await SideBySide.open(cluster, { scenario: 'response lost after the append', suite: 'gate', profiles })
  return withLine(cluster, 'gate-answers', async (line) => {
    const sessions = side.lanes.map((lane) => session(cluster, lane, line))
    let ledgers: Ledger[] = []
    try {
      await warm(sessions)
      const before = new Map(await Promise.all(side.lanes.map(async (l) => [l, await written(cluster, l.topic)] as const)))
      const calls = await side.withFault(dropResponsesOn(line, side.leader), async () => {
        const calls = sessions.map((s) => s.send(burst('answer-lost'), { batchSize: LOST_ANSWER }))
        await waitWritten(cluster, side.lanes, (l) => (before.get(l) ?? 0) + LOST_ANSWER, 'the records of the lost answer to be written')
        return calls
      })
      await Promise.all(calls)
    } finally {
      ledgers = await Promise.all(sessions.map((s) => s.close()))
    }
    return side.settle(ledgers.map((ledger) => ({ ledger })))
  })
}

/**
 * Steady load on the line (2 calls of 2 records in flight per lane). The leader's answers are
 * dropped until every call in flight is written and no more can be sent; then every connection
 * through the line is reset when used (reset_peer) and the dropped answers' connections close, so
 * the producers retry into resets; once they have, the resets heal and the load goes on.
 */
export async function resetsMidProduce(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome> {
  const side = await SideBySide.open(cluster, { scenario: 'connections reset mid-produce', suite: 'gate', profiles })
  const BATCH = 2
  const calls = (lane: Lane): number => lane.profile.callsInFlight ?? 1
  // Calls the producer really has on the wire to the leader: kafkajs holds a call back while
  // maxInFlightRequests requests to that broker are unanswered.
  const onTheWire = (lane: Lane): number => Math.min(calls(lane), lane.profile.producer.maxInFlightRequests ?? Infinity) * BATCH
  return withLine(cluster, 'gate-resets', async (line) => {
    const runs = side.lanes.map((lane) =>
      startWorkload({
        kafka: cluster.kafka({ clientId: `gate-${lane.topic}`, requestTimeout: REQUEST_TIMEOUT_MS, socketFactory: line.socketFactory }),
        topic: lane.topic,
        producer: lane.profile.producer,
        send: lane.profile.send,
        keys: 12,
        rate: 200,
        batchSize: BATCH,
        concurrency: calls(lane),
        durationMs: 120_000,
        drainTimeoutMs: 20_000,
      }),
    )
    const answered = side.lanes.filter((l) => l.acks !== 0)
    const reset = resetPeerOn(line, side.leader)
    const faults: FaultWindow[] = side.faults
    try {
      await Promise.all(runs.map((r, i) => (side.lanes[i]?.acks === 0 ? Promise.resolve() : r.acknowledged(40))))
      const faultAt = Date.now()
      await side.withFault(dropResponsesOn(line, side.leader), async () => {
        await Promise.all(
          answered.map((lane) => {
            const run = runs[side.lanes.indexOf(lane)]
            if (!run) throw new Error('no run for lane')
            return waitFor(`${lane.variant}: every call on the wire written without an answer, and no more can be sent`, async () => {
              const p = run.progress()
              const w = await written(cluster, lane.topic)
              if (p.inFlight !== calls(lane) * BATCH || w !== p.acknowledged + onTheWire(lane)) throw new Error(`in flight ${p.inFlight}, acknowledged ${p.acknowledged}, written ${w}`)
            }, { timeoutMs: 15_000, maxIntervalMs: 100 })
          }),
        )
        await applied(cluster, reset, faults)
      })
      await Promise.all(
        answered.map((lane) => {
          const run = runs[side.lanes.indexOf(lane)]
          return waitFor(`${lane.variant}'s producer to retry into the resets`, () => {
            const hit = run?.ledger().events.some((e) => e.type === 'retry' && e.at >= faultAt && Number(e.detail?.attempt) >= 3)
            if (!hit) throw new Error('no send call past attempt 2 yet')
          }, { timeoutMs: 15_000, maxIntervalMs: 100 })
        }),
      )
    } finally {
      await healed(cluster, reset, faults)
    }
    const progressed = runs.map((r) => r.progress().sent)
    await Promise.all(runs.map((r, i) => waitFor('the load to go on after the resets', () => {
      if (r.progress().sent - (progressed[i] ?? 0) < 40) throw new Error(`${r.progress().sent - (progressed[i] ?? 0)} more sent`)
    }, { timeoutMs: 30_000, maxIntervalMs: 100 })))
    for (const r of runs) r.stop()
    const ledgers = await Promise.all(runs.map((r) => r.done))
    return side.settle(ledgers.map((ledger) => ({ ledger })))
  })
}

/**
 * The producer process restarts after the broker wrote but before it learned so: each lane's
 * first producer sends LOST_ANSWER records whose answer is dropped; once they are written its line
 * is torn down for good (the process is gone, nothing of it reaches the cluster again); a new
 * producer, with a new producer id, sends the same records again, as an application resending
 * what it never saw acknowledged does. Idempotence is per producer session: every lane writes
 * them twice. What the config must still keep: no acknowledged record lost, key order.
 */
export async function producerRestart(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome> {
  const side = await SideBySide.open(cluster, { scenario: 'producer restart after the write', suite: 'gate', profiles })
  const line = await ClientLine.open(cluster, `gate-restart-${randomBytes(2).toString('hex')}`)
  const first = side.lanes.map((lane) => session(cluster, lane, line, 3_000))
  let firstLedgers: Ledger[] = []
  try {
    await warm(first)
    const before = new Map(await Promise.all(side.lanes.map(async (l) => [l, await written(cluster, l.topic)] as const)))
    await side.withFault(dropResponsesOn(line, side.leader), async () => {
      for (const s of first) void s.send(burst('restart'), { batchSize: LOST_ANSWER })
      await waitWritten(cluster, side.lanes, (l) => (before.get(l) ?? 0) + LOST_ANSWER, 'the records to be written before the process dies')
      await line.close() // the process dies: its connections close, and no retry of it can reach a broker
    })
  } finally {
    await line.close()
    firstLedgers = await Promise.all(first.map((s) => s.close()))
  }
  const second = side.lanes.map((lane) => session(cluster, lane, undefined))
  const secondLedgers = await Promise.all(
    second.map(async (s) => {
      await s.send(burst('restart'), { batchSize: LOST_ANSWER })
      return s.close()
    }),
  )
  return side.settle(side.lanes.map((_, i) => ({ ledger: resent(firstLedgers[i] as Ledger, secondLedgers[i] as Ledger) })))
}

/**
 * The application's ledger across a restart: one entry per record, the one from the session that
 * last sent it (the reconciler holds each id to one entry; a resent record is one record).
 */
function resent(before: Ledger, after: Ledger): Ledger {
  const again = new Set(after.entries.map((e) => e.id))
  return mergeLedgers([{ ...before, entries: before.entries.filter((e) => !again.has(e.id)) }, after])
}
