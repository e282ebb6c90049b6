/**
 * What the KRaft quorum and the brokers did during a story, read from each node's server.log
 * (kafkajs has no DescribeQuorum, and the kafka-metadata-quorum tool is not among the cached
 * jars): raft state transitions with their epoch (who is the active controller), a controller
 * fencing a broker, each node replaying a fence, and logs truncated on rejoin. The logs' times
 * are the JVM's local time, as JavaScript reads a date without a zone.
 */
import type { Cluster } from '../../harness/cluster/index.js'
import { readFrom, sizeOf } from '../../harness/cluster/process.js'

export type QuorumEventKind = 'leader' | 'follower' | 'resigned' | 'candidate' | 'prospective' | 'unattached' | 'fencing' | 'fenced' | 'unfenced' | 'metadata truncated' | 'log truncated'

export interface QuorumEvent {
  at: number
  /** The node whose log says it. */
  node: number
  kind: QuorumEventKind
  /** Raft epoch of a transition. */
  epoch?: number
  /** The active controller a follower follows. */
  leader?: number
  /** The broker fenced or unfenced. */
  broker?: number
  /** A truncated log's partition and the offset it was truncated to. */
  partition?: string
  offset?: number
}

const TRANSITION = /^\[(\S+ \S+)\] INFO \[RaftManager id=(\d+)\] Completed transition to (Leader|FollowerState|ResignedState|CandidateState|ProspectiveState|UnattachedState)\((.*)$/
const FENCING = /^\[(\S+ \S+)\] INFO \[QuorumController id=(\d+)\] Fencing broker (\d+) at epoch/
const REPLAYED = /^\[(\S+ \S+)\] INFO \[QuorumController id=(\d+)\] Replayed BrokerRegistrationChangeRecord .*?brokerId=(\d+), brokerEpoch=\d+, fenced=(-?1)/
const RAFT_TRUNCATED = /^\[(\S+ \S+)\] INFO \[RaftManager id=(\d+)\] Truncated to offset (\d+)/
const LOG_TRUNCATED = /^\[(\S+ \S+)\] INFO \[ReplicaFetcher replicaId=(\d+), .*?\] Truncating partition (\S+) with TruncationState\(offset=(\d+), completed=\w+\) due to leader epoch/
const KINDS: Record<string, QuorumEventKind> = { Leader: 'leader', FollowerState: 'follower', ResignedState: 'resigned', CandidateState: 'candidate', ProspectiveState: 'prospective', UnattachedState: 'unattached' }

/** `2026-11-30 19:57:38,446` → ms since the epoch (local time, as the JVM wrote it). */
function time(stamp: string): number {
  return new Date(stamp.replace(' ', 'T').replace(',', '.')).getTime()
}

/** One line of a server.log as a quorum event, if it is one (log truncations only of partitions whose name starts with one of `prefixes`). */
export function parseQuorumLine(line: string, prefixes: readonly string[] = []): QuorumEvent | undefined {
  let m = TRANSITION.exec(line)
  if (m) {
    const rest = m[4] as string
    const epoch = /(?:^|[(, ])epoch=(\d+)/.exec(rest)
    const leader = /(?:^|[(, ])leader=(\d+)/.exec(rest)
    return { at: time(m[1] as string), node: Number(m[2]), kind: KINDS[m[3] as string] as QuorumEventKind, ...(epoch ? { epoch: Number(epoch[1]) } : {}), ...(leader ? { leader: Number(leader[1]) } : {}) }
  }
  if ((m = FENCING.exec(line))) return { at: time(m[1] as string), node: Number(m[2]), kind: 'fencing', broker: Number(m[3]) }
  if ((m = REPLAYED.exec(line))) return { at: time(m[1] as string), node: Number(m[2]), kind: m[4] === '1' ? 'fenced' : 'unfenced', broker: Number(m[3]) }
  if ((m = RAFT_TRUNCATED.exec(line))) return { at: time(m[1] as string), node: Number(m[2]), kind: 'metadata truncated', offset: Number(m[3]) }
  if ((m = LOG_TRUNCATED.exec(line)) && prefixes.some((t) => (m?.[3] as string).startsWith(t))) {
    return { at: time(m[1] as string), node: Number(m[2]), kind: 'log truncated', partition: m[3] as string, offset: Number(m[4]) }
  }
  return undefined
}

/** How an event reads on a timeline. */
export function describeQuorumEvent(e: QuorumEvent): string {
  switch (e.kind) {
    case 'leader':
      return `active controller, epoch ${e.epoch}`
    case 'follower':
      return `follows controller ${e.leader}, epoch ${e.epoch}`
    case 'fencing':
      return `controller fences broker ${e.broker}`
    case 'fenced':
    case 'unfenced':
      return `broker ${e.broker} ${e.kind}`
    case 'metadata truncated':
      return `metadata log truncated to ${e.offset}`
    case 'log truncated':
      return `${e.partition} truncated to ${e.offset}`
    default:
      return `${e.kind}, epoch ${e.epoch}`
  }
}

/**
 * Reads what the nodes' logs say from the moment it is made: `events()` parses what each
 * server.log gained since (never the whole file: the shared cluster's logs grow for the run).
 */
export class QuorumLog {
  private readonly from: Map<number, number>
  constructor(
    private readonly cluster: Cluster,
    /** Log truncations are read only of partitions whose name starts with one of these. */
    private readonly prefixes: readonly string[] = [],
  ) {
    this.from = new Map(cluster.nodes.map((n) => [n.id, sizeOf(n.serverLog)]))
  }

  events(): QuorumEvent[] {
    const out: QuorumEvent[] = []
    for (const n of this.cluster.nodes) {
      for (const line of readFrom(n.serverLog, this.from.get(n.id) ?? 0).split('\n')) {
        const e = parseQuorumLine(line, this.prefixes)
        if (e) out.push(e)
      }
    }
    return out.sort((a, b) => a.at - b.at || a.node - b.node)
  }
}

/**
 * The active controller now and its epoch: the latest Leader transition of the highest epoch in
 * the nodes' logs, read whole (a few MB). Throws when no log has one (the quorum never elected).
 */
export function activeController(cluster: Cluster): { node: number; epoch: number } {
  let best: QuorumEvent | undefined
  for (const n of cluster.nodes) {
    for (const line of readFrom(n.serverLog, 0).split('\n')) {
      if (!line.includes('Completed transition to Leader(')) continue
      const e = parseQuorumLine(line)
      if (e?.epoch !== undefined && (best?.epoch === undefined || e.epoch >= best.epoch)) best = e
    }
  }
  if (best?.epoch === undefined) throw new Error(`no node's server.log says it became the active controller (${cluster.nodes.map((n) => n.serverLog).join(', ')})`)
  return { node: best.node, epoch: best.epoch }
}
