import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { readEnding, waitFor, type Ending, type ProviderName } from '../../../harness/cluster/index.js'
import { AbortError } from '../../../harness/cluster/wait.js'
import { engine, removeRun } from '../../../harness/cluster/containers/engine.js'
import { RUN_LABEL } from '../../../harness/cluster/containers/wiring.js'
import { isAlive, signal } from '../../../harness/cluster/process.js'

export const ROOT = resolve(import.meta.dirname, '../../..')

/**
 * A real run started by a lifecycle test: a command in a process group of its own, whose runs
 * folder (KAFKA_DURABILITY_RUNS_DIR), reports (REPORTS_DIR) and the fixture's marks
 * (KD_FIXTURE_MARKS) are in a temporary folder of its own.
 */
export class Run {
  private out = ''
  private constructor(
    readonly top: ChildProcess,
    readonly dir: string,
    readonly provider: ProviderName,
  ) {
    top.stdout?.on('data', (d) => (this.out += String(d)))
    top.stderr?.on('data', (d) => (this.out += String(d)))
  }

  static start(command: string, args: string[], env: Record<string, string>, provider: ProviderName): Run {
    const dir = mkdtempSync(join(tmpdir(), 'kd-lifecycle-'))
    mkdirSync(join(dir, 'runs'))
    const top = spawn(command, args, {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, KAFKA_DURABILITY_PROVIDER: provider, KAFKA_DURABILITY_RUNS_DIR: join(dir, 'runs'), REPORTS_DIR: join(dir, 'reports'), KD_FIXTURE_MARKS: dir, ...env },
    })
    return new Run(top, dir, provider)
  }

  /** The process group of the run: the top process's. */
  get pgid(): number {
    return this.top.pid as number
  }

  output(lines = 40): string {
    return this.out.trimEnd().split('\n').slice(-lines).join('\n')
  }

  /** The run folder (the one folder in the runs folder), once its owner made it. */
  runDir(): string | undefined {
    const name = readdirSync(join(this.dir, 'runs'))[0]
    return name === undefined ? undefined : join(this.dir, 'runs', name)
  }

  /** The run's owner (its `owner` file). */
  owner(): number {
    const d = this.runDir()
    if (!d) throw new Error('no run folder yet')
    return (JSON.parse(readFileSync(join(d, 'owner'), 'utf8')) as { pid: number }).pid
  }

  /** The parent of the run's owner: the command's main process for a command that starts its run in a child. */
  ownersParent(): number {
    return ppidOf(this.owner())
  }

  ending(): Ending | undefined {
    const d = this.runDir()
    return d ? readEnding(d) : undefined
  }

  /** What the run's workers noted when they stopped on their own (harness/vitest/cluster-setup.ts). */
  workersLog(): string {
    const d = this.runDir()
    return d ? readIfThere(join(d, 'workers.log')).trim() : ''
  }

  /** A mark the fixture test wrote (its pid and time), if written. */
  mark(name: string): { pid: number; at: number } | undefined {
    try {
      return JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as { pid: number; at: number }
    } catch {
      return undefined
    }
  }

  /** Lets a fixture test that waits for it go on. */
  release(): void {
    writeFileSync(join(this.dir, 'go'), '')
  }

  /** Waits until `probe` holds; gives up at once, with the output, if the top process exits first. */
  async until<T>(what: string, probe: () => T, timeoutMs = 180_000): Promise<T> {
    return waitFor(what, () => {
      try {
        return probe()
      } catch (e) {
        if (this.top.exitCode !== null || this.top.signalCode !== null) throw new AbortError(`the run ended first (exit ${this.top.exitCode ?? this.top.signalCode}): ${(e as Error).message}\n${this.output()}`)
        throw e
      }
    }, { timeoutMs, maxIntervalMs: 250 })
  }

  /** Every node of the cluster logged that it started. */
  clusterUp(): void {
    const d = this.runDir()
    const nodes = d ? readdirSync(d).filter((f) => /^node-\d+$/.test(f)) : []
    const up = nodes.filter((n) => (existsSync(join(d as string, n, 'server.log')) ? readFileSync(join(d as string, n, 'server.log'), 'utf8').includes('Kafka Server started') : false))
    if (nodes.length === 0 || up.length < nodes.length) throw new Error(`nodes up: ${up.length} of ${nodes.length}`)
  }

  /** What the run left behind, found by its marks: see `leftovers`. */
  async left(traces: Traces): Promise<string[]> {
    return leftovers(this, traces)
  }

  /**
   * Waits until nothing of the run is left; resolves with the ms from `since`. The deadline is
   * bounded; the timing itself is reported, never asserted.
   */
  async nothingLeft(traces: Traces, since: number, timeoutMs = 60_000): Promise<number> {
    await waitFor('nothing of the run to be left', async () => {
      const left = await this.left(traces)
      if (left.length) throw new Error(left.slice(0, 8).join('; '))
    }, { timeoutMs, minIntervalMs: 50, maxIntervalMs: 100 })
    return Date.now() - since
  }

  /** Best effort after a failed test: SIGKILL whatever of the run is left, remove its containers, drop the temp folder. */
  async destroy(traces: Traces): Promise<void> {
    signal(-this.pgid, 'SIGKILL')
    for (const l of await this.left(traces).catch(() => [])) {
      const pid = /^process (\d+)/.exec(l)?.[1]
      if (pid) signal(Number(pid), 'SIGKILL')
    }
    const runId = traces.runId
    if (this.provider === 'containers' && runId) await removeRun(await engine(), runId).catch(() => {})
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** What an ending left to see: how long until nothing was left, and what the run folder says. */
export interface Ended {
  /** What of the run was seen while it was up, by kind: "3 process, 5 container, …". */
  seen: string
  ms: number
  ending: Ending | undefined
  workers: string
}

/**
 * Ends `run` once `ready` holds, by `end` (which returns when the ending began), and waits until
 * nothing of the run is left (checking first that the run is up and seen). SIGKILLs whatever is
 * left and drops the run's temporary folder in any case.
 */
export async function endRun(run: Run, ready: { what: string; probe: () => unknown }, end: (run: Run) => number | Promise<number>): Promise<Ended> {
  let t = await traces(run)
  try {
    await run.until(ready.what, ready.probe)
    t = await traces(run)
    const up = await run.left(t)
    if (up.length === 0) throw new Error(`${ready.what}, yet nothing of the run is seen: the search for leftovers is blind`)
    const kinds = new Map<string, number>()
    for (const l of up) {
      const kind = /^(firewall rule|network namespace|\w+)/.exec(l)?.[1] ?? l
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    const seen = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ')
    const since = await end(run)
    const ms = await run.nothingLeft(t, since)
    return { seen, ms, ending: run.ending(), workers: run.workersLog() }
  } finally {
    await run.destroy(t)
  }
}

/** Sends `sig` to `pid` (a negative pid: its process group); returns when, for endRun. */
export function sendAt(pid: number, sig: NodeJS.Signals): number {
  const t = Date.now()
  signal(pid, sig)
  return t
}

/** One line of the printed table. */
export function row(label: string, e: Ended): string {
  const more = (what: string, text: string) => (text ? `\n${' '.repeat(60)}${what}: ${text}` : '')
  return `  ${label.padEnd(48)} ${(e.ms / 1000).toFixed(2).padStart(6)} s   ended: ${JSON.stringify(e.ending)}${more('seen while up', e.seen)}${more('workers.log', e.workers)}`
}

/**
 * What identifies a run's things beyond its folder, taken while it is up: on containers its
 * container ids, their network namespaces and root file systems, its network's subnets and the
 * containers' addresses (firewall rules name them).
 */
export interface Traces {
  runId?: string
  containers: string[]
  netns: string[]
  rootfs: string[]
  addresses: string[]
}

export async function traces(run: Run): Promise<Traces> {
  const runDir = run.runDir()
  const t: Traces = { containers: [], netns: [], rootfs: [], addresses: [] }
  if (run.provider !== 'containers' || !runDir) return t
  t.runId = runDir.split('/').pop()?.toLowerCase()
  const docker = (await engine()).container.dockerode
  const filters = { label: [`${RUN_LABEL}=${t.runId}`] }
  for (const c of await docker.listContainers({ all: true, filters })) {
    const info = await docker.getContainer(c.Id).inspect()
    t.containers.push(c.Id)
    if (info.NetworkSettings.SandboxKey) t.netns.push(info.NetworkSettings.SandboxKey)
    const merged = (info.GraphDriver?.Data as Record<string, string> | undefined)?.MergedDir
    if (merged) t.rootfs.push(merged)
    for (const n of Object.values(info.NetworkSettings.Networks ?? {})) if (n.IPAddress) t.addresses.push(n.IPAddress)
  }
  for (const n of await docker.listNetworks({ filters })) for (const c of n.IPAM?.Config ?? []) if (c.Subnet) t.addresses.push(c.Subnet)
  return t
}

/**
 * Everything of the run still there: processes (in its process group, naming its folder or one
 * of its containers, or named by a pid file of its run folder), containers and networks labelled
 * with its id, network namespaces of its containers, mounts naming its folder, containers or
 * namespaces, and firewall rules naming its subnets or addresses.
 */
export async function leftovers(run: Run, t: Traces): Promise<string[]> {
  const left: string[] = []
  const seen = new Set<number>()
  const names = [run.dir, ...t.containers]
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry)
    if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) continue
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])
      if (pgrp === run.pgid || names.some((n) => cmdline.includes(n))) {
        seen.add(pid)
        left.push(`process ${pid} (${cmdline.slice(0, 120)})`)
      }
    } catch {
      // gone meanwhile
    }
  }
  const runDir = run.runDir()
  if (runDir) {
    const pidFiles = ['toxiproxy.pid', 'reaper.pid', ...readdirSync(runDir).filter((f) => /^node-\d+$/.test(f)).map((n) => `${n}/pid`)]
    for (const f of pidFiles) {
      const pid = Number(readIfThere(join(runDir, f)).trim())
      if (pid > 0 && !seen.has(pid) && isAlive(pid)) left.push(`process ${pid} (pid file ${f})`)
    }
  }
  if (run.provider === 'containers' && t.runId) {
    const docker = (await engine()).container.dockerode
    const filters = { label: [`${RUN_LABEL}=${t.runId}`] }
    for (const c of await docker.listContainers({ all: true, filters })) left.push(`container ${c.Names[0] ?? c.Id} (${c.State})`)
    for (const n of await docker.listNetworks({ filters })) left.push(`network ${n.Name}`)
  }
  for (const ns of t.netns) if (existsSync(ns)) left.push(`network namespace ${ns}`)
  const mountNames = [run.dir, ...t.containers, ...t.rootfs, ...t.netns]
  for (const line of readIfThere('/proc/self/mountinfo').split('\n')) if (mountNames.some((n) => line.includes(n))) left.push(`mount ${line.split(' ')[4]}`)
  if (t.addresses.length) for (const line of firewallRules()) if (t.addresses.some((a) => line.includes(a))) left.push(`firewall rule ${line.trim()}`)
  return left
}

function firewallRules(): string[] {
  try {
    return execFileSync('nft', ['-s', 'list', 'ruleset'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')
  } catch {
    return []
  }
}

function readIfThere(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
}
