import { writeFileSync } from 'node:fs'
import { ProcessFailedError } from '../../errors.js'
import { assertOwnerAlive, isAlive, readPid, signal, tail, waitExit } from '../process.js'
import type { ClusterDescriptor, NodeControl, NodeDescriptor, NodeState } from '../types.js'
import { AbortError, waitFor } from '../wait.js'
import { engine, removeRun, statusOf, type Container } from './engine.js'
import { logGrowth } from './logs.js'

/** Facts the containers provider keeps in the descriptor so any process can control the nodes. */
export interface ContainersData {
  runId: string
  network: string
  /** The reaper removes the run's containers and network when the lifeline breaks. */
  reaperPidFile: string
  toxiproxy: { id: string; name: string }
  /** Container of each node, by node id. */
  nodes: Record<string, { id: string; name: string }>
}

/** Deadlines (ms) of the container operations; a controlled shutdown gets as long as natively. */
const STOP_SECONDS = 60
const STARTED_MS = 90_000

/**
 * Node control by container operations, from any process that has the descriptor: kill is the
 * Docker API's kill with SIGKILL, stop is its stop (SIGTERM, a controlled shutdown; SIGKILL only
 * after 60 s), pause and resume are pause/unpause (the cgroup freezer: frozen, sockets open),
 * start starts the same container on its data volume. Each resolves once the change is visible.
 */
export class ContainersControl implements NodeControl {
  private readonly data: ContainersData
  constructor(private readonly d: ClusterDescriptor) {
    this.data = d.provider_data as unknown as ContainersData
    // Connect now, not at the first fault: loading testcontainers and probing the engine takes
    // most of a second, which would fall between a fault's start and its effect. A failure here
    // shows at the first call instead.
    engine().catch(() => {})
  }

  private node(id: number): NodeDescriptor {
    const n = this.d.nodes.find((x) => x.id === id)
    if (!n) throw new Error(`no node ${id}; nodes are ${this.d.nodes.map((x) => x.id).join(', ')}`)
    return n
  }

  private async container(id: number): Promise<{ c: Container; name: string }> {
    this.node(id)
    const ref = this.data.nodes[String(id)]
    if (!ref) throw new Error(`node ${id} has no container in this run's descriptor`)
    return { c: (await engine()).container.getById(ref.id), name: ref.name }
  }

  private async inspect(id: number) {
    const { c, name } = await this.container(id)
    try {
      return (await c.inspect()).State
    } catch (e) {
      if (statusOf(e) === 404) throw new Error(`node ${id}: its container ${name} no longer exists (the run was torn down, or it was removed by hand)`, { cause: e })
      throw e
    }
  }

  async state(id: number): Promise<NodeState> {
    const s = await this.inspect(id)
    if (s.Paused) return 'paused'
    return s.Running ? 'running' : 'stopped'
  }

  private async expect(id: number, action: string, allowed: NodeState[]): Promise<NodeState> {
    const s = await this.state(id)
    if (!allowed.includes(s)) throw new Error(`cannot ${action} node ${id}: it is ${s}`)
    return s
  }

  private async until(id: number, what: string, want: (s: NodeState) => boolean, timeoutMs: number): Promise<void> {
    await waitFor(`node ${id} ${what}`, async () => {
      const s = await this.state(id)
      if (!want(s)) throw new Error(`container state: ${s}`)
    }, { timeoutMs })
  }

  async kill(id: number): Promise<void> {
    // No state check first: the signal goes out as soon as possible after the fault starts.
    const { c } = await this.container(id)
    try {
      await c.kill({ signal: 'SIGKILL' })
    } catch (e) {
      const s = await this.state(id)
      if (s === 'stopped') throw new Error(`cannot kill node ${id}: it is stopped`, { cause: e })
      if (s !== 'paused') throw e
      // Docker refuses to signal a frozen container: thaw it and kill it.
      await c.unpause()
      await c.kill({ signal: 'SIGKILL' })
    }
    // Podman signals a frozen container but it dies only once thawed.
    if ((await this.state(id)) === 'paused') await c.unpause().catch(() => {})
    await this.until(id, 'to exit after SIGKILL', (x) => x === 'stopped', 10_000)
  }

  async stop(id: number): Promise<void> {
    const s = await this.expect(id, 'stop', ['running', 'paused'])
    const { c } = await this.container(id)
    if (s === 'paused') await c.unpause()
    await c.stop({ t: STOP_SECONDS })
    await this.until(id, 'to exit after SIGTERM (controlled shutdown)', (x) => x === 'stopped', 10_000)
  }

  async pause(id: number): Promise<void> {
    await this.expect(id, 'pause', ['running'])
    const { c } = await this.container(id)
    await c.pause()
    await this.until(id, 'to be frozen (docker pause)', (x) => x === 'paused', 5_000)
  }

  async resume(id: number): Promise<void> {
    await this.expect(id, 'resume', ['paused'])
    const { c } = await this.container(id)
    await c.unpause()
    await this.until(id, 'to run again (docker unpause)', (x) => x === 'running', 5_000)
  }

  async start(id: number): Promise<void> {
    await this.expect(id, 'start', ['stopped'])
    const node = this.node(id)
    const { c, name } = await this.container(id)
    const grown = logGrowth(node.serverLog)
    // A container started once the owner is gone could start after the reaper looked: never.
    assertOwnerAlive(this.d.lifeline, `start node ${id} (container ${name})`)
    await c.start()
    await this.waitStarted(node, c, name, grown)
  }

  /**
   * Waits until the node's server.log (written by the broker into the run folder, a bind mount)
   * says it started after `grown` began watching; fails at once with the container's output if
   * the container exits instead.
   */
  async waitStarted(node: NodeDescriptor, c: Container, name: string, grown: () => string): Promise<void> {
    await waitFor(`node ${node.id} (container ${name}) to log that it started`, async () => {
      const info = await c.inspect()
      if (!info.State.Running) {
        const out = await containerOutput(c)
        throw new AbortError(
          new ProcessFailedError(`Kafka node ${node.id} (container ${name}, exit code ${info.State.ExitCode})`, node.serverLog, `${out}\n--- server.log ---\n${tail(node.serverLog, 25)}`, 'the container exited during start'),
        )
      }
      writeFileSync(node.pidFile, `${info.State.Pid}\n`)
      if (!grown().includes('Kafka Server started')) throw new Error('server.log has no "Kafka Server started" line yet')
    }, { timeoutMs: STARTED_MS, maxIntervalMs: 250 })
  }

  /** Teardown (owner only): removes every container and the network of the run, then dismisses the reaper. */
  async destroy(): Promise<void> {
    await removeRun(await engine(), this.data.runId)
    await dismissReaper(this.data.reaperPidFile)
  }
}

/** The last lines of a container's stdout and stderr (the entrypoint's and the JVM's own output). */
export async function containerOutput(c: Container, lines = 30): Promise<string> {
  try {
    const buf = (await c.logs({ stdout: true, stderr: true, tail: lines, follow: false })) as unknown as Buffer
    return demux(buf).trimEnd() || '(no output)'
  } catch (e) {
    return `(container output unavailable: ${(e as Error).message})`
  }
}

/** Docker multiplexes stdout and stderr in 8-byte-header frames when there is no TTY. */
function demux(buf: Buffer): string {
  let out = ''
  let i = 0
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2) && buf[i + 1] === 0) {
    const len = buf.readUInt32BE(i + 4)
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8')
    i += 8 + len
  }
  return i === 0 ? buf.toString('utf8') : out
}

async function dismissReaper(pidFile: string): Promise<void> {
  let pid: number
  try {
    pid = readPid(pidFile)
  } catch {
    return
  }
  if (!isAlive(pid)) return
  signal(pid, 'SIGTERM')
  await waitExit(pid, 'the containers reaper', 10_000)
}
