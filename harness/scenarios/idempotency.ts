/**
 * The idempotency scenarios' common parts: a lab that gives each scenario fresh topics, producers
 * on their own lines (see harness/faults/client-line.ts), the wait for "the broker has written
 * it", and the read-back that turns a run into a verdict and a matrix row.
 *
 * Observing "written" through a path the fault does not touch. The faults here act on the
 * producer's own line, never on the node's client proxy, so the harness's admin client reaches
 * the same leader untouched and asks it for the partition's high watermark (ListOffsets goes to
 * the leader; it answers it on a connection the fault does not hold). With acks=all the high
 * watermark passing the records means the leader appended them and the in-sync followers have
 * them: written, as a reader would see it. Without lines the toxic would sit on the leader's
 * client proxy, where every client's ListOffsets and Fetch to the leader are held too, and the
 * closest observable would be a follower's log end (ListOffsets with replica id -2, which
 * kafkajs's admin cannot send) or the data files on disk.
 *
 * Why the retry happens exactly once, after the fault: the line clients' request timeout
 * (REQUEST_TIMEOUT_MS) is far longer than any wait inside a fault, so kafkajs never gives up on
 * a held request and re-sends it while the fault is in force. Healing a dropResponsesOn fault
 * closes the connections it held (Toxiproxy's timeout toxic closes its stub when removed), so the
 * producer sees "Closed connection" at the heal and retries on a fresh connection through the
 * healed line.
 */
import type { Kafka, ProducerConfig } from 'kafkajs'
import { randomBytes } from 'node:crypto'
import { waitFor, type Cluster } from '../cluster/index.js'
import { HarnessError } from '../errors.js'
import { ClientLine, dropResponsesOn, withFault, type FaultWindow, type Target } from '../faults/index.js'
import { reconcile, type Verdict } from '../reconcile/index.js'
import { scenarioResult, type ResultsCollector, type ScenarioResult } from '../report/index.js'
import { openProducerSession, readTopic, type Ledger, type LedgerEntry, type ProducerSession, type ProducerSessionOptions, type RecordSpec, type TopicLog } from '../workload/index.js'

export const SUITE = 'idempotency'

/** Longer than any wait inside a fault: kafkajs never re-sends a held request by itself. */
export const REQUEST_TIMEOUT_MS = 30_000
/** How long "the records are in the log" may take to show; well under REQUEST_TIMEOUT_MS. */
export const WRITTEN_DEADLINE_MS = 10_000

/** A producer configuration under test. */
export interface Variant {
  name: string
  producer: ProducerConfig
}

/** kafkajs's plain producer: retries (5 by default; 15 under NODE_ENV=test), no sequence numbers. */
export const NON_IDEMPOTENT: Variant = { name: 'non-idempotent', producer: { idempotent: false } }
/** kafkajs's idempotent producer: a producer id and per-partition sequence numbers. */
export const IDEMPOTENT: Variant = { name: 'idempotent', producer: { idempotent: true } }

/** The scenario could not set up what its counts rely on; the counts would not be by construction. */
export class ScenarioPreconditionError extends HarnessError {
  override name = 'ScenarioPreconditionError'
}

export const leaderOf = (topic: string, partition = 0): Target => ({ leaderOf: { topic, partition } })

/** A producer on its own line, warmed up on its own 1-partition topic. */
export interface WarmProducer {
  topic: string
  line: ClientLine
  session: ProducerSession
}

/** A run read back: its ledger, the log, the verdict, and the matrix row it became. */
export interface Settled {
  topic: string
  ledger: Ledger
  log: TopicLog
  verdict: Verdict
  row: ScenarioResult
}

/**
 * A scenario's workbench: fresh topics, lines and producers on them, and whatever must be torn
 * down after the test (lines, child processes, consumers), whether it passed or not.
 */
export class IdempotencyLab {
  private readonly teardown: Array<() => Promise<unknown>> = []

  constructor(
    readonly cluster: Cluster,
    readonly results: ResultsCollector,
  ) {}

  /** A fresh topic (RF=3, min.insync.replicas=2) led with its full ISR. */
  async topic(name: string, partitions = 1): Promise<string> {
    const topic = `${name}-${randomBytes(3).toString('hex')}`
    await this.cluster.createTopic(topic, { partitions })
    return topic
  }

  /** A line of its own for one client; closed at teardown. */
  async line(name: string): Promise<ClientLine> {
    const line = await ClientLine.open(this.cluster, `${name}-${randomBytes(3).toString('hex')}`)
    this.onTeardown(() => line.close())
    return line
  }

  /** A kafkajs client whose connections go through `line`. */
  kafka(line: ClientLine, clientId: string): Kafka {
    return this.cluster.kafka({ clientId, brokers: line.bootstrap, requestTimeout: REQUEST_TIMEOUT_MS })
  }

  /** A producer session on `line` (its own Kafka client); closed at teardown if still open. */
  session(line: ClientLine, topic: string, variant: Variant, options: Partial<ProducerSessionOptions> = {}): ProducerSession {
    const session = openProducerSession({
      kafka: this.kafka(line, `${variant.name.replace(/[^a-z0-9]+/g, '-')}-producer`),
      topic,
      send: { acks: -1 },
      drainTimeoutMs: 20_000,
      ...options,
      producer: { ...variant.producer, ...options.producer },
    })
    this.onTeardown(() => session.close())
    return session
  }

  /**
   * A fresh 1-partition topic and a producer on a line of its own that has sent one record
   * (order-0) and had it acknowledged: connected, its producer id (if any) and the leader known,
   * so nothing but the scenario's own sends goes over the line once a fault is applied.
   */
  async warmProducer(topicName: string, variant: Variant): Promise<WarmProducer> {
    const topic = await this.topic(topicName)
    const line = await this.line('producer')
    const session = this.session(line, topic, variant)
    const [warm] = await session.send([{ key: 'order-0' }])
    precondition(warm?.outcome === 'ok', `the warm-up record was acknowledged (${warm?.outcome} ${warm?.reason ?? ''})`)
    return { topic, line, session }
  }

  onTeardown(fn: () => Promise<unknown>): void {
    this.teardown.push(fn)
  }

  /** Runs every teardown step, last first; never throws. */
  async tearDown(): Promise<void> {
    for (const fn of this.teardown.splice(0).reverse()) await fn().catch(() => undefined)
  }

  /** Reads `topic` back through the node's client proxies, reconciles, and adds the row. */
  async settle(input: {
    scenario: string
    variant: string
    topic: string
    ledger: Ledger
    faults?: FaultWindow[]
    notes?: Record<string, string | number | boolean>
  }): Promise<Settled> {
    const log = await readTopic({ kafka: this.cluster.kafka({ clientId: 'reader' }), topic: input.topic })
    const verdict = reconcile(input.ledger, log)
    const row = this.results.add(
      scenarioResult({
        suite: SUITE,
        scenario: input.scenario,
        variant: input.variant,
        ledger: input.ledger,
        verdict,
        faults: input.faults ?? [],
        nodeEvents: [],
        ...(input.notes ? { notes: input.notes } : {}),
      }),
    )
    return { topic: input.topic, ledger: input.ledger, log, verdict, row }
  }
}

/**
 * The offset after the last record a read_committed reader may see in the partition, as its
 * leader reports it to the harness's admin client (not through any line). Without transactions
 * that is the high watermark: with acks=all, appended by the leader and held by the ISR.
 */
export async function lastStableOffset(cluster: Cluster, topic: string, partition: number): Promise<number> {
  const offsets = await (await cluster.admin()).fetchTopicOffsets(topic)
  const p = offsets.find((o) => o.partition === partition)
  if (p === undefined) throw new Error(`no offsets for ${topic}-${partition}`)
  return Number(p.high)
}

/** Waits until the partition's log (as the leader reports it) reaches `atLeast`; returns where it is. */
export async function waitUntilWritten(cluster: Cluster, topic: string, partition: number, atLeast: number, what: string): Promise<number> {
  return waitFor(
    `${what} to be written (${topic}-${partition} high watermark ≥ ${atLeast}, as its leader reports it)`,
    async () => {
      const high = await lastStableOffset(cluster, topic, partition)
      if (high < atLeast) throw new Error(`high watermark ${high}`)
      return high
    },
    { timeoutMs: WRITTEN_DEADLINE_MS, maxIntervalMs: 100 },
  )
}

/** Throws ScenarioPreconditionError unless `cond`. */
export function precondition(cond: boolean, what: string): asserts cond {
  if (!cond) throw new ScenarioPreconditionError(`scenario precondition failed: ${what}`)
}

/** Each row's notes (what the matrix has no column for), one line a row. */
export function printNotes(rows: readonly ScenarioResult[]): void {
  const lines = rows
    .filter((r) => r.notes !== undefined && Object.keys(r.notes).length > 0)
    .map((r) => `  ${r.scenario} | ${r.variant}: ${Object.entries(r.notes ?? {}).map(([k, v]) => `${k}=${v}`).join(', ')}`)
  if (lines.length) {
    console.log(
      `notes\n${lines.join('\n')}\n`,
    )
  }
}

/**
 * Sends `records` in one call while the leader's answers are dropped on the producer's line, and
 * waits until the leader reports them written with no answer having reached the producer; then
 * `meanwhile` runs, still inside the fault. The fault heals (its held connection closes, see the
 * module comment) before this returns; the call is still pending, its retry under way.
 */
export async function loseTheAnswer<T>(
  lab: IdempotencyLab,
  { topic, line, session }: WarmProducer,
  records: readonly RecordSpec[],
  faults: FaultWindow[],
  meanwhile: () => T = () => undefined as T,
): Promise<{ call: Promise<LedgerEntry[]>; meanwhile: T }> {
  const acknowledged = session.progress().acknowledged
  const before = await lastStableOffset(lab.cluster, topic, 0)
  return withFault(
    lab.cluster,
    dropResponsesOn(line, leaderOf(topic)),
    async () => {
      const call = session.send(records, { batchSize: records.length })
      await waitUntilWritten(lab.cluster, topic, 0, before + records.length, `the ${records.length} record${records.length > 1 ? 's' : ''} of the send call`)
      precondition(session.progress().acknowledged === acknowledged, 'no answer reached the producer while its records were written')
      return { call, meanwhile: meanwhile() }
    },
    faults,
  )
}
