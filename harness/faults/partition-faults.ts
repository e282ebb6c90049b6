import { applyCuts, healCuts, type Cluster, type Cut } from '../cluster/index.js'
import { ConfigError } from '../errors.js'
import { resolveTarget, type Fault, type Target } from './fault.js'

/**
 * Partition faults cut node-to-node traffic by packet filtering (harness/cluster/partition.ts),
 * both ways or one way, on every path at once (replication, the KRaft quorum, heartbeats):
 * unlike the proxy faults, which only cut a node's inbound paths, a partitioned node cannot reach
 * the other side either. Clients (producers, the harness's admin) are on every side: they still
 * reach every node. Native provider only; one partition fault at a time. Heal deletes every cut.
 */
export class PartitionFault implements Fault {
  private applied = false
  private label: string | undefined

  constructor(
    readonly name: string,
    private readonly plan: (cluster: Cluster) => Promise<{ cuts: Cut[]; label: string }>,
    private readonly planned: string,
  ) {}

  describe(): string {
    return this.label ?? this.planned
  }

  async apply(cluster: Cluster): Promise<void> {
    const { cuts, label } = await this.plan(cluster)
    this.label = label
    await applyCuts(cluster.descriptor, cuts) // one nft transaction: in force whole, or not at all
    this.applied = true
  }

  /** Deletes the run's cuts if this fault put them in force (never another fault's). */
  async heal(cluster: Cluster): Promise<void> {
    if (!this.applied) return
    this.applied = false
    await healCuts(cluster.descriptor)
  }
}

type Resolved = { node: number; label: string }

async function resolveAll(cluster: Cluster, targets: readonly Target[]): Promise<Resolved[]> {
  const out: Resolved[] = []
  for (const t of targets) out.push(await resolveTarget(cluster, t))
  return out
}

const ids = (side: readonly Resolved[]): string => `{${side.map((r) => r.node).join(', ')}}`
const labels = (side: readonly Resolved[]): string => side.map((r) => r.label).join(', ')

/** Every cut between two sides, both ways. */
function between(a: readonly Resolved[], b: readonly Resolved[]): Cut[] {
  return a.flatMap((x) => b.flatMap((y) => [{ from: x.node, to: y.node }, { from: y.node, to: x.node }]))
}

function distinct(field: string, sides: readonly Resolved[][], cluster: Cluster): void {
  const all = sides.flat().map((r) => r.node)
  const twice = all.filter((n, i) => all.indexOf(n) !== i)
  if (twice.length) throw new ConfigError(field, 'must name each node once', sides.map(ids).join(' | '))
  const unknown = all.filter((n) => !cluster.nodeIds.includes(n))
  if (unknown.length) throw new ConfigError(field, `names nodes the cluster does not have (its nodes: ${cluster.nodeIds.join(', ')})`, unknown)
}

function nonEmpty(field: string, sides: ReadonlyArray<readonly Target[]>, atLeast: number): void {
  if (sides.length < atLeast || sides.some((s) => s.length === 0)) throw new ConfigError(field, `needs at least ${atLeast} sides, each naming a node`, sides)
}

/**
 * Splits the cluster into groups that cannot reach each other (both ways); every node must be in
 * exactly one group. `partition([[1], [2, 3]])`: node 1 is the minority, 2 and 3 the majority
 * (they keep a KRaft quorum; node 1's controller and broker cannot reach it).
 */
export function partition(groups: ReadonlyArray<readonly Target[]>): PartitionFault {
  nonEmpty('partition(groups)', groups, 2)
  return new PartitionFault(
    'partition',
    async (cluster) => {
      const sides = await Promise.all(groups.map((g) => resolveAll(cluster, g)))
      distinct('partition(groups)', sides, cluster)
      const missing = cluster.nodeIds.filter((n) => !sides.flat().some((r) => r.node === n))
      if (missing.length) throw new ConfigError('partition(groups)', 'must place every node in a group', `nodes ${missing.join(', ')} are in none`)
      const cuts = sides.flatMap((a, i) => sides.slice(i + 1).flatMap((b) => between(a, b)))
      return { cuts, label: `partition ${sides.map(ids).join(' | ')} (${sides.map(labels).join(' | ')}): node-to-node traffic between the groups cut both ways; clients reach every node` }
    },
    `partition ${groups.map((g) => JSON.stringify(g)).join(' | ')}`,
  )
}

/**
 * Cuts a node from every other node, both ways: replication, quorum and heartbeats. Clients still
 * reach it, so a producer keeps writing to it if it leads (unlike the proxy fault `cutPaths`,
 * after which the node still heartbeats to the active controller).
 */
export function isolateFully(target: Target): PartitionFault {
  return new PartitionFault(
    'isolate-fully',
    async (cluster) => {
      const node = await resolveTarget(cluster, target)
      const rest = cluster.nodeIds.filter((n) => n !== node.node).map((n) => ({ node: n, label: `node ${n}` }))
      return { cuts: between([node], rest), label: `${node.label} isolated from nodes ${rest.map((r) => r.node).join(', ')} both ways; clients still reach it` }
    },
    `isolate ${JSON.stringify(target)} fully`,
  )
}

/**
 * `from` cannot reach `to`: every connection `from` opens to `to` (fetching from it as leader,
 * voting for or fetching from its controller, heartbeating to it as active controller) is
 * dropped, while `to` still reaches `from`. One way per connection: a TCP connection needs
 * packets both ways, so "from → to cut" means from's connections, not to's answers on its own.
 */
export function oneWayCut(from: Target, to: Target): PartitionFault {
  return new PartitionFault(
    'one-way-cut',
    async (cluster) => {
      const [a, b] = await resolveAll(cluster, [from, to])
      if (!a || !b) throw new ConfigError('oneWayCut(from, to)', 'needs two nodes')
      distinct('oneWayCut(from, to)', [[a], [b]], cluster)
      return { cuts: [{ from: a.node, to: b.node }], label: `${a.label} cannot reach ${b.label} (its connections to it dropped); ${b.label} still reaches ${a.label}` }
    },
    `one-way cut ${JSON.stringify(from)} → ${JSON.stringify(to)}`,
  )
}

/**
 * Two sides that cannot reach each other, and one node that both still reach (Jepsen's bridge):
 * `bridge([1], [2], 3)`. With three nodes each side plus the bridge is a majority, so two
 * different majorities exist at once.
 */
export function bridge(sideA: readonly Target[], sideB: readonly Target[], via: Target): PartitionFault {
  nonEmpty('bridge(sideA, sideB, via)', [sideA, sideB], 2)
  return new PartitionFault(
    'bridge',
    async (cluster) => {
      const [a, b, v] = [await resolveAll(cluster, sideA), await resolveAll(cluster, sideB), await resolveAll(cluster, [via])]
      distinct('bridge(sideA, sideB, via)', [a, b, v], cluster)
      return { cuts: between(a, b), label: `bridge: ${ids(a)} and ${ids(b)} cut from each other both ways, ${labels(v)} reaches both` }
    },
    `bridge ${JSON.stringify(sideA)} | ${JSON.stringify(sideB)} via ${JSON.stringify(via)}`,
  )
}
