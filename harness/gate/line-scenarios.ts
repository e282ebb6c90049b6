/**
 * The battery's scenarios that need the producers' answers to be lost while the harness still
 * watches the leader: every lane's producer goes through one shared client line (see
 * harness/faults/client-line.ts), and the faults sit on the line, so the harness's admin client
 * reads each lane's high watermark from the leader itself. Lanes, topics and read-back are the
 * acks scenarios' (harness/scenarios/acks.ts): one producer per config, one topic per lane, all
 * led by one node, one fault at one moment.
 */
import { randomBytes } from 'node:crypto'
import { type Cluster } from '../cluster/index.js'
import { HighWatermarks } from '../cluster/watermarks.js'
import { ClientLine, dropResponsesOn, resetPeerOn, type FaultWindow } from '../faults/index.js'
import { SideBySide, type AcksOutcome, type Lane, type Profile } from '../scenarios/acks.js'
import { applied, healed } from '../scenarios/idempotency-retries.js'
import { mergeLedgers, openProducerSession, startWorkload, type Ledger, type ProducerSession, type RecordSpec } from '../workload/index.js'

/** Longer than any wait inside a fault: kafkajs never re-sends a held request by itself. */
const REQUEST_TIMEOUT_MS = 30_000
/**
 * A transactional lane's request timeout. kafkajs asks a random broker for the transaction
 * coordinator before every transactional call (eosManager.findTransactionCoordinator, no cache);
 * when it asks the node whose answers are dropped, the call waits a request timeout before it
 * asks the next, longer than the scenario waits for the records. With 5 s the detour fits; a
 * produce request held longer is re-sent by kafkajs with the same sequence numbers, which the
 * leader answers from the batch it holds (the answer is dropped too until the fault heals).
 */
const TRANSACTIONAL_REQUEST_TIMEOUT_MS = 5_000

/** The kafkajs client of a lane whose connections go through `line`. */
function laneKafka(cluster: Cluster, lane: Lane, line: ClientLine | undefined) {
  const requestTimeout = lane.profile.producer.transactionalId === undefined ? REQUEST_TIMEOUT_MS : TRANSACTIONAL_REQUEST_TIMEOUT_MS
  return cluster.kafka({ clientId: `gate-${lane.topic}`, requestTimeout, ...(line ? { brokers: line.bootstrap } : {}) })
}
/** Records whose answer is lost, per lane. */
export const LOST_ANSWER = 3
/** Records per second per lane in the reset scenario. */
const RESET_LOAD_RATE = 100
/** With every call of a lane in flight, no more records written for this long: the producer can send no more. */
const RESET_QUIET_MS = 500

/** Each lane's high watermarks now, to count what a fault lets through from here. */
async function writtenNow(hw: HighWatermarks, lanes: readonly Lane[]): Promise<Map<Lane, number>> {
  return new Map(await Promise.all(lanes.map(async (l) => [l, await hw.sum(l.topic)] as const)))
}

/** Runs `body` with a reader of high watermarks (read_uncommitted: a transactional lane's held records count). */
async function withWatermarks<T>(cluster: Cluster, body: (hw: HighWatermarks) => Promise<T>): Promise<T> {
  const hw = await HighWatermarks.open(cluster)
  try {
    return await body(hw)
  } finally {
    await hw.close()
  }
}

/**
 * Waits, lane by lane, until the leader has written a lost answer's LOST_ANSWER records, and notes
 * them as written without an answer in the lanes where it did.
 */
async function lostAnswerWritten(side: SideBySide, hw: HighWatermarks, before: Map<Lane, number>, what: string): Promise<void> {
  const held = await side.eachLane(
    side.lanes,
    () => what,
    async (lane) => {
      const w = await hw.sum(lane.topic)
      if (w < (before.get(lane) ?? 0) + LOST_ANSWER) throw new Error(`high watermarks sum to ${w}, want ${(before.get(lane) ?? 0) + LOST_ANSWER}`)
    },
    { timeoutMs: 15_000, maxIntervalMs: 100 },
  )
  for (const lane of held) side.note(lane, { writtenUnanswered: LOST_ANSWER })
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
    kafka: laneKafka(cluster, lane, line),
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
  const side = await SideBySide.open(cluster, { scenario: 'response lost after the append', suite: 'gate', profiles, judged: true })
  return withLine(cluster, 'gate-answers', (line) => withWatermarks(cluster, async (hw) => {
    const sessions = side.lanes.map((lane) => session(cluster, lane, line))
    let ledgers: Ledger[] = []
    try {
      await warm(sessions)
      const before = await writtenNow(hw, side.lanes)
      const calls = await side.withFault(dropResponsesOn(line, side.leader), async () => {
        const calls = sessions.map((s) => s.send(burst('answer-lost'), { batchSize: LOST_ANSWER }))
        await lostAnswerWritten(side, hw, before, `the ${LOST_ANSWER} records of the lost answer written by the leader`)
        return calls
      })
      await Promise.all(calls)
    } finally {
      ledgers = await Promise.all(sessions.map((s) => s.close()))
    }
    return side.settle(ledgers.map((ledger) => ({ ledger })))
  }))
}

/**
 * Steady load on the line, each lane driven as its config says (send calls in flight, records per
 * call). The leader's answers are dropped until, in every lane, every call is in flight, at least
 * one request has been written without an answer and nothing more arrives (RESET_QUIET_MS): the
 * producer cannot send more. Then every connection through the line is reset when used
 * (reset_peer) and the dropped answers' connections close, so the producers retry into resets;
 * once they have, the resets heal and the load goes on.
 *
 * "Nothing more arrives" is observed, not predicted: how many requests a client keeps on the wire
 * differs (kafkajs's idempotent producer sends one request per broker at a time; a plain one up to
 * maxInFlightRequests), and the next clients differ again.
 */
export async function resetsMidProduce(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome> {
  const side = await SideBySide.open(cluster, { scenario: 'connections reset mid-produce', suite: 'gate', profiles, judged: true })
  const calls = (lane: Lane): number => lane.profile.callsInFlight ?? 2
  const batch = (lane: Lane): number => lane.profile.recordsPerCall ?? 2
  return withLine(cluster, 'gate-resets', (line) => withWatermarks(cluster, async (hw) => {
    const lanes = side.lanes.map((lane) => ({
      ...lane,
      run: startWorkload({
        kafka: laneKafka(cluster, lane, line),
        topic: lane.topic,
        producer: lane.profile.producer,
        send: lane.profile.send,
        keys: 12,
        rate: RESET_LOAD_RATE,
        batchSize: batch(lane),
        concurrency: calls(lane),
        durationMs: 120_000,
        drainTimeoutMs: 20_000,
      }),
    }))
    const counted = (l: (typeof lanes)[number]): number => (l.acks === 0 ? l.run.progress().sent - l.run.progress().inFlight : l.run.progress().acknowledged)
    const reset = resetPeerOn(line, side.leader)
    const faults: FaultWindow[] = side.faults
    try {
      await side.eachLane(lanes, () => '40 records acknowledged (acks=0: sent) before the fault', (l) => {
        if (counted(l) < 40) throw new Error(`${counted(l)} so far`)
      }, { timeoutMs: 60_000, maxIntervalMs: 50 })
      const faultAt = Date.now()
      await side.withFault(dropResponsesOn(line, side.leader), async () => {
        const quiet = new Map<string, { w: number; since: number }>()
        const unanswered = new Map<string, number>()
        const stalled = await side.eachLane(
          lanes,
          (l) => `all ${calls(l)} send calls in flight, records written without an answer, and nothing more arriving for ${RESET_QUIET_MS} ms`,
          async (l) => {
            const p = l.run.progress()
            const w = await hw.sum(l.topic)
            const seen = quiet.get(l.topic)
            if (seen?.w !== w) quiet.set(l.topic, { w, since: Date.now() })
            const full = calls(l) * batch(l)
            const accounted = p.acknowledged + transactionMarkers(l.run.ledger())
            const state = `in flight ${p.inFlight} of ${full}, acknowledged ${p.acknowledged}, written ${w}${accounted > p.acknowledged ? ` (of which ${accounted - p.acknowledged} transaction markers)` : ''}`
            if (p.inFlight !== full || w <= accounted) throw new Error(state)
            if (Date.now() - (quiet.get(l.topic)?.since ?? Date.now()) < RESET_QUIET_MS) throw new Error(`${state}; still arriving`)
            unanswered.set(l.topic, w - accounted)
          },
          { timeoutMs: 15_000, maxIntervalMs: 100, notApplicable: (l) => (l.acks === 0 ? 'acks=0 expects no answer, so none can be held back' : undefined) },
        )
        for (const l of stalled) side.note(l, { writtenUnanswered: unanswered.get(l.topic) ?? 0 })
        await applied(cluster, reset, faults)
      })
      await side.eachLane(
        lanes,
        () => 'its producer to retry into the resets (a send call at attempt 3: closed by the heal, then reset)',
        (l) => {
          const hit = l.run.ledger().events.some((e) => e.type === 'retry' && e.at >= faultAt && Number(e.detail?.attempt) >= 3)
          if (!hit) throw new Error('no send call past attempt 2 yet')
        },
        {
          timeoutMs: 15_000,
          maxIntervalMs: 100,
          notApplicable: (l) =>
            l.acks === 0
              ? 'acks=0 never learns of a failure, so it never retries'
              : (l.profile.producer.retry?.retries ?? 1) === 0
                ? 'this producer never retries (retry.retries 0), so the retry-into-resets step does not apply; its sends failed or were acknowledged and were reconciled as such'
                : undefined,
        },
      )
    } finally {
      await healed(cluster, reset, faults)
    }
    const progressed = new Map(lanes.map((l) => [l.topic, l.run.progress().sent]))
    try {
      await side.eachLane(lanes, () => 'the load to go on after the resets (40 more records sent)', (l) => {
        const more = l.run.progress().sent - (progressed.get(l.topic) ?? 0)
        if (more < 40) throw new Error(`${more} more sent`)
      }, { timeoutMs: 30_000, maxIntervalMs: 100 })
    } finally {
      for (const l of lanes) l.run.stop()
    }
    const ledgers = await Promise.all(lanes.map((l) => l.run.done))
    return side.settle(ledgers.map((ledger) => ({ ledger })))
  }))
}

/**
 * The producer process restarts after the broker wrote but before it learned so: each lane's
 * first producer sends LOST_ANSWER records whose answer is dropped; once they are written its line
 * is torn down for good (the process is gone, nothing of it reaches the cluster again); a new
 * producer, with a new producer id, sends the same records again, as an application resending
 * what it never saw acknowledged does. Idempotence is per producer session: a lane without
 * transactions writes them twice. A transactional lane's new producer has the same
 * transactional.id: it fences the dead one and aborts its open transaction, so they are written
 * once. What every config must keep: no acknowledged record lost, key order.
 */
export async function producerRestart(cluster: Cluster, profiles: readonly Profile[]): Promise<AcksOutcome> {
  const side = await SideBySide.open(cluster, { scenario: 'producer restart after the write', suite: 'gate', profiles, judged: true })
  const line = await ClientLine.open(cluster, `gate-restart-${randomBytes(2).toString('hex')}`)
  const first = side.lanes.map((lane) => session(cluster, lane, line, 3_000))
  let firstLedgers: Ledger[] = []
  const hw = await HighWatermarks.open(cluster)
  try {
    await warm(first)
    const before = await writtenNow(hw, side.lanes)
    await side.withFault(dropResponsesOn(line, side.leader), async () => {
      for (const s of first) void s.send(burst('restart'), { batchSize: LOST_ANSWER })
      await lostAnswerWritten(side, hw, before, `the ${LOST_ANSWER} records written by the leader before the process dies`)
      await line.close() // the process dies: its connections close, and no retry of it can reach a broker
    })
  } finally {
    await hw.close()
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
 * Offsets taken by transaction markers so far: a transactional lane's settled call wrote one
 * commit (or abort) marker on each partition its records went to. 0 for a lane without
 * transactions.
 */
function transactionMarkers(ledger: Ledger): number {
  if ((ledger.settings.producer as { transactionalId?: string } | undefined)?.transactionalId === undefined) return 0
  const partitionsOfCall = new Map<number, Set<number>>()
  for (const e of ledger.entries) {
    if (e.partition === null) continue
    let set = partitionsOfCall.get(e.call)
    if (!set) partitionsOfCall.set(e.call, (set = new Set()))
    set.add(e.partition)
  }
  let markers = 0
  for (const set of partitionsOfCall.values()) markers += set.size
  return markers
}

/**
 * The application's ledger across a restart: one entry per record, the one from the session that
 * last sent it (the reconciler holds each id to one entry; a resent record is one record).
 */
function resent(before: Ledger, after: Ledger): Ledger {
  const again = new Set(after.entries.map((e) => e.id))
  return mergeLedgers([{ ...before, entries: before.entries.filter((e) => !again.has(e.id)) }, after])
}
