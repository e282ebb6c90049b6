/**
 * A planned fault made real: its role resolved to a node when it is applied (the lanes' leader,
 * one of its followers, or the active KRaft controller), then the catalogue's fault for its kind
 * (harness/faults) on that node. Latency and bandwidth limits are the catalogue's ProxyFault with
 * Toxiproxy's `latency` and `bandwidth` toxics.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { DEADLINES, waitFor, type Cluster } from '../cluster/index.js'
import { HarnessError } from '../errors.js'
import { cutLine, cutReplication, dropResponsesOn, killNode, nodePaths, pauseNode, ProxyFault, resetPeerOn, stopNode, type ClientLine, type Fault } from '../faults/index.js'
import type { FaultKind, PlannedFault, Role } from './schedule.js'

/** Where a planned fault's role is looked up: the partition every lane's leader leads (partition 0 of the first lane's topic). */
export interface Aim {
  topic: string
  partition: number
  /** The lanes' client line, for the faults on the lanes' own connections. */
  line: ClientLine
}

/**
 * The active KRaft controller, from the nodes' server logs: the leader of the highest quorum
 * epoch any node has logged a transition into ("Completed transition to Leader(... epoch=E" or
 * "FollowerState(... epoch=E, leader=L"). Kafka's admin API (and kafkajs) does not name it: a
 * KRaft broker answers metadata with a random broker as "controller".
 */
export function activeControllerFromLogs(cluster: Cluster): { node: number; epoch: number } | undefined {
  let best: { node: number; epoch: number } | undefined
  const see = (node: number, epoch: number) => {
    if (!best || epoch > best.epoch) best = { node, epoch }
  }
  for (const n of cluster.nodes) {
    const dir = dirname(n.serverLog)
    if (!existsSync(dir)) continue
    const files = readdirSync(dir).filter((f) => f.startsWith(basename(n.serverLog)))
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8')
      for (const m of text.matchAll(/\[RaftManager id=(\d+)\] Completed transition to Leader\(.*?, epoch=(\d+)/g)) see(Number(m[1]), Number(m[2]))
      for (const m of text.matchAll(/Completed transition to FollowerState\(fetchTimeoutMs=\d+, epoch=(\d+), leader=(\d+)/g)) see(Number(m[2]), Number(m[1]))
    }
  }
  return best
}

/** Resolves a role to the node that holds it now (the controller: a running one). */
export async function resolveRole(cluster: Cluster, role: Role, aim: Aim): Promise<number> {
  if (role === 'leader') return cluster.waitForLeader(aim.topic, aim.partition)
  if (role === 'follower') {
    const p = await cluster.partition(aim.topic, aim.partition)
    const node = p.isr.find((r) => r !== p.leader) ?? p.replicas.find((r) => r !== p.leader)
    if (node === undefined) throw new HarnessError(`no follower of ${aim.topic}-${aim.partition} to aim at: replicas [${p.replicas.join(', ')}], leader ${p.leader}`)
    return node
  }
  return waitFor(
    'the active KRaft controller (the leader of the highest quorum epoch in the nodes\' server logs) to be a running node',
    async () => {
      const c = activeControllerFromLogs(cluster)
      if (!c) throw new Error('no quorum transition logged yet')
      const state = await cluster.state(c.node)
      if (state !== 'running') throw new Error(`node ${c.node} (epoch ${c.epoch}) is ${state}`)
      return c.node
    },
    { timeoutMs: DEADLINES.leader, maxIntervalMs: 250 },
  )
}

function faultOn(p: PlannedFault, node: number, line: ClientLine): Fault {
  const make: Record<FaultKind, () => Fault> = {
    kill: () => killNode(node),
    stop: () => stopNode(node),
    pause: () => pauseNode(node),
    'cut-replication': () => cutReplication(node),
    'cut-client': () => cutLine(line, node),
    'reset-peer': () => resetPeerOn(line, node),
    'drop-answers': () => dropResponsesOn(line, node),
    latency: () => new ProxyFault('latency', node, nodePaths([p.path ?? 'client']), `${p.latencyMs} ms latency`, { type: 'latency', stream: 'downstream', attributes: { latency: p.latencyMs ?? 500, jitter: 0 } }),
    bandwidth: () => new ProxyFault('bandwidth', node, nodePaths([p.path ?? 'client']), `${p.rateKBps} KB/s bandwidth limit`, { type: 'bandwidth', stream: 'downstream', attributes: { rate: p.rateKBps ?? 16 } }),
  }
  return make[p.kind]()
}

/** A planned fault as a catalogue Fault: apply() resolves its role, then applies the fault for its kind on that node. */
export class PlannedFaultOn implements Fault {
  private inner: Fault | undefined
  private node: number | undefined

  constructor(
    readonly planned: PlannedFault,
    private readonly aim: Aim,
  ) {}

  get name(): string {
    return `${this.planned.id} ${this.planned.kind}`
  }

  /** The node it hit, once applied. */
  get hit(): number | undefined {
    return this.node
  }

  describe(): string {
    return `${this.planned.id}: ${this.inner?.describe() ?? this.planned.kind} (the ${this.planned.role}${this.node === undefined ? '' : `, node ${this.node}`})`
  }

  async apply(cluster: Cluster): Promise<void> {
    this.node = await resolveRole(cluster, this.planned.role, this.aim)
    this.inner = faultOn(this.planned, this.node, this.aim.line)
    await this.inner.apply(cluster)
  }

  async heal(cluster: Cluster): Promise<void> {
    await this.inner?.heal(cluster)
  }
}
