/**
 * Lanes: producers side by side under one fault. Each producer under test (a Profile: acks=0,
 * acks=1, acks=all; a config the gate judges; the idempotent and the plain producer) is a lane:
 * its own producer writing to its own fresh topic (RF=3, min.insync.replicas=2), and every
 * partition of every lane's topic is led by the same node, so one fault at one moment hits them
 * alike. After the fault heals, each lane's topic is read back and reconciled against its ledger,
 * and becomes one row of the matrix.
 *
 * A story opens its lanes from a Lab (./lab.ts) and drives them with an engine: a steady load
 * through a fault (./steady.ts), a burst of exactly K records inside a fault (./burst.ts), or
 * answers lost after the leader wrote (./lost-answer.ts).
 */
import type { ClientName, ProducerProfile } from '../clients/index.js'
import { describePartition, waitFor, type Cluster, type WaitOptions } from '../cluster/index.js'
import { HarnessError, precondition, WaitTimeoutError } from '../errors.js'
import { withFault, type Fault, type FaultWindow } from '../faults/index.js'
import { reconcile, type Verdict } from '../reconcile/index.js'
import { scenarioResult, type ScenarioResult } from '../report/index.js'
import type { Ledger, TopicLog } from '../workload/index.js'
import type { Lab } from './lab.js'
import { freshName, readBack, waitForLeadersOff } from './topics.js'

export type AcksLevel = -1 | 0 | 1
export type AcksName = 'all' | '1' | '0'
const LEVELS: Record<AcksName, AcksLevel> = { all: -1, '1': 1, '0': 0 }
export const ALL_ACKS: readonly AcksLevel[] = [LEVELS.all, LEVELS['1'], LEVELS['0']]

export function variantOf(acks: AcksLevel): string {
  return acks === -1 ? 'acks=all' : `acks=${acks}`
}

/** The lecture's order keys: every lane writes order-0..order-11, round-robin. */
export const ORDER_KEYS: readonly string[] = Array.from({ length: 12 }, (_, i) => `order-${i}`)

/** Partitions of each lane's topic (all led by the same node). */
export const LANE_PARTITIONS = 3

/**
 * The steady load's producer, the same in every lane: not idempotent (kafkajs refuses
 * idempotence without acks=all, and the lanes differ in acks only), with retries stated
 * explicitly, because kafkajs picks other defaults when NODE_ENV=test, which vitest sets (15
 * retries from 50 ms instead of 5 from 300 ms). 15 retries from 100 ms, doubling up to 1 s: about
 * 12 s of retrying, longer than a failover takes.
 */
export const PRODUCER: ProducerProfile = {
  retries: 15,
  retryBackoff: { initialMs: 100, maxMs: 1_000, multiplier: 2 },
}

/**
 * A producer under test: its client, its client-neutral profile (acks, idempotence, retries, and
 * how the application drives it: send calls in flight, records per call; scenario defaults where
 * absent), and its name in the matrix. The acks scenarios run one profile per acks level
 * (acksProfile); the CI gate runs a team's config.
 */
export interface Profile {
  variant: string
  /** The client library (default kafkajs). */
  client?: ClientName
  producer: ProducerProfile & { acks: AcksLevel }
}

export function acksProfile(acks: AcksLevel): Profile {
  return { variant: variantOf(acks), producer: { ...PRODUCER, acks } }
}

/** One profile's side of a scenario: its producer writes to its own topic. */
export interface Lane {
  acks: AcksLevel
  /** 'acks=all', 'acks=1', 'acks=0', or a config's name: the matrix's variant. */
  variant: string
  topic: string
  profile: Profile
}

/**
 * A step of a scenario as one lane lived it: something the scenario waited for in this lane (its
 * records written without an answer, its producer retrying into resets), whether it happened,
 * and what was seen instead. A step that the lane's options rule out is not awaited: `met` is
 * false and `notApplicable` says why.
 */
export interface LaneStep {
  what: string
  met: boolean
  /** When not met: what was last observed before the deadline. */
  observed?: string
  /** Not awaited, because this lane's producer cannot do it (e.g. it never retries). */
  notApplicable?: string
}

/** Facts a scenario measured in a lane, which the gate's exercise rules read. */
export interface LaneFacts {
  /** Records the leader had written whose answer the producer never got (before it retried or gave up). */
  writtenUnanswered?: number
}

export interface LaneResult extends Lane {
  /** The steps the scenario waited for in this lane, in order. */
  steps: LaneStep[]
  facts: LaneFacts
  /**
   * Set when this lane could not be read back or reconciled (judged scenarios only): its verdict
   * is then empty and must not be read as clean.
   */
  unreconciled?: string
  /** The lane producer's ledger: what was reconciled. */
  ledger: Ledger
  /** The lane's topic as read back (without the harness's own records). */
  log: TopicLog
  verdict: Verdict
  /**
   * Sent minus found: records absent from the log whatever the producer was told. For acks=0,
   * which has no acknowledgements (so `lost` is always 0), this is the only measure of loss; it
   * equals `unknownAbsent` plus the failed sends that are absent.
   */
  absent: number
  row: ScenarioResult
}

/** What one story showed, lane by lane. */
export class Outcome {
  constructor(
    readonly scenario: string,
    readonly leader: number,
    readonly lanes: readonly LaneResult[],
    readonly faults: readonly FaultWindow[],
  ) {}

  /**
   * When the scenario's (first) fault was in force: apply() had returned (a killed leader was
   * gone). Records sent between the signal and that moment may still have reached it.
   */
  get faultAt(): number {
    const first = this.faults[0]
    if (!first) throw new NoSuchLaneError(`story '${this.scenario}' applied no fault, so it has no fault time: read faultAt only of a story that applies one`)
    return first.inForceAt ?? first.appliedAt
  }

  /** The lane of a variant (a config's name). */
  variant(name: string): LaneResult {
    return this.find((l) => l.variant === name, `'${name}'`)
  }

  lane(name: AcksName): LaneResult {
    return this.find((l) => l.acks === LEVELS[name], `acks=${name}`)
  }

  private find(match: (l: LaneResult) => boolean, what: string): LaneResult {
    const lane = this.lanes.find(match)
    if (!lane) throw new NoSuchLaneError(`story '${this.scenario}' ran no lane ${what} (it ran ${this.lanes.map((l) => l.variant).join(', ')}): pass that profile to the story`)
    return lane
  }

  get rows(): ScenarioResult[] {
    return this.lanes.map((l) => l.row)
  }
}

/** A lane or a fault a test asked of an outcome that the story did not have. */
export class NoSuchLaneError extends HarnessError {
  override name = 'NoSuchLaneError'
}

/** What a story's lanes are: its name, and the producers to run side by side. */
export interface LaneScenario {
  scenario: string
  /** The producers, one lane each (default: the acks scenarios' producer at acks=all, 1 and 0). */
  profiles?: readonly Profile[]
  /** Partitions of each lane's topic (default LANE_PARTITIONS). */
  partitions?: number
}

/** What an engine's story names besides its lanes: the fault, aimed at the node that leads every lane. */
export interface FaultScenario extends LaneScenario {
  fault: (leader: number) => Fault
}

/** What a scenario's hooks see. */
export interface LaneScene {
  readonly cluster: Cluster
  /** The node leading every partition of every lane when the scenario began. */
  readonly leader: number
  readonly lanes: readonly Lane[]
}

/**
 * One story's run, side by side: opens one fresh topic per profile (all led by the first node, in
 * every story), keeps the fault windows, the steps each lane lived and the time to a new leader,
 * and settles into an Outcome. Opened by Lab.lanes().
 */
export class SideBySide implements LaneScene {
  readonly since = Date.now()
  readonly faults: FaultWindow[] = []
  private timeToNewLeaderMs: number | undefined
  private readonly steps = new Map<string, LaneStep[]>()
  private readonly facts = new Map<string, LaneFacts>()

  private constructor(
    readonly lab: Lab,
    readonly scenario: string,
    readonly leader: number,
    readonly lanes: readonly Lane[],
  ) {}

  get cluster(): Cluster {
    return this.lab.cluster
  }

  /** Judged lanes (the gate): see LabOptions.judged. */
  get judged(): boolean {
    return this.lab.judged
  }

  static async open(lab: Lab, s: LaneScenario): Promise<SideBySide> {
    const cluster = lab.cluster
    const leader = cluster.nodeIds[0] as number
    const profiles = s.profiles ?? ALL_ACKS.map(acksProfile)
    const slug = (t: string) => t.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40)
    const lanes = profiles.map((profile) => ({ acks: profile.producer.acks, variant: profile.variant, profile, topic: freshName(`${lab.suite}-${slug(s.scenario)}-${slug(profile.variant)}`) }))
    for (const lane of lanes) await cluster.createTopic(lane.topic, { partitions: s.partitions ?? LANE_PARTITIONS, leader })
    return new SideBySide(lab, s.scenario, leader, lanes)
  }

  /**
   * Waits, lane by lane and all at once, until `probe` holds for each of `lanes` (default every
   * lane), and records the step in each lane. A lane for which `notApplicable` returns a reason is
   * not awaited. When a lane's wait runs out: judged, the step is recorded as unmet and the others
   * go on; otherwise the WaitTimeoutError fails the scenario. Returns the lanes where it held.
   */
  async eachLane<L extends Lane>(
    lanes: readonly L[],
    what: (lane: L) => string,
    probe: (lane: L) => unknown,
    opts: WaitOptions & { notApplicable?: (lane: L) => string | undefined },
  ): Promise<L[]> {
    const held = await Promise.all(
      lanes.map(async (lane): Promise<boolean> => {
        const step = { what: what(lane) }
        const na = opts.notApplicable?.(lane)
        if (na !== undefined) {
          this.stepsOf(lane).push({ ...step, met: false, notApplicable: na })
          return false
        }
        try {
          await waitFor(`${lane.variant}: ${step.what}`, () => probe(lane), opts)
          this.stepsOf(lane).push({ ...step, met: true })
          return true
        } catch (e) {
          if (!(this.judged && e instanceof WaitTimeoutError)) throw e
          this.stepsOf(lane).push({ ...step, met: false, observed: `not within ${e.timeoutMs} ms; last observed: ${e.lastObserved}` })
          return false
        }
      }),
    )
    return lanes.filter((_, i) => held[i])
  }

  /** Records a fact the scenario measured in a lane. */
  note(lane: Lane, facts: LaneFacts): void {
    this.facts.set(lane.topic, { ...this.facts.get(lane.topic), ...facts })
  }

  private stepsOf(lane: Lane): LaneStep[] {
    let steps = this.steps.get(lane.topic)
    if (!steps) this.steps.set(lane.topic, (steps = []))
    return steps
  }

  get topics(): string[] {
    return this.lanes.map((l) => l.topic)
  }

  /** Throws PreconditionError unless every partition of every lane still has its full ISR. */
  async expectFullIsr(why: string): Promise<void> {
    const parts = (await Promise.all(this.topics.map((t) => this.cluster.partitions(t)))).flat()
    const shrunk = parts.filter((p) => p.isr.length !== p.replicas.length)
    precondition(shrunk.length === 0, `${why}, but the ISR already shrank: ${shrunk.map(describePartition).join('; ')}`)
  }

  /**
   * Applies `fault` (e.g. SIGKILL the leader), waits until every lane's partitions are led by
   * another node (the time it took goes in the matrix), then heals it (the old leader restarts).
   */
  failover(fault: Fault): Promise<void> {
    return this.withFault(fault, () => this.newLeader())
  }

  /** Applies `fault` while `body` runs, heals it whatever happens (or when `body` calls `heal`), and records its window. */
  withFault<T>(fault: Fault, body: (heal: () => Promise<void>) => Promise<T>): Promise<T> {
    return withFault(this.cluster, fault, body, this.faults)
  }

  /**
   * Waits until every partition of every lane is led by a node other than the leader; the time
   * since the latest fault was applied is the matrix's time to a new leader.
   */
  async newLeader(): Promise<void> {
    const seen = await waitForLeadersOff(this.cluster, this.topics, this.leader)
    this.timeToNewLeaderMs = seen - (this.faults.at(-1)?.appliedAt ?? seen)
  }

  /**
   * Reads every lane back (in lane order, each with its producer's ledger and the records the
   * harness itself wrote to its topic, which are left out of the reading), reconciles, and builds
   * the matrix rows.
   */
  async settle(written: readonly { ledger: Ledger; harness?: readonly Ledger[] }[]): Promise<Outcome> {
    const nodeEvents = this.cluster.events.filter((e) => e.at >= this.since)
    const results = await Promise.all(
      this.lanes.map(async (lane, i): Promise<LaneResult> => {
        const { ledger, harness = [] } = written[i] ?? {}
        if (!ledger) throw new Error(`internal: settle() was given no ledger for lane ${lane.variant} of '${this.scenario}' (one per lane, in lane order)`)
        const harnessIds = new Set(harness.flatMap((l) => l.entries.map((e) => e.id)))
        const steps = this.steps.get(lane.topic) ?? []
        const facts = this.facts.get(lane.topic) ?? {}
        let read: { log: TopicLog; verdict: Verdict }
        let unreconciled: string | undefined
        try {
          read = await readBack(this.cluster, ledger, harnessIds)
        } catch (e) {
          if (!this.judged) throw e
          unreconciled = `could not be read back and reconciled: ${(e as Error).message}`
          read = { log: { topic: lane.topic, readAt: Date.now(), isolation: 'read_committed', partitions: [], records: [] }, verdict: reconcile(ledger, { records: [] }) }
        }
        const { log, verdict } = read
        const row = scenarioResult({
          suite: this.lab.suite,
          scenario: this.scenario,
          variant: lane.variant,
          client: lane.profile.client ?? 'kafkajs',
          ledger,
          verdict,
          faults: this.faults,
          nodeEvents,
          ...(this.timeToNewLeaderMs === undefined ? {} : { timeToNewLeaderMs: this.timeToNewLeaderMs }),
          notes: {
            leader: this.leader,
            unknownAbsent: verdict.anomalies.unknownAbsent.count,
            ...(harnessIds.size ? { harnessRecords: harnessIds.size } : {}),
          },
        })
        return { ...lane, steps, facts, ...(unreconciled === undefined ? {} : { unreconciled }), ledger, log, verdict, absent: row.counts.absent, row }
      }),
    )
    for (const lane of results) this.lab.results?.add(lane.row)
    return new Outcome(this.scenario, this.leader, results, this.faults)
  }
}

/** Leader changes away from `leader` that the producer saw in its own metadata (ledger events). */
export function leaderChangesSeen(ledger: Ledger, leader: number): number {
  return ledger.events.filter((e) => e.type === 'leader-change' && e.detail?.from === leader).length
}
