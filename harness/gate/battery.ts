/**
 * The fault battery a producer config is gated on: the stories of tests/ (the same functions the
 * tests run), each run once with one lane per config under test (its own producer, its own fresh
 * topic, all led by one node, one fault at one moment for all), then read back and reconciled lane
 * by lane. Lanes are judged on their own (verdict.ts): the lab is judged, so a wait that one lane
 * never satisfies is that lane's unmet step, never another lane's failure, and a story that fails
 * as a whole is recorded as such, so the stories after it still run.
 */
import { startCluster, type Cluster, type ClusterSpec, type OwnedCluster } from '../cluster/index.js'
import { freshName, runStory, type Outcome, type Profile, type Story } from '../engines/index.js'
import { ConfigError, HarnessError } from '../errors.js'
import { leaderKilledUnderLoad } from '../../tests/acks/stories/leader-killed-under-load.js'
import { replicationCutThenKill } from '../../tests/gate/stories/replication-cut-then-kill.js'
import { producerRestart } from '../../tests/gate/stories/producer-restart.js'
import { resetMidProduce } from '../../tests/idempotency/stories/reset-mid-produce.js'
import { responseLostAfterAppend } from '../../tests/idempotency/stories/response-lost.js'
import { runCorrelatedPowerLoss } from '../../tests/power-loss/stories/correlated-power-loss.js'
import { isTransactional, productionProfile, type Claim, type GateConfig } from './config.js'
import { judgeConfig, type ConfigVerdict, type ScenarioRun } from './verdict.js'

export interface GateScenario {
  /** Short and stable, for `--scenarios` / GATE_SCENARIOS. */
  id: string
  name: string
  /** What it does, for the report. */
  story: string
  /** Claims this scenario cannot test for a config, with the reason (e.g. duplicates across producer sessions). */
  exempt?: (c: GateConfig) => Partial<Record<Claim, string>>
  /** The configs it gates (default: all); a scenario no config of a run needs is not run. */
  appliesTo?: (c: GateConfig) => boolean
  /** Runs on a cluster of its own, started with this spec and stopped after, not on the battery's. */
  ownCluster?: Partial<ClusterSpec>
  /** The story, given the configs it gates (their lanes' profiles come in the same order): most need only the profiles. */
  run: (configs: readonly GateConfig[]) => Story
}

export const BATTERY: readonly GateScenario[] = [
  {
    id: 'leader-kill',
    name: 'leader kill under load',
    story: 'SIGKILL the leader while every producer writes at a steady pace; load goes on through the failover and after the old leader is back',
    run: () => leaderKilledUnderLoad,
  },
  {
    id: 'replication-cut-kill',
    name: 'replication cut, then leader kill',
    story: 'followers cannot fetch from the leader while producers write; the leader is SIGKILLed while they are still in the ISR; a follower that lacks the latest writes takes over',
    run: () => replicationCutThenKill,
  },
  {
    id: 'lost-answer',
    name: 'response lost after the append',
    story: "the leader writes a send call's records but its answer never reaches the producer; the connection closes and the producer retries (or, never retrying, fails the call)",
    run: () => responseLostAfterAppend,
  },
  {
    id: 'connection-reset',
    name: 'connections reset mid-produce',
    story: 'under steady load, answers are held until every call in flight is written, then every connection is reset as it is used; the producers retry into the resets',
    run: () => resetMidProduce,
  },
  {
    id: 'producer-restart',
    name: 'producer restart after the write',
    story: 'the producer process dies after the broker wrote its records and before it learned so; a new producer sends them again (a transactional one with the same transactional.id, which fences the dead one)',
    exempt: (c) =>
      isTransactional(c)
        ? {}
        : { noDuplicates: 'idempotence is per producer session: a record resent by a new producer is written again whatever the config; deduplicate downstream by a business id, or write transactionally' },
    run: () => producerRestart,
  },
  {
    id: 'power-loss-all',
    name: 'power loss of every replica',
    story: "the power of every node fails at once under steady load (one rack, one zone): each disk drops what was not fsynced, then all come back together; run only for configs whose failureDomain is 'all-replicas', on a cluster of its own whose data dirs are on powerfs (native provider)",
    appliesTo: (c) => c.failureDomain === 'all-replicas',
    ownCluster: { powerfs: true, lines: 0 },
    run: (configs) => async (lab, profiles) =>
      (await runCorrelatedPowerLoss(lab, profiles.map((profile, i) => ({ profile, topicConfig: topicConfigOf(configs[i] as GateConfig) })))).outcome,
  },
]

/** A config's topicConfig as Kafka's topic configs (strings). */
function topicConfigOf(c: GateConfig): Record<string, string> {
  return Object.fromEntries(Object.entries(c.topicConfig).map(([k, v]) => [k, String(v)]))
}

/** The configs of `configs` that `scenario` gates. */
export function gatedBy(scenario: GateScenario, configs: readonly GateConfig[]): GateConfig[] {
  return scenario.appliesTo ? configs.filter(scenario.appliesTo) : [...configs]
}

/**
 * The scenarios of BATTERY with these ids, in the battery's order (a quick gate: GATE_SCENARIOS,
 * `kafka-durability gate --scenarios`); all of them when `ids` is undefined or empty. A claim no
 * scenario of the subset exercises is judged not exercised, which fails the gate.
 */
export function scenariosNamed(ids: readonly string[] | undefined): readonly GateScenario[] {
  if (ids === undefined || ids.length === 0) return BATTERY
  const unknown = ids.filter((id) => !BATTERY.some((s) => s.id === id))
  if (unknown.length > 0) throw new ConfigError('scenarios', `must be ids of the battery's scenarios: ${BATTERY.map((s) => s.id).join(', ')}`, unknown.join(','))
  return BATTERY.filter((s) => ids.includes(s.id))
}

/**
 * The lane of a config: its client and profile with the client's production retry defaults
 * filled in (whatever NODE_ENV the runner has), including how the application drives it. A
 * transactional config gets a transactional.id of its own per scenario (`transactionalIds`).
 */
export function profileOf(c: GateConfig, transactionalId?: string): Profile {
  const producer = productionProfile(c)
  return { variant: c.name, client: c.client, producer: transactionalId === undefined ? producer : { ...producer, transactionalId } }
}

/** Java's String.hashCode, which Kafka uses to place a transactional.id on a __transaction_state partition. */
function javaHash(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

const TXN_STATE = '__transaction_state'

/**
 * A transactional.id per transactional config for one scenario, derived from the config's own,
 * whose transaction coordinator is not `awayFrom` (the node every lane's fault hits): the fault is
 * on the produce path, as for every other lane, not on the coordinator's. Kafka places an id on
 * partition abs(hashCode(id)) % partitions of __transaction_state, whose leader coordinates it.
 */
export async function transactionalIds(cluster: Cluster, configs: readonly GateConfig[], awayFrom: number): Promise<Map<GateConfig, string>> {
  const out = new Map<GateConfig, string>()
  const txn = configs.filter(isTransactional)
  if (txn.length === 0) return out
  const admin = await cluster.admin()
  if (!(await admin.listTopics()).includes(TXN_STATE)) {
    // The coordinator's topic is created on the first transactional request.
    const probe = cluster.kafka({ clientId: 'gate-transaction-probe' }).producer({ transactionalId: freshName('kd-gate-probe'), idempotent: true, maxInFlightRequests: 1 })
    await probe.connect()
    try {
      await (await probe.transaction()).abort()
    } finally {
      await probe.disconnect()
    }
  }
  const parts = await cluster.partitions(TXN_STATE)
  const tag = freshName('gate')
  txn.forEach((c, i) => {
    const base = `${c.producer.transactionalId}.${tag}-${i}`
    let id = base
    for (let k = 0; k < 64; k++) {
      id = `${base}-${k}`
      const p = Math.abs(javaHash(id)) % parts.length
      if (parts.find((x) => x.partition === p)?.leader !== awayFrom) break
    }
    out.set(c, id)
  })
  return out
}

export interface BatteryProgress {
  scenario: string
  index: number
  of: number
  lanes: number
  phase: 'start' | 'done' | 'failed'
  elapsedMs: number
  error?: string
}

/** What the battery showed: per scenario, its outcome or why it could not run. */
export interface BatteryRun {
  scenarios: { scenario: GateScenario; outcome?: Outcome; error?: string }[]
}

/** Runs every scenario of `battery` once, every config in its own lane. Never throws for a scenario's failure: it is recorded. */
export async function runBattery(
  cluster: Cluster,
  configs: readonly GateConfig[],
  onProgress: (p: BatteryProgress) => void = () => {},
  battery: readonly GateScenario[] = BATTERY,
): Promise<BatteryRun> {
  const names = new Set(configs.map((c) => c.name))
  if (names.size !== configs.length) throw new HarnessError(`config names must be distinct (a config's name names its lane): ${configs.map((c) => c.name).join(', ')}. Rename one of them`)
  const started = Date.now()
  const scenarios: BatteryRun['scenarios'] = []
  const needed = battery.filter((scenario) => gatedBy(scenario, configs).length > 0)
  for (const [index, scenario] of needed.entries()) {
    const gated = gatedBy(scenario, configs)
    const progress = (phase: BatteryProgress['phase'], error?: string) =>
      onProgress({ scenario: scenario.name, index: index + 1, of: needed.length, lanes: gated.length, phase, elapsedMs: Date.now() - started, ...(error ? { error } : {}) })
    progress('start')
    let own: OwnedCluster | undefined
    try {
      if (scenario.ownCluster) own = await startCluster(scenario.ownCluster)
      const on = own?.cluster ?? cluster
      const ids = await transactionalIds(on, gated, on.nodeIds[0] as number)
      const story = scenario.run(gated)
      const outcome = await runStory(on, { suite: 'gate', judged: true }, story, gated.map((c) => profileOf(c, ids.get(c))))
      for (const lane of outcome.lanes) {
        const r = lane.profile.producer
        // The report states the retry settings each lane ran with (the client's production defaults under the config's own).
        lane.row.notes = { ...lane.row.notes, retry: `${r.retries} retries from ${r.retryBackoff?.initialMs} ms, ×${r.retryBackoff?.multiplier} up to ${r.retryBackoff?.maxMs} ms` }
      }
      scenarios.push({ scenario, outcome })
      progress('done')
    } catch (e) {
      const error = `${(e as Error).name}: ${(e as Error).message}`
      scenarios.push({ scenario, error })
      progress('failed', error)
      // Leave the cluster as the next scenario expects it.
      if (!own) await cluster.heal()
    } finally {
      await own?.stop()
    }
  }
  return { scenarios }
}

/** What each scenario gives the judge for one config. */
export function scenarioRuns(run: BatteryRun, config: GateConfig): ScenarioRun[] {
  return run.scenarios.filter(({ scenario }) => gatedBy(scenario, [config]).length > 0).map(({ scenario, outcome, error }) => {
    const lane = outcome?.variant(config.name)
    const otherwise = lane === undefined ? undefined : ranOtherwise(config, lane.ledger.settings)
    return {
      scenario: scenario.name,
      ...(scenario.exempt ? { exempt: scenario.exempt(config) } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(otherwise !== undefined ? { error: `HarnessError: ${otherwise}` } : lane && outcome ? { lane, faults: outcome.faults } : {}),
    }
  })
}

/**
 * Why a lane's producer did not run as its config says, or undefined. The ledger's settings are
 * written by the producer session that sent the lane's records, so they name the client and the
 * profile really used: a story that drove the lane with another client or producer than the
 * config's would otherwise have its lane judged as that config (a harness bug, not a verdict).
 * A lane of several producer sessions (a restart) is checked session by session.
 */
export function ranOtherwise(config: GateConfig, settings: Record<string, unknown>): string | undefined {
  const sessions = Array.isArray(settings.merged) ? (settings.merged as Record<string, unknown>[]) : [settings]
  const meant = profileOf(config).producer as unknown as Record<string, unknown>
  for (const s of sessions) {
    if (s.client !== config.client) return `the lane of ${config.name} ran on the client ${JSON.stringify(s.client)}, not its config's ${JSON.stringify(config.client)}: the scenario did not give the lane's client to its producer`
    const ran = (s.profile ?? {}) as Record<string, unknown>
    for (const [field, value] of Object.entries(meant)) {
      if (field === 'transactionalId' || canonical(ran[field]) === canonical(value)) continue
      return `the lane of ${config.name} ran with producer ${field}=${JSON.stringify(ran[field])}, not its config's ${JSON.stringify(value)}: the scenario did not give the lane's profile to its producer`
    }
  }
  return undefined
}

/** JSON with every object's keys sorted: equal for equal values whatever order their keys were set in. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_key, x: unknown) =>
    x !== null && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  ) ?? 'undefined'
}

/** Every config's verdict over one battery run. */
export function judgeBattery(run: BatteryRun, configs: readonly GateConfig[]): ConfigVerdict[] {
  return configs.map((c) => judgeConfig(c, scenarioRuns(run, c)))
}
