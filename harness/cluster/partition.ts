/**
 * True network partitions for the native provider: node-to-node traffic cut both ways (or one
 * way), by packet filtering matched per node, on loopback.
 *
 * Every path between nodes goes through the one Toxiproxy process (toxiproxy.ts): a proxy fronts
 * its node's inbound traffic, and its upstream legs all come from Toxiproxy, so neither a toxic
 * nor a filter on the proxy→node leg can tell node A's traffic from node B's. The node→proxy leg
 * can: each node's JVM runs in a cgroup v2 folder of the run's own (`<cgroup2>/kafka-durability-
 * <run id>/node-<id>`, placed there by its tether before it starts), and nft's `socket cgroupv2`
 * matches a packet by the cgroup of the socket that sends or receives it. To cut A from B:
 *   - output: drop packets from a socket in A's cgroup to 127.0.0.1 at any of B's proxy ports, or
 *     B's own listener ports (KRaft hands a voter its leader's own CONTROLLER port: cutPorts);
 *   - input: drop packets from 127.0.0.1 at those ports to a socket in A's cgroup,
 * so A can neither open a connection to B (its SYNs never leave) nor use one it had (its requests
 * are dropped, and so is whatever answer was on its way). B→A is the mirror cut. Clients (the
 * test process, Toxiproxy) are in no node cgroup: they reach every node on both sides, as a client
 * on the host of a split data centre would.
 *
 * The cuts of a fault are one nft table of the run's own (`inet kafka_durability_<run id>`, made
 * whole with `nft -f` and deleted whole at heal): no table, no cut. One partition fault at a time.
 * The table is deleted at heal (withFault), at every Cluster.heal(), at teardown, and by the
 * partition warden (partition-warden.pl) when the owner dies; the warden then also removes the
 * cgroups once their processes are gone. scripts/check-no-orphans.sh fails on any table or cgroup
 * of ours left behind. Only 127.0.0.1 is ever matched.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { HarnessError, RuntimeRequirementError } from '../errors.js'
import { isAlive, readPid, signal, spawnWatcher, waitExit } from './process.js'
import type { ClusterDescriptor, NodeDescriptor } from './types.js'
import { waitFor } from './wait.js'

const WARDEN = join(dirname(fileURLToPath(import.meta.url)), 'partition-warden.pl')
/** nft (1.0.x) resolves a `socket cgroupv2` path under this folder. */
const NFT_CGROUP_BASE = '/sys/fs/cgroup'
/** Prefixes of what a run makes: its nft table and its cgroup folder (check-no-orphans.sh looks for both). */
export const TABLE_PREFIX = 'kafka_durability_'
export const CGROUP_PREFIX = 'kafka-durability-'

/**
 * ClusterSpec.partitions: 'auto' (the default) makes partitions available when this machine can
 * (root, a writable cgroup v2 mount under /sys/fs/cgroup, nft with `socket cgroupv2`) and says why
 * not otherwise; 'on' fails the start when it cannot; 'off' never places nodes in cgroups.
 */
export type PartitionMode = 'auto' | 'on' | 'off'

/** What the descriptor holds (native provider_data.partitions) so any process can cut and heal. */
export type Partitions =
  | {
      available: true
      /** The nft table (family inet) that exists while a partition is in force. */
      table: string
      /** The run's cgroup folder; node N's is `<cgroup>/node-N`. */
      cgroup: string
      /** The same, as nft names it (relative to /sys/fs/cgroup). */
      nftCgroup: string
      /** The depth of a node's cgroup in the cgroup v2 hierarchy (nft's `level`). */
      level: number
      wardenPidFile: string
      wardenLog: string
    }
  | { available: false; reason: string; fix: string }

/** One cut: `from` cannot reach `to` (its connections to `to`'s proxies are dropped both ways). */
export interface Cut {
  from: number
  to: number
}

/** The cgroup v2 mount point, if there is one. */
function cgroup2Mount(): string | undefined {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, mount, type] = line.split(' ')
    if (type === 'cgroup2' && mount) return mount
  }
  return undefined
}

/** Runs nft; rejects with its stderr. */
function nft(args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('nft', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout?.on('data', (b: Buffer) => (out += b.toString()))
    p.stderr?.on('data', (b: Buffer) => (err += b.toString()))
    p.on('error', (e) => reject(e))
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`nft ${args.join(' ')} exited with ${code}: ${err.trim()}`))))
    if (input !== undefined) {
      p.stdin?.on('error', () => {}) // nft exited early: its status says why
      p.stdin?.end(input)
    }
  })
}

function unavailable(mode: PartitionMode, reason: string, fix: string): Partitions {
  if (mode === 'on') throw new RuntimeRequirementError('partitions (KAFKA_DURABILITY_PARTITIONS=on)', reason, fix)
  return { available: false, reason, fix }
}

/**
 * Makes the run's cgroups (one per node) and starts its partition warden, or says why partitions
 * are not available here ('auto') or fails ('on'). Call with the lifeline held, before any node starts.
 */
export async function preparePartitions(mode: PartitionMode, run: { runId: string; runDir: string; lifeline: string }, nodeIds: readonly number[]): Promise<Partitions> {
  if (mode === 'off') return { available: false, reason: 'partitions are off for this run (KAFKA_DURABILITY_PARTITIONS=off)', fix: 'unset KAFKA_DURABILITY_PARTITIONS or set it to auto' }
  if (process.getuid?.() !== 0) return unavailable(mode, `placing nodes in cgroups and adding nft rules needs root; this process runs as uid ${process.getuid?.()}`, 'run the suite as root (as CI does), or leave partitions off')
  const mount = cgroup2Mount()
  if (!mount) return unavailable(mode, 'no cgroup v2 hierarchy is mounted', 'mount one: mount -t cgroup2 none /sys/fs/cgroup/unified')
  if (mount !== NFT_CGROUP_BASE && !mount.startsWith(`${NFT_CGROUP_BASE}/`)) return unavailable(mode, `cgroup v2 is mounted at ${mount}, outside ${NFT_CGROUP_BASE}, where nft resolves cgroup paths`, `mount cgroup2 at ${NFT_CGROUP_BASE} or below it`)
  const id = run.runId.replace(/[^A-Za-z0-9]/g, '_')
  const cgroup = join(mount, `${CGROUP_PREFIX}${id}`)
  const table = `${TABLE_PREFIX}${id}`
  const p: Partitions = { available: true, table, cgroup, nftCgroup: cgroup.slice(NFT_CGROUP_BASE.length + 1), level: cgroup.slice(mount.length + 1).split('/').length + 1, wardenPidFile: join(run.runDir, 'partition-warden.pid'), wardenLog: join(run.runDir, 'partition-warden.log') }
  // The warden first: whatever is made once it watches the lifeline is removed if the owner dies.
  await startWarden(run.lifeline, p)
  let failed: [string, string] | undefined
  try {
    for (const n of nodeIds) mkdirSync(join(cgroup, `node-${n}`), { recursive: true })
  } catch (e) {
    failed = [`cannot make cgroup ${cgroup}: ${(e as Error).message}`, 'run as root on a writable cgroup v2 mount']
  }
  // The rules of a cut, checked by the kernel (nft -c runs the transaction and aborts it).
  if (!failed) {
    await nft(['-c', '-f', '-'], tableScript(p, [{ ports: [1], from: nodeIds[0] ?? 1 }])).catch((e: Error) => {
      failed = [`nft cannot match packets by cgroup v2 here: ${e.message}`, 'install nftables (apt-get install nftables) on a kernel with nft_socket (Linux 5.13+)']
    })
  }
  if (!failed) return p
  await teardownPartitions(p)
  return unavailable(mode, ...failed)
}

async function startWarden(lifeline: string, p: Extract<Partitions, { available: true }>): Promise<void> {
  await spawnWatcher({ what: 'the partition warden', command: WARDEN, args: [lifeline, p.wardenPidFile, p.table, p.cgroup], pidFile: p.wardenPidFile, logFile: p.wardenLog, timeoutMs: 10_000 })
}

/** The cgroup folder node `id` starts in, when partitions are available. */
export function nodeCgroup(p: Partitions | undefined, id: number): string | undefined {
  return p?.available ? join(p.cgroup, `node-${id}`) : undefined
}

/** The run's partitions, as its descriptor says (containers: not available). */
export function partitionsOf(d: ClusterDescriptor): Partitions {
  if (d.provider !== 'native') return { available: false, reason: `the ${d.provider} provider runs each node in a container on a network of its own`, fix: 'run on the native provider (KAFKA_DURABILITY_PROVIDER=native, the default)' }
  const p = (d.provider_data as { partitions?: Partitions }).partitions
  return p ?? { available: false, reason: 'this run was started without partitions', fix: 'start the cluster with partitions (KAFKA_DURABILITY_PARTITIONS=auto)' }
}

/**
 * The ports another node reaches this one at: its client, replication and controller proxies and
 * every line's, and its own listeners too. KRaft hands out an active controller's own CONTROLLER
 * listener (BeginQuorumEpoch carries the leader's endpoints; the controller listener is not
 * advertised, so that is the port it binds): a voter that learned its leader that way fetches
 * from it past Toxiproxy, and a cut of the proxies alone left that path open.
 */
function cutPorts(node: NodeDescriptor): number[] {
  const proxies = [...Object.values(node.proxies), ...node.lines].map((p) => Number(p.listen.slice(p.listen.lastIndexOf(':') + 1)))
  return [...proxies, node.ports.client, node.ports.replication, node.ports.controller, ...node.ports.lines]
}

/** The nft script of a table holding these cuts (each: packets of `from`'s cgroup to or from the given proxy ports). */
function tableScript(p: Extract<Partitions, { available: true }>, cuts: ReadonlyArray<{ from: number; ports: number[] }>): string {
  const match = (c: { from: number }) => `socket cgroupv2 level ${p.level} "${p.nftCgroup}/node-${c.from}"`
  const set = (ports: number[]) => `{ ${ports.join(', ')} }`
  return [
    `table inet ${p.table} {`,
    '  chain out {',
    '    type filter hook output priority filter; policy accept;',
    ...cuts.map((c) => `    oif "lo" ${match(c)} ip daddr 127.0.0.1 tcp dport ${set(c.ports)} drop`),
    '  }',
    '  chain in {',
    '    type filter hook input priority filter; policy accept;',
    ...cuts.map((c) => `    iif "lo" ${match(c)} ip saddr 127.0.0.1 tcp sport ${set(c.ports)} drop`),
    '  }',
    '}',
    '',
  ].join('\n')
}

function available(d: ClusterDescriptor): Extract<Partitions, { available: true }> {
  const p = partitionsOf(d)
  if (!p.available) throw new RuntimeRequirementError('network partitions', p.reason, p.fix)
  return p
}

/** A partition fault applied while another is in force. */
export class PartitionInForceError extends HarnessError {
  override name = 'PartitionInForceError'
}

/**
 * Puts the cuts in force, all at once (one nft transaction). Fails with PartitionInForceError
 * while another partition is in force, and with RuntimeRequirementError when the run has no
 * partitions (containers, not root), naming why and the fix.
 */
export async function applyCuts(d: ClusterDescriptor, cuts: readonly Cut[]): Promise<void> {
  const p = available(d)
  if (await tableExists(p.table)) throw new PartitionInForceError(`a partition is already in force (nft table inet ${p.table}): heal it before applying another (one partition fault at a time)`)
  const byId = new Map(d.nodes.map((n) => [n.id, n]))
  const rules = cuts.map((c) => {
    const to = byId.get(c.to)
    if (!byId.has(c.from) || !to) throw new HarnessError(`a cut ${c.from} → ${c.to} names a node the cluster does not have (nodes ${[...byId.keys()].join(', ')})`)
    return { from: c.from, ports: cutPorts(to) }
  })
  await nft(['-f', '-'], tableScript(p, rules))
}

async function tableExists(table: string): Promise<boolean> {
  return nft(['list', 'table', 'inet', table]).then(
    () => true,
    () => false,
  )
}

/** Removes every cut of the run (deletes its table); idempotent. True if a partition was in force. */
export async function healCuts(d: ClusterDescriptor): Promise<boolean> {
  const p = partitionsOf(d)
  if (!p.available || !(await tableExists(p.table))) return false
  await nft(['delete', 'table', 'inet', p.table])
  return true
}

/**
 * Teardown (owner only, after every node process is gone): deletes the table, dismisses the
 * warden, removes the cgroups. Idempotent.
 */
export async function teardownPartitions(p: Partitions | undefined): Promise<void> {
  if (!p?.available) return
  if (await tableExists(p.table)) await nft(['delete', 'table', 'inet', p.table])
  let warden: number | undefined
  try {
    warden = readPid(p.wardenPidFile)
  } catch {
    warden = undefined
  }
  if (warden !== undefined && isAlive(warden) && readFileSync(`/proc/${warden}/cmdline`, 'utf8').includes('partition-warden')) {
    signal(warden, 'SIGKILL')
    await waitExit(warden, 'the partition warden at teardown', 10_000)
  }
  await waitFor(`the run's cgroups under ${p.cgroup} to be removed`, () => {
    if (!removeCgroups(p.cgroup)) throw new Error(`still there: ${p.cgroup}`)
  }, { timeoutMs: 10_000 })
}

/** Removes a run's cgroup folder and its node cgroups (empty ones only); true once it is gone. */
function removeCgroups(cgroup: string): boolean {
  if (!existsSync(cgroup)) return true
  for (const entry of readdirSync(cgroup, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue
    try {
      rmdirSync(join(cgroup, entry.name))
    } catch {
      // processes still inside (busy): the caller retries
    }
  }
  try {
    rmdirSync(cgroup)
    return true
  } catch {
    return false
  }
}
