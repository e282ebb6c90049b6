/**
 * Lose the answer: the leader writes a producer's records, and its answer never reaches the
 * producer. Every lane's producer goes through a client line (see harness/faults/client-line.ts)
 * and the fault sits on the line, so the harness still reads each lane's high watermarks from the
 * leader itself, on a path the fault does not touch: "written" is observed, not guessed.
 *
 * Why the retry happens exactly once, after the fault: the lane clients' request timeout
 * (FAULT_TOLERANT_REQUEST_TIMEOUT_MS) is far longer than any wait inside a fault, so kafkajs never gives up on a
 * held request and re-sends it while the fault is in force. Healing a dropResponsesOn fault closes
 * the connections it held (Toxiproxy's timeout toxic closes its stub when removed), so the
 * producer sees "Closed connection" at the heal and retries on a fresh connection through the
 * healed line.
 */
import { HarnessError } from '../errors.js'
import { clientEndpoint, FAULT_TOLERANT_REQUEST_TIMEOUT_MS, type ClientEndpoint } from '../clients/index.js'
import type { Cluster } from '../cluster/index.js'
import { HighWatermarks } from '../cluster/watermarks.js'
import { dropResponsesOn, type ClientLine } from '../faults/index.js'
import { openProducerSession, type ProducerSession } from '../workload/index.js'
import type { Lab } from './lab.js'
import type { Lane, SideBySide } from './lanes.js'

/**
 * A transactional lane's request timeout. kafkajs asks a random broker for the transaction
 * coordinator before every transactional call (eosManager.findTransactionCoordinator, no cache);
 * when it asks the node whose answers are dropped, the call waits a request timeout before it
 * asks the next, longer than the story waits for the records. With 5 s the detour fits; a
 * produce request held longer is re-sent by kafkajs with the same sequence numbers, which the
 * leader answers from the batch it holds (the answer is dropped too until the fault heals).
 */
const TRANSACTIONAL_REQUEST_TIMEOUT_MS = 5_000

/** Where the client of a lane whose connections go through `line` connects (no line: the node's client proxies). */
export function laneEndpoint(cluster: Cluster, lane: Lane, line: ClientLine | undefined, { clientId = `lane-${lane.topic}`, requestTimeoutMs }: LaneClientOptions = {}): ClientEndpoint {
  const timeout = requestTimeoutMs ?? (lane.profile.producer.transactionalId === undefined ? FAULT_TOLERANT_REQUEST_TIMEOUT_MS : TRANSACTIONAL_REQUEST_TIMEOUT_MS)
  return clientEndpoint(cluster, { clientId, requestTimeoutMs: timeout, ...(line ? { line } : {}) })
}

/** A lane's client: its id, and a request timeout of the story's own (one whose producer must give up inside a fault). */
export interface LaneClientOptions {
  clientId?: string
  requestTimeoutMs?: number
}

/** A producer session of the lane's profile and client on `line`; closed at the lab's teardown if still open. */
export function laneSession(lab: Lab, lane: Lane, line: ClientLine | undefined, { drainTimeoutMs = 20_000, ...client }: LaneClientOptions & { drainTimeoutMs?: number } = {}): ProducerSession {
  const session = openProducerSession({
    endpoint: laneEndpoint(lab.cluster, lane, line, client),
    topic: lane.topic,
    ...(lane.profile.client === undefined ? {} : { client: lane.profile.client }),
    producer: lane.profile.producer,
    drainTimeoutMs,
  })
  lab.onTeardown(() => session.close())
  return session
}

/**
 * One warm-up record per lane, so nothing but the story's sends crosses the line in the fault: the
 * producer's connection to the leader is open and answered before its answers are dropped (a
 * client that opens it lazily, as franz-go does, would otherwise never get past its handshake).
 * No explicit partition (franz-go honours none): the stories that warm up have one partition.
 */
export async function warm(sessions: readonly ProducerSession[]): Promise<void> {
  const entries = (await Promise.all(sessions.map((s) => s.send([{ key: 'warm-up' }])))).flat()
  // acks=0 is never told: its warm-up is `unknown` by nature, and only a failure says anything
  const cold = entries.filter((e) => e.outcome === 'failed' || (e.outcome === 'unknown' && e.reason !== 'acks=0'))
  if (cold.length > 0) throw new HarnessError(`the warm-up record was not acknowledged before the fault (${cold.map((e) => `${e.outcome}: ${e.reason ?? e.errorClass ?? 'no reason given'}`).join('; ')}): the story cannot tell its fault's effect from a producer that never worked`)
}

/** Runs `body` with a reader of high watermarks (read_uncommitted: a transactional lane's held records count). */
export async function withWatermarks<T>(cluster: Cluster, body: (hw: HighWatermarks) => Promise<T>): Promise<T> {
  const hw = await HighWatermarks.open(cluster)
  try {
    return await body(hw)
  } finally {
    await hw.close()
  }
}

/** What is sent while the answers are dropped, and how much of it the leader must write. */
export interface LostAnswer<S, M> {
  /** Records each lane's leader must write (its high watermarks' sum must grow by this much). */
  records: number
  /** What the lanes wait for, e.g. 'the 3 records of the lost answer written by the leader'. */
  what: string
  /** Starts the sends (not awaited: their answers are held). */
  send: () => S
  /** Runs once the records are written, still inside the fault (a queued call, a kill). */
  meanwhile?: (sent: S) => M | Promise<M>
}

/**
 * With every lane's producer on `line`: drops the leader's answers on the line, starts `send`,
 * waits lane by lane until the leader has written `records` more records (noted in each lane
 * where it did as written without an answer), runs `meanwhile`, and heals: the held connections
 * close and each producer retries through the healed line. Returns what `send` and `meanwhile`
 * returned; the sends are still pending, their retries under way.
 */
export async function loseTheAnswer<S, M = undefined>(side: SideBySide, line: ClientLine, lost: LostAnswer<S, M>): Promise<{ sent: S; meanwhile: M | undefined }> {
  return withWatermarks(side.cluster, async (hw) => {
    const before = new Map(await Promise.all(side.lanes.map(async (l) => [l, await hw.sum(l.topic)] as const)))
    return side.withFault(dropResponsesOn(line, side.leader), async () => {
      const sent = lost.send()
      const held = await side.eachLane(
        side.lanes,
        () => lost.what,
        async (lane) => {
          const want = (before.get(lane) ?? 0) + lost.records
          const w = await hw.sum(lane.topic)
          if (w < want) throw new Error(`high watermarks sum to ${w}, want ${want}`)
        },
        { timeoutMs: 15_000, maxIntervalMs: 100 },
      )
      for (const lane of held) side.note(lane, { writtenUnanswered: lost.records })
      return { sent, meanwhile: await lost.meanwhile?.(sent) }
    })
  })
}
