import { join } from 'node:path'
import { Kafka, type Admin, type ITopicConfig, type KafkaConfig } from 'kafkajs'
import type { Proxy } from 'toxiproxy-node-client'
import { CLIENT_LOG_LEVEL, fileLogCreator } from './client-log.js'
import { ContainersControl } from './containers/index.js'
import { LineSlots } from './lines.js'
import { NativeControl } from './native.js'
import { healCuts } from './partition.js'
import { tail } from './process.js'
import { Topology } from './toxiproxy.js'
import type { ClusterDescriptor, NodeControl, NodeDescriptor, NodeState, PathName } from './types.js'
import { waitFor } from './wait.js'

export interface PartitionState {
  topic: string
  partition: number
  /** -1 while no leader is elected. */
  leader: number
  isr: number[]
  replicas: number[]
  offline: number[]
}

/** A process-level action on a node, with when it happened: the cluster's side of a timeline. */
export interface NodeEvent {
  at: number
  node: number
  action: 'kill' | 'stop' | 'pause' | 'resume' | 'start'
}

export interface TopicOptions {
  partitions?: number
  replicationFactor?: number
  /**
   * The node to lead every partition: it is listed first among each partition's replicas (all
   * nodes, so replicationFactor is ignored), and the wait also waits until it leads them all.
   */
  leader?: number
  /** Topic configs; min.insync.replicas defaults to 2 and unclean.leader.election.enable to false. */
  configs?: Record<string, string>
}

/** Default deadlines (ms) of the waits; tuned for three JVMs on two cores. */
export const DEADLINES = {
  registered: 90_000,
  leader: 30_000,
  isr: 60_000,
  fenced: 30_000,
}

/**
 * A started cluster: addresses, nodes, proxies, live metadata and actions. Built from a
 * ClusterDescriptor in any process (the globalSetup that started it, or a test file).
 */
export class Cluster {
  readonly topology: Topology
  /** The client lines (LINEk listeners and their proxies) that harness/faults/client-line.ts hands out. */
  readonly lines: LineSlots
  readonly events: NodeEvent[] = []
  private adminClient: Promise<Admin> | undefined
  private clients = 0

  constructor(
    readonly descriptor: ClusterDescriptor,
    readonly control: NodeControl,
  ) {
    this.topology = new Topology(descriptor.toxiproxyApi)
    this.lines = new LineSlots(descriptor, this.topology)
  }

  static connect(d: ClusterDescriptor, control?: NodeControl): Cluster {
    if (control) return new Cluster(d, control)
    if (d.provider === 'native') return new Cluster(d, new NativeControl(d))
    if (d.provider === 'containers') return new Cluster(d, new ContainersControl(d))
    throw new Error(`provider '${d.provider}' needs its NodeControl passed to Cluster.connect`)
  }

  get bootstrap(): string[] {
    return this.descriptor.bootstrap
  }
  get nodes(): readonly NodeDescriptor[] {
    return this.descriptor.nodes
  }
  get nodeIds(): number[] {
    return this.descriptor.nodes.map((n) => n.id)
  }
  node(id: number): NodeDescriptor {
    const n = this.descriptor.nodes.find((x) => x.id === id)
    if (!n) throw new Error(`no node ${id}; nodes are ${this.nodeIds.join(', ')}`)
    return n
  }

  /** A new kafkajs client whose only addresses are the client proxies. Its log goes to the run folder. */
  kafka(config: Partial<KafkaConfig> = {}): Kafka {
    const name = config.clientId ?? `client-${++this.clients}`
    return new Kafka({
      clientId: name,
      brokers: this.bootstrap,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      logLevel: CLIENT_LOG_LEVEL,
      logCreator: fileLogCreator(join(this.descriptor.runDir, 'kafkajs.log'), name),
      ...config,
    })
  }

  /** The harness's own admin client (short timeouts: the waits retry). */
  admin(): Promise<Admin> {
    this.adminClient ??= (async () => {
      const a = this.kafka({ clientId: 'harness-admin', requestTimeout: 3_000, retry: { retries: 1, initialRetryTime: 100, maxRetryTime: 500 } }).admin()
      await a.connect()
      return a
    })()
    return this.adminClient
  }

  proxy(nodeId: number, path: PathName): Promise<Proxy> {
    return this.topology.proxy(this.node(nodeId), path)
  }

  /**
   * Every proxy in front of the node's path: for the client path, its client proxy and each client
   * line's, so that cutting a node's client path cuts every client, on a line or not.
   */
  pathProxies(nodeId: number, path: PathName): Promise<Proxy[]> {
    return this.topology.pathProxies(this.node(nodeId), path)
  }

  // ---- live metadata ----------------------------------------------------------------------

  /** Ids of the brokers registered and unfenced, as the metadata says now. */
  async brokers(): Promise<number[]> {
    const { brokers } = await (await this.admin()).describeCluster()
    return brokers.map((b) => b.nodeId).sort((a, b) => a - b)
  }

  async partitions(topic: string): Promise<PartitionState[]> {
    const md = await (await this.admin()).fetchTopicMetadata({ topics: [topic] })
    const t = md.topics[0]
    if (!t) throw new Error(`no metadata for topic ${topic}`)
    return t.partitions
      .map((p) => ({
        topic,
        partition: p.partitionId,
        leader: p.leader,
        isr: [...p.isr].sort((a, b) => a - b),
        replicas: [...p.replicas].sort((a, b) => a - b),
        offline: [...(p.offlineReplicas ?? [])].sort((a, b) => a - b),
      }))
      .sort((a, b) => a.partition - b.partition)
  }

  async partition(topic: string, partition: number): Promise<PartitionState> {
    const p = (await this.partitions(topic)).find((x) => x.partition === partition)
    if (!p) throw new Error(`topic ${topic} has no partition ${partition}`)
    return p
  }

  async leaderOf(topic: string, partition: number): Promise<number> {
    return (await this.partition(topic, partition)).leader
  }

  async topics(): Promise<string[]> {
    return (await (await this.admin()).listTopics()).sort()
  }

  // ---- node actions -----------------------------------------------------------------------

  state(id: number): Promise<NodeState> {
    return this.control.state(id)
  }
  private note(node: number, action: NodeEvent['action']): void {
    this.events.push({ at: Date.now(), node, action })
  }
  /** SIGKILL the node; resolves when its process is gone. */
  async kill(id: number): Promise<void> {
    this.note(id, 'kill')
    await this.control.kill(id)
  }
  /** SIGTERM: controlled shutdown; resolves when the process has exited. */
  async stop(id: number): Promise<void> {
    this.note(id, 'stop')
    await this.control.stop(id)
  }
  async pause(id: number): Promise<void> {
    this.note(id, 'pause')
    await this.control.pause(id)
  }
  async resume(id: number): Promise<void> {
    this.note(id, 'resume')
    await this.control.resume(id)
  }
  /** Starts a stopped node and waits until it is registered again. */
  async start(id: number): Promise<void> {
    this.note(id, 'start')
    await this.control.start(id)
    await this.waitForBrokers([id])
  }

  // ---- waits on observable state ----------------------------------------------------------

  async waitForBrokers(ids: number[] = this.nodeIds, timeoutMs = DEADLINES.registered): Promise<void> {
    await waitFor(
      `brokers ${ids.join(', ')} to be registered and unfenced`,
      async () => {
        const live = await this.brokers()
        const missing = ids.filter((i) => !live.includes(i))
        if (missing.length) throw new Error(`registered: [${live.join(', ')}], missing: [${missing.join(', ')}]`)
      },
      { timeoutMs },
    )
  }

  async waitForFenced(id: number, timeoutMs = DEADLINES.fenced): Promise<void> {
    await waitFor(
      `broker ${id} to be fenced (gone from the metadata's broker list)`,
      async () => {
        const live = await this.brokers()
        if (live.includes(id)) throw new Error(`registered: [${live.join(', ')}]`)
      },
      { timeoutMs },
    )
  }

  /**
   * Waits until the partition has a leader (optionally not `notOn`, the node just killed) and
   * returns it.
   */
  async waitForLeader(topic: string, partition: number, opts: { notOn?: number; timeoutMs?: number } = {}): Promise<number> {
    return waitFor(
      `partition ${topic}-${partition} to be led${opts.notOn === undefined ? '' : ` by a node other than ${opts.notOn}`}`,
      async () => {
        const p = await this.partition(topic, partition)
        if (p.leader < 0 || p.leader === opts.notOn) throw new Error(`leader ${p.leader}, ISR [${p.isr.join(', ')}]`)
        return p.leader
      },
      { timeoutMs: opts.timeoutMs ?? DEADLINES.leader },
    )
  }

  /**
   * Waits until the ISR of each partition (all, or those given) has `size` members ('full': as
   * many as its replicas), every partition is led, and optionally `without` is out of every ISR.
   */
  async waitForIsr(
    topic: string,
    size: number | 'full',
    opts: { partitions?: number[]; without?: number; timeoutMs?: number } = {},
  ): Promise<PartitionState[]> {
    const what = `ISR of ${topic}${opts.partitions ? ` partitions ${opts.partitions.join(', ')}` : ''} to be ${size === 'full' ? 'full' : `${size} nodes`}${opts.without === undefined ? '' : ` without node ${opts.without}`}`
    return waitFor(
      what,
      async () => {
        const all = await this.partitions(topic)
        const parts = opts.partitions ? all.filter((p) => opts.partitions?.includes(p.partition)) : all
        const bad = parts.filter(
          (p) => p.leader < 0 || p.isr.length !== (size === 'full' ? p.replicas.length : size) || (opts.without !== undefined && p.isr.includes(opts.without)),
        )
        if (bad.length) throw new Error(bad.map(describePartition).join('; '))
        return parts
      },
      { timeoutMs: opts.timeoutMs ?? DEADLINES.isr },
    )
  }

  // ---- topics -----------------------------------------------------------------------------

  /**
   * Creates a topic (RF=3, min.insync.replicas=2 unless told otherwise), waits for full ISR (and,
   * given `leader`, until that node leads every partition).
   */
  async createTopic(name: string, opts: TopicOptions = {}): Promise<PartitionState[]> {
    const configs = { 'min.insync.replicas': '2', 'unclean.leader.election.enable': 'false', ...opts.configs }
    const { leader } = opts
    if (leader !== undefined) this.node(leader)
    const placement =
      leader === undefined
        ? { numPartitions: opts.partitions ?? 3, replicationFactor: opts.replicationFactor ?? 3 }
        : { replicaAssignment: Array.from({ length: opts.partitions ?? 3 }, (_, partition) => ({ partition, replicas: [leader, ...this.nodeIds.filter((id) => id !== leader)] })) }
    const spec: ITopicConfig = { topic: name, ...placement, configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }
    const admin = await this.admin()
    await waitFor(`topic ${name} to be created`, async () => {
      const existing = await admin.listTopics()
      if (existing.includes(name)) return
      await admin.createTopics({ topics: [spec], waitForLeaders: false, timeout: 10_000 })
      throw new Error('created; checking')
    }, { timeoutMs: DEADLINES.leader })
    let parts = await this.waitForIsr(name, 'full')
    if (leader !== undefined) {
      parts = await waitFor(`every partition of ${name} to be led by node ${leader}`, async () => {
        const now = await this.partitions(name)
        const off = now.filter((p) => p.leader !== leader)
        if (off.length) throw new Error(off.map(describePartition).join('; '))
        return now
      }, { timeoutMs: DEADLINES.leader })
    }
    // The metadata names the leader a moment before it serves: a producer that does not retry
    // would be told NOT_LEADER_OR_FOLLOWER.
    await this.waitForLeadersServing(name)
    return parts
  }

  /**
   * Waits until every partition's leader answers for it. The controller's metadata can name a
   * leader a moment before that broker has applied it (it then answers NOT_LEADER_OR_FOLLOWER to
   * a produce); ListOffsets goes to each leader and passes the same leadership check, without
   * writing anything.
   */
  async waitForLeadersServing(topic: string, timeoutMs = DEADLINES.leader): Promise<void> {
    const admin = await this.admin()
    await waitFor(`every leader of ${topic} to serve its partition`, () => admin.fetchTopicOffsets(topic), { timeoutMs })
  }

  // ---- heal -------------------------------------------------------------------------------

  /**
   * Returns the cluster to health: removes a partition's cuts (partition.ts) and every toxic,
   * re-enables every proxy (but those of client lines nobody holds), resumes paused nodes, starts
   * stopped ones, then waits until every broker is registered and every partition of every topic
   * is led with its full ISR.
   */
  async heal(timeoutMs = DEADLINES.isr): Promise<void> {
    await healCuts(this.descriptor)
    await this.topology.reset()
    await this.lines.disableFree()
    const stopped: number[] = []
    for (const id of this.nodeIds) {
      const s = await this.state(id)
      if (s === 'paused') await this.resume(id)
      if (s === 'stopped') stopped.push(id)
    }
    // Together: a node finishes starting only once a quorum of controllers is up.
    await Promise.all(
      stopped.map((id) => {
        this.note(id, 'start')
        return this.control.start(id)
      }),
    )
    await this.waitForBrokers(this.nodeIds, timeoutMs)
    await waitFor(
      'every partition of every topic to be led with its full ISR',
      async () => {
        const topics = await this.topics()
        const md = await (await this.admin()).fetchTopicMetadata({ topics })
        const bad = md.topics.flatMap((t) =>
          t.partitions.filter((p) => p.leader < 0 || p.isr.length !== p.replicas.length).map((p) => `${t.name}-${p.partitionId}: leader ${p.leader}, ISR [${p.isr.join(', ')}] of [${p.replicas.join(', ')}]`),
        )
        if (bad.length) throw new Error(bad.slice(0, 5).join('; ') + (bad.length > 5 ? `; and ${bad.length - 5} more` : ''))
      },
      { timeoutMs },
    )
  }

  /** The log files of every node and the last lines of each, for failure reports. */
  logTails(lines = 20): string {
    return this.nodes
      .map((n) => `--- node ${n.id}: ${n.serverLog}\n${tail(n.serverLog, lines)}\n--- node ${n.id} output: ${n.outputLog}\n${tail(n.outputLog, 5)}`)
      .join('\n')
  }

  /** Disconnects the harness's clients (the cluster keeps running). */
  async close(): Promise<void> {
    const a = this.adminClient
    this.adminClient = undefined
    if (a) await (await a).disconnect()
  }
}

export function describePartition(p: PartitionState): string {
  return `${p.topic}-${p.partition}: leader ${p.leader}, ISR [${p.isr.join(', ')}] of [${p.replicas.join(', ')}]${p.offline.length ? `, offline [${p.offline.join(', ')}]` : ''}`
}
