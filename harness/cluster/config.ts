import { randomBytes } from 'node:crypto'
import { ConfigError } from '../errors.js'
import type { PartitionMode } from './partition.js'

/**
 * Broker settings that differ from Kafka's production defaults, with both values and the reason.
 * The table in docs/running.md is printed from this list (npx tsx scripts/settings-table.ts) and tests/unit/readme-settings.test.ts keeps them equal.
 */
export const TUNED_SETTINGS: ReadonlyArray<{ key: string; value: string; kafkaDefault: string; why: string }> = [
  { key: 'default.replication.factor', value: '3', kafkaDefault: '1', why: 'every test topic is RF=3' },
  { key: 'min.insync.replicas', value: '2', kafkaDefault: '1', why: 'acks=all means "on at least two nodes"' },
  { key: 'unclean.leader.election.enable', value: 'false', kafkaDefault: 'false', why: 'stated explicitly: an out-of-sync replica never becomes leader' },
  { key: 'auto.leader.rebalance.enable', value: 'false', kafkaDefault: 'true', why: 'leaders must not move by themselves during a scenario' },
  { key: 'auto.create.topics.enable', value: 'false', kafkaDefault: 'true', why: 'a typo in a topic name fails instead of creating an RF=3 default topic' },
  { key: 'broker.heartbeat.interval.ms', value: '250', kafkaDefault: '2000', why: 'a dead broker is noticed in seconds' },
  { key: 'broker.session.timeout.ms', value: '2000', kafkaDefault: '9000', why: 'the controller fences a silent broker (and moves its leaders) after 2 s' },
  { key: 'replica.lag.time.max.ms', value: '5000', kafkaDefault: '30000', why: 'a follower that cannot fetch leaves the ISR after 5 s; long enough to act while it is still in' },
  { key: 'replica.socket.timeout.ms', value: '5000', kafkaDefault: '30000', why: 'a follower gives up on a stalled fetch quickly' },
  { key: 'controller.quorum.fetch.timeout.ms', value: '1000', kafkaDefault: '2000', why: 'a dead active controller is replaced in about a second (then its broker is fenced)' },
  { key: 'controller.quorum.election.timeout.ms', value: '500', kafkaDefault: '1000', why: 'same' },
  { key: 'group.initial.rebalance.delay.ms', value: '0', kafkaDefault: '3000', why: 'the reader joins its group at once' },
  { key: 'offsets.topic.num.partitions', value: '3', kafkaDefault: '50', why: 'boot time; three JVMs share two cores' },
  { key: 'transaction.state.log.num.partitions', value: '3', kafkaDefault: '50', why: 'boot time' },
  { key: 'transaction.state.log.min.isr', value: '2', kafkaDefault: '2', why: 'stated explicitly' },
  { key: 'num.network.threads', value: '2', kafkaDefault: '3', why: 'three JVMs share two cores' },
  { key: 'num.io.threads', value: '2', kafkaDefault: '8', why: 'three JVMs share two cores' },
  { key: 'background.threads', value: '2', kafkaDefault: '10', why: 'three JVMs share two cores' },
  { key: 'num.recovery.threads.per.data.dir', value: '1', kafkaDefault: '2', why: 'three JVMs share two cores' },
  { key: 'log.cleaner.threads', value: '1', kafkaDefault: '1', why: 'stated explicitly' },
  { key: 'log.dirs', value: '<run>/node-N/data', kafkaDefault: '/tmp/kraft-combined-logs', why: 'one folder per run, removed afterwards' },
]

/** JVM options for each broker: small heap and a cheap collector, since three JVMs share two cores. */
export const JVM_OPTIONS: readonly string[] = [
  '-Xms256m',
  '-Xmx512m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
]

/** What a cluster should look like: the configured object, validated before anything starts. */
export interface ClusterSpec {
  /** Number of combined broker+controller nodes (RF is at most this). Default 3. */
  nodes: number
  /** Extra broker settings (server.properties), applied over TUNED_SETTINGS. */
  brokerConfig: Record<string, string>
  /** Folder under which this run's folder (configs, data, logs) is made. */
  runsDir: string
  /** Keep the run folder after a run that completed (it is always kept after any other ending). */
  keepRunDir: boolean
  /**
   * 'proxied' (default): clients are given the client proxies. 'direct': clients are given the
   * brokers' own client listeners (the proxies still exist but carry no client traffic); only
   * for measuring what the proxies cost, never for fault scenarios.
   */
  clientPath: 'proxied' | 'direct'
  /**
   * Client lines (harness/faults/client-line.ts): extra client listeners LINE1..LINEn on every
   * node, each advertised at a Toxiproxy proxy of its own, so that a client bootstrapped on line k
   * only ever talks through line k's proxies. How many clients can each have a line at once.
   * Default DEFAULT_LINES; each costs one listener (an acceptor and one network thread) per node.
   */
  lines: number
  /**
   * Native provider: each node in a cgroup of the run's own, so that partition faults can cut
   * node-to-node traffic both ways (harness/cluster/partition.ts). 'auto' (default): when this
   * machine can (root, cgroup v2, nft); 'on': fail the start when it cannot; 'off': never.
   * KAFKA_DURABILITY_PARTITIONS.
   */
  partitions: PartitionMode
  /**
   * Each node's data dir on powerfs (harness/cluster/powerfs.ts, docs/power-loss.md), so a power
   * cut can drop what was not fsynced. Native provider only. Default false.
   */
  powerfs: boolean
}

/**
 * Lines at once in the suite today: one (an idempotency scenario's producer or payment-service
 * process, a gate scenario's lanes, which share one), plus one for tests/cluster/client-line.test.ts,
 * which shows that a fault on one line leaves another untouched.
 */
export const DEFAULT_LINES = 2
/** More lines than this cost more threads than three JVMs on two cores should carry. */
export const MAX_LINES = 8

export function clusterSpec(partial: Partial<ClusterSpec> = {}): ClusterSpec {
  const spec: ClusterSpec = {
    nodes: partial.nodes ?? 3,
    brokerConfig: partial.brokerConfig ?? {},
    runsDir: partial.runsDir ?? '.runs',
    keepRunDir: partial.keepRunDir ?? true,
    clientPath: partial.clientPath ?? 'proxied',
    lines: partial.lines ?? DEFAULT_LINES,
    partitions: partial.partitions ?? 'auto',
    powerfs: partial.powerfs ?? false,
  }
  if (!['auto', 'on', 'off'].includes(spec.partitions)) throw new ConfigError('partitions', "must be 'auto', 'on' or 'off'", spec.partitions)
  if (typeof spec.powerfs !== 'boolean') throw new ConfigError('powerfs', 'must be true or false', spec.powerfs)
  if (!Number.isInteger(spec.lines) || spec.lines < 0 || spec.lines > MAX_LINES) throw new ConfigError('lines', `must be an integer from 0 to ${MAX_LINES} (client lines at once)`, spec.lines)
  if (spec.clientPath !== 'proxied' && spec.clientPath !== 'direct') throw new ConfigError('clientPath', "must be 'proxied' or 'direct'", spec.clientPath)
  if (!Number.isInteger(spec.nodes) || spec.nodes < 1 || spec.nodes > 9) throw new ConfigError('nodes', 'must be an integer from 1 to 9', spec.nodes)
  for (const [k, v] of Object.entries(spec.brokerConfig)) {
    if (typeof v !== 'string') throw new ConfigError(`brokerConfig.${k}`, 'must be a string', v)
    if (/^(listeners|advertised\.listeners|listener\.security\.protocol\.map|listener\.name\.line\d+\..*|node\.id|process\.roles|controller\.quorum\.voters|log\.dirs)$/.test(k)) {
      throw new ConfigError(`brokerConfig.${k}`, 'is set by the harness (it wires every node through Toxiproxy) and cannot be overridden')
    }
  }
  return spec
}

/**
 * A new KRaft cluster id: 16 random bytes in base64url, as Kafka's own, and like Kafka's
 * Uuid.randomUuid never starting with '-' (kafka-storage would read `--cluster-id -x…` as an option).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url')
    if (!id.startsWith('-')) return id
  }
}

/**
 * The cluster shape a run takes from its environment, for runs started by another program (the
 * lifecycle tests start small runs of their own): KAFKA_DURABILITY_NODES (nodes),
 * KAFKA_DURABILITY_LINES (lines), KAFKA_DURABILITY_RUNS_DIR (runsDir) and
 * KAFKA_DURABILITY_PARTITIONS (partitions). Unset means the default.
 */
export function specFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<ClusterSpec> {
  const out: Partial<ClusterSpec> = {}
  const nodes = env.KAFKA_DURABILITY_NODES
  if (nodes !== undefined) {
    if (!/^[1-9]$/.test(nodes)) throw new ConfigError('KAFKA_DURABILITY_NODES', 'must be an integer from 1 to 9', nodes)
    out.nodes = Number(nodes)
  }
  const lines = env.KAFKA_DURABILITY_LINES
  if (lines !== undefined) {
    if (!/^\d+$/.test(lines) || Number(lines) > MAX_LINES) throw new ConfigError('KAFKA_DURABILITY_LINES', `must be an integer from 0 to ${MAX_LINES}`, lines)
    out.lines = Number(lines)
  }
  if (env.KAFKA_DURABILITY_RUNS_DIR) out.runsDir = env.KAFKA_DURABILITY_RUNS_DIR
  const partitions = env.KAFKA_DURABILITY_PARTITIONS
  if (partitions !== undefined) {
    if (partitions !== 'auto' && partitions !== 'on' && partitions !== 'off') throw new ConfigError('KAFKA_DURABILITY_PARTITIONS', "must be 'auto', 'on' or 'off'", partitions)
    out.partitions = partitions
  }
  return out
}

export interface NodePorts {
  /** Ports the broker binds (never used by clients directly). */
  client: number
  replication: number
  controller: number
  /** Line k's listener (LINEk) binds lines[k - 1]. */
  lines: number[]
}
export interface NodeProxyPorts {
  /** Toxiproxy listen ports, advertised to clients and to the other nodes. */
  client: number
  replication: number
  controller: number
  /** Line k's proxy listens on lines[k - 1], advertised on LINEk. */
  lines: number[]
}

/** The listener of client line k (1-based): LINE1, LINE2, … */
export function lineListener(k: number): string {
  return `LINE${k}`
}

/**
 * The listener properties of a node with `lines` client lines besides its three paths: where each
 * listener binds (`bind`), what it advertises (`advertise`: host:port of its Toxiproxy proxy; the
 * controller advertises nothing, its voters are in controller.quorum.voters), and each line
 * listener's network threads. A broker answers metadata with the advertised endpoints of the
 * listener the request came in on, so a client bootstrapped on LINEk is only ever told LINEk
 * proxies. One network thread per line (`listener.name.linek.num.network.threads`, read per
 * listener by Kafka's SocketServer): a line carries one client's traffic.
 */
export function listenerProperties(bind: (listener: string) => string, advertise: (listener: string) => string, lines: number): Record<string, string> {
  const names = Array.from({ length: lines }, (_, i) => lineListener(i + 1))
  const out: Record<string, string> = {
    listeners: ['CLIENT', 'REPLICATION', 'CONTROLLER', ...names].map((l) => `${l}://${bind(l)}`).join(','),
    'advertised.listeners': ['CLIENT', 'REPLICATION', ...names].map((l) => `${l}://${advertise(l)}`).join(','),
    'listener.security.protocol.map': ['CLIENT', 'REPLICATION', 'CONTROLLER', ...names].map((l) => `${l}:PLAINTEXT`).join(','),
  }
  for (const l of names) out[`listener.name.${l.toLowerCase()}.num.network.threads`] = '1'
  return out
}

export function serverProperties(opts: {
  id: number
  listen: NodePorts
  proxied: NodeProxyPorts
  voters: string
  dataDir: string
  extra: Record<string, string>
  /** Where the listeners bind; default 127.0.0.1 (one machine). */
  bindHost?: string
  /** listener → the address it advertises, where not 127.0.0.1 and its proxy's port. */
  advertised?: Readonly<Record<string, string>>
}): string {
  const port = (ports: NodePorts | NodeProxyPorts, listener: string): number => {
    const line = /^LINE(\d+)$/.exec(listener)
    const p = line ? ports.lines[Number(line[1]) - 1] : ports[listener.toLowerCase() as 'client' | 'replication' | 'controller']
    if (p === undefined) throw new ConfigError(`ports of ${listener}`, 'every listener needs a port')
    return p
  }
  const base: Record<string, string> = {
    'process.roles': 'broker,controller',
    'node.id': String(opts.id),
    'controller.quorum.voters': opts.voters,
    ...listenerProperties(
      (l) => `${opts.bindHost ?? '127.0.0.1'}:${port(opts.listen, l)}`,
      (l) => opts.advertised?.[l] ?? `127.0.0.1:${port(opts.proxied, l)}`,
      opts.listen.lines.length,
    ),
    'inter.broker.listener.name': 'REPLICATION',
    'controller.listener.names': 'CONTROLLER',
    'offsets.topic.replication.factor': '3',
    'transaction.state.log.replication.factor': '3',
  }
  for (const s of TUNED_SETTINGS) base[s.key] = s.value
  base['log.dirs'] = opts.dataDir
  Object.assign(base, opts.extra)
  return Object.entries(base).map(([k, v]) => `${k}=${v}`).join('\n') + '\n'
}

export const LOG4J2_PROPERTIES = `# Console (the node's output.log) gets warnings; server.log gets everything at INFO.
rootLogger.level = INFO
rootLogger.appenderRef.console.ref = CONSOLE
rootLogger.appenderRef.console.level = WARN
rootLogger.appenderRef.file.ref = SERVER
appender.console.type = Console
appender.console.name = CONSOLE
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
appender.file.type = File
appender.file.name = SERVER
appender.file.fileName = \${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
`
