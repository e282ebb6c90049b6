import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { HarnessError } from '../errors.js'
import { isAlive } from './process.js'
import type { Topology } from './toxiproxy.js'
import type { ClusterDescriptor } from './types.js'

/**
 * The cluster's client lines, the slots harness/faults/client-line.ts hands out. Line k is the
 * LINEk listener of every node, each behind its own proxy (kafka-<id>-line-<k>) and advertising
 * it: a client given line k's bootstrap is told only line k's proxies in every metadata answer,
 * so a toxic on them hits that client and nobody else, whatever client library it is.
 *
 * A free line's proxies are disabled (connections refused, as to a process that is gone); a line
 * in use has them enabled. Who holds which line is a claim file in the run folder
 * (`lines/<k>.json`: the line's name and the pid of the process that opened it), created
 * exclusively, so any process of the run sees it: another test file, a child process handed the
 * bootstrap. A claim whose process is gone is stale and taken over.
 */
export class LineSlots {
  constructor(
    private readonly d: ClusterDescriptor,
    private readonly topology: Topology,
  ) {}

  /** How many lines the cluster was started with (ClusterSpec.lines). */
  get count(): number {
    return this.d.nodes[0]?.lines.length ?? 0
  }

  /** Line k's proxy in front of every node, as clients dial them (what its listeners advertise). */
  bootstrap(k: number): string[] {
    return this.d.nodes.map((n) => this.at(n.lines, k).listen)
  }

  /** Line k's proxy in front of node `nodeId`. */
  proxyName(k: number, nodeId: number): string {
    const node = this.d.nodes.find((n) => n.id === nodeId)
    if (!node) throw new HarnessError(`no node ${nodeId}; nodes are ${this.d.nodes.map((n) => n.id).join(', ')}`)
    return this.at(node.lines, k).name
  }

  /**
   * Claims the first free line for `line` (a name for reports and errors) and returns its index.
   * Throws LinesExhaustedError, naming the holders and the fix, when every line is held.
   */
  claim(line: string): number {
    mkdirSync(this.dir, { recursive: true })
    const claim: LineClaim = { line, pid: process.pid, at: new Date().toISOString() }
    for (let k = 1; k <= this.count; k++) {
      if (create(this.file(k), claim) || this.takeOverStale(k, claim)) return k
    }
    throw new LinesExhaustedError(this.count, this.claims())
  }

  /** Gives line k back if `line`, claimed by this process, holds it. */
  release(k: number, line: string): void {
    const c = read(this.file(k))
    if (c?.line === line && c.pid === process.pid) rmSync(this.file(k), { force: true })
  }

  /** Line index → who holds it, for every line held by a live process. */
  claims(): Map<number, LineClaim> {
    const out = new Map<number, LineClaim>()
    for (let k = 1; k <= this.count; k++) {
      const c = read(this.file(k))
      if (c !== undefined && isAlive(c.pid)) out.set(k, c)
    }
    return out
  }

  /** Enables line k's proxies: clients of the line reach the nodes. */
  async enable(k: number): Promise<void> {
    for (const name of this.names(k)) {
      const p = await this.topology.api.get(name)
      if (!p.enabled) await p.update({ enabled: true, listen: p.listen, upstream: p.upstream })
    }
  }

  /**
   * Disables line k's proxies (its connections close, new ones are refused) and removes every
   * toxic on them: what is left of a client that used the line reaches nothing, and the next
   * holder starts clean.
   */
  async disable(k: number): Promise<void> {
    for (const name of this.names(k)) {
      const p = await this.topology.api.get(name)
      if (p.enabled) await p.update({ enabled: false, listen: p.listen, upstream: p.upstream })
      await this.topology.removeToxics(name)
    }
  }

  /** Disables every line nobody holds (after Toxiproxy's reset, which enables every proxy). */
  async disableFree(): Promise<void> {
    const held = this.claims()
    for (let k = 1; k <= this.count; k++) if (!held.has(k)) await this.disable(k)
  }

  /** Names of the proxies of lines nobody holds: a fault healing must leave them disabled. */
  freeProxies(): Set<string> {
    const held = this.claims()
    const out = new Set<string>()
    for (let k = 1; k <= this.count; k++) if (!held.has(k)) for (const n of this.names(k)) out.add(n)
    return out
  }

  private names(k: number): string[] {
    return this.d.nodes.map((n) => this.at(n.lines, k).name)
  }

  private at<T>(lines: readonly T[], k: number): T {
    const l = lines[k - 1]
    if (l === undefined) throw new HarnessError(`no client line ${k}: this cluster has lines 1 to ${this.count}`)
    return l
  }

  private get dir(): string {
    return join(this.d.runDir, 'lines')
  }

  private file(k: number): string {
    return join(this.dir, `${k}.json`)
  }

  /**
   * Takes line k over if its claim's process is gone. One process at a time: the takeover is
   * guarded by a lock file of its own, created exclusively, and the claim is read again under it.
   */
  private takeOverStale(k: number, claim: LineClaim): boolean {
    const stale = read(this.file(k))
    if (stale === undefined || isAlive(stale.pid)) return false
    const lock = `${this.file(k)}.takeover`
    if (!create(lock, claim)) return false
    try {
      const again = read(this.file(k))
      if (again !== undefined && isAlive(again.pid)) return false
      writeFileSync(this.file(k), JSON.stringify(claim))
      return true
    } finally {
      rmSync(lock, { force: true })
    }
  }
}

/** Who holds a line: its name, the process that opened it, since when. */
export interface LineClaim {
  line: string
  pid: number
  at: string
}

/** Every client line of the cluster is held. */
export class LinesExhaustedError extends HarnessError {
  override name = 'LinesExhaustedError'
  constructor(
    readonly count: number,
    readonly holders: ReadonlyMap<number, LineClaim>,
  ) {
    const held = [...holders].map(([k, c]) => `line ${k}: ${c.line} (pid ${c.pid}, since ${c.at})`).join(', ')
    super(
      (count === 0 ? 'this cluster was started without client lines (lines: 0)' : `all ${count} client lines of this cluster are held (${held})`) +
        '. Fix: close lines no longer in use (ClientLine.close()); a scenario that needs more lines at once needs a cluster started with more: ' +
        'clusterSpec({ lines: N }) or KAFKA_DURABILITY_LINES=N (each line is one more listener and proxy per node)',
    )
  }
}

/** Creates `file` with `claim` unless it exists; true if this call created it. */
function create(file: string, claim: LineClaim): boolean {
  try {
    writeFileSync(file, JSON.stringify(claim), { flag: 'wx' })
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

/** The claim in `file`; undefined if there is none (or it is being written: then it is held). */
function read(file: string): LineClaim | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    return JSON.parse(text) as LineClaim
  } catch {
    // Created, not yet written: a live claim in the making.
    return { line: '(being claimed)', pid: process.pid, at: '' }
  }
}
