import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ProcessFailedError } from '../errors.js'
import type { Runtime } from '../runtime/install.js'
import { JVM_OPTIONS, LOG4J2_PROPERTIES, lineListener, newClusterId, serverProperties, type ClusterSpec } from './config.js'
import { assertPortFree, freePorts } from './ports.js'
import { nodeCgroup, preparePartitions, teardownPartitions, type Partitions } from './partition.js'
import { isAlive, processState, readFrom, readPid, signal, sizeOf, spawnTethered, tail, tetherOf, waitExit } from './process.js'
import { dropUnsynced, mountDisk, powerfsData, prepareDisks, unmountDisks, type PowerCutReport, type PowerfsData } from './powerfs.js'
import { Topology, lineProxyName, proxyName } from './toxiproxy.js'
import type { OpenRun } from './run.js'
import { PATHS, nodeFiles, type ClusterDescriptor, type NodeControl, type NodeDescriptor, type NodeState } from './types.js'
import { AbortError, waitFor } from './wait.js'

const run = promisify(execFile)

/** Facts the native provider keeps in the descriptor so any process can control the nodes. */
export interface NativeData {
  java: string
  classpath: string
  log4jConfig: string
  toxiproxyPidFile: string
  toxiproxyLog: string
  /** Each node's cgroup and the run's nft table for partition faults, or why there are none (partition.ts). */
  partitions?: Partitions
  /** Each node's data dir on powerfs (spec.powerfs; harness/cluster/powerfs.ts). */
  powerfs?: PowerfsData
}

export interface Started {
  descriptor: ClusterDescriptor
  control: NodeControl
}

/**
 * The native provider: Apache Kafka from Maven Central jars on the installed Java, and Shopify's
 * Toxiproxy built with go install, as processes on 127.0.0.1. No container engine needed.
 */
export async function startNative(spec: ClusterSpec, opened: OpenRun, rt: Runtime, log: (l: string) => void): Promise<Started> {
  const { runDir } = opened
  const n = spec.nodes
  const { apiPort, nodes, voters } = nativeLayout(runDir, n, spec.lines, await freePorts(nativePortCount(n, spec.lines)))
  for (const node of nodes) mkdirSync(node.dir, { recursive: true })
  const clusterId = newClusterId()
  const log4jConfig = join(runDir, 'log4j2.properties')
  writeFileSync(log4jConfig, LOG4J2_PROPERTIES)
  const data: NativeData = {
    java: rt.java,
    classpath: rt.kafkaClasspath,
    log4jConfig,
    toxiproxyPidFile: join(runDir, 'toxiproxy.pid'),
    toxiproxyLog: join(runDir, 'toxiproxy.log'),
    ...(spec.powerfs ? { powerfs: powerfsData(rt.powerfs, nodes) } : {}),
  }
  const descriptor: ClusterDescriptor = {
    provider: 'native',
    runDir,
    lifeline: opened.lifeline.path,
    clusterId,
    kafkaVersion: rt.kafkaVersion,
    toxiproxyApi: `http://127.0.0.1:${apiPort}`,
    bootstrap: nodes.map((x) => (spec.clientPath === 'direct' ? `127.0.0.1:${x.ports.client}` : x.proxies.client.listen)),
    nodes,
    provider_data: data as unknown as Record<string, unknown>,
  }
  const control = new NativeControl(descriptor)
  try {
    data.partitions = await preparePartitions(spec.partitions, { runId: opened.runId, runDir, lifeline: opened.lifeline.path }, nodes.map((x) => x.id))
    if (!data.partitions.available) log(`partitions not available: ${data.partitions.reason}`)
    // The ports were free when chosen; say which one another program took since, and the fix.
    await assertPortFree(apiPort, 'Toxiproxy API')
    for (const node of nodes) {
      for (const path of PATHS) {
        await assertPortFree(node.ports[path], `node ${node.id} ${path} listener`)
        await assertPortFree(port(node.proxies[path].listen), `Toxiproxy proxy ${node.proxies[path].name}`)
      }
      for (const [i, line] of node.lines.entries()) {
        await assertPortFree(node.ports.lines[i] as number, `node ${node.id} ${lineListener(i + 1)} listener`)
        await assertPortFree(port(line.listen), `Toxiproxy proxy ${line.name}`)
      }
    }
    await spawnTethered({
      lifeline: descriptor.lifeline,
      pidFile: data.toxiproxyPidFile,
      logFile: data.toxiproxyLog,
      command: rt.toxiproxyServer,
      args: ['-host', '127.0.0.1', '-port', String(apiPort)],
    })
    const topology = new Topology(descriptor.toxiproxyApi)
    await topology.waitReady().catch((e) => {
      throw new ProcessFailedError('toxiproxy-server', data.toxiproxyLog, tail(data.toxiproxyLog), portHint(data.toxiproxyLog) ?? (e as Error).message)
    })
    await topology.create(nodes)
    log(`Toxiproxy ${rt.toxiproxyVersion} up with ${nodes.length * PATHS.length} proxies and ${spec.lines} client line${spec.lines === 1 ? '' : 's'} (${nodes.length * spec.lines} proxies)`)
    for (const node of nodes) {
      writeFileSync(
        node.configFile,
        serverProperties({
          id: node.id,
          listen: node.ports,
          proxied: {
            client: spec.clientPath === 'direct' ? node.ports.client : port(node.proxies.client.listen),
            replication: port(node.proxies.replication.listen),
            controller: port(node.proxies.controller.listen),
            lines: node.lines.map((l) => port(l.listen)),
          },
          voters: voters.join(','),
          dataDir: join(node.dir, 'data'),
          extra: spec.brokerConfig,
        }),
      )
    }
    await Promise.all(nodes.map((node) => formatStorage(data, node, clusterId)))
    if (data.powerfs) prepareDisks(data.powerfs)
    log(`storage formatted (cluster id ${clusterId}); starting ${n} Kafka ${rt.kafkaVersion} nodes`)
    await Promise.all(nodes.map((node) => control.start(node.id)))
    return { descriptor, control }
  } catch (e) {
    await control.destroy().catch(() => {})
    throw e
  }
}

/** Ports a native cluster of `nodes` nodes with `lines` client lines takes: Toxiproxy's API, and per node a listener and a proxy for each path and line. */
export function nativePortCount(nodes: number, lines: number): number {
  return 1 + nodes * (PATHS.length + lines) * 2
}

/**
 * Where everything of a native cluster listens, from `ports` (nativePortCount free ports): each
 * node's listeners (3 paths and LINE1..LINE<lines>) on 127.0.0.1, each behind its own proxy
 * (kafka-<id>-<path>, kafka-<id>-line-<k>), which the node advertises; the quorum's voters at
 * the controller proxies.
 */
export function nativeLayout(runDir: string, nodes: number, lines: number, ports: readonly number[]): { apiPort: number; nodes: NodeDescriptor[]; voters: string[] } {
  if (ports.length < nativePortCount(nodes, lines)) throw new Error(`a native cluster of ${nodes} nodes and ${lines} lines needs ${nativePortCount(nodes, lines)} ports, got ${ports.length}`)
  let next = 0
  const take = () => ports[next++] as number
  const takeLines = () => Array.from({ length: lines }, take)
  const apiPort = take()
  const voters: string[] = []
  const out: NodeDescriptor[] = []
  for (let id = 1; id <= nodes; id++) {
    const listen = { client: take(), replication: take(), controller: take(), lines: takeLines() }
    const proxied = { client: take(), replication: take(), controller: take(), lines: takeLines() }
    voters.push(`${id}@127.0.0.1:${proxied.controller}`)
    const proxies = Object.fromEntries(
      PATHS.map((p) => [p, { name: proxyName(id, p), listen: `127.0.0.1:${proxied[p]}`, upstream: `127.0.0.1:${listen[p]}` }]),
    ) as NodeDescriptor['proxies']
    const lineProxies = proxied.lines.map((port, i) => ({ name: lineProxyName(id, i + 1), listen: `127.0.0.1:${port}`, upstream: `127.0.0.1:${listen.lines[i]}` }))
    out.push({ id, ...nodeFiles(join(runDir, `node-${id}`)), ports: listen, proxies, lines: lineProxies })
  }
  return { apiPort, nodes: out, voters }
}

function port(hostPort: string): number {
  return Number(hostPort.slice(hostPort.lastIndexOf(':') + 1))
}

function portHint(logFile: string): string | undefined {
  let text = ''
  try {
    text = readFileSync(logFile, 'utf8')
  } catch {
    return undefined
  }
  const m = /(127\.0\.0\.1:\d+)[^\n]*address already in use|Address already in use[^\n]*?(\d+)?/i.exec(text)
  if (!m) return undefined
  return `a port it needs is taken by another process (${m[1] ?? 'see log'}). Fix: stop the process holding it (ss -ltnp shows it) and run again; the harness picks free ports at start, so this is a race with another program`
}

async function formatStorage(data: NativeData, node: NodeDescriptor, clusterId: string): Promise<void> {
  try {
    await run(data.java, [
      ...JVM_OPTIONS,
      `-Dlog4j2.configurationFile=${data.log4jConfig}`,
      `-Dkafka.logs.dir=${node.dir}`,
      '-cp',
      data.classpath,
      'kafka.tools.StorageTool',
      'format',
      '--cluster-id',
      clusterId,
      '--config',
      node.configFile,
      '--ignore-formatted',
    ])
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string }
    throw new ProcessFailedError(`kafka-storage format of node ${node.id}`, node.configFile, ((err.stdout ?? '') + (err.stderr ?? '')).trim())
  }
}

export class NativeControl implements NodeControl {
  private readonly data: NativeData
  constructor(private readonly d: ClusterDescriptor) {
    this.data = d.provider_data as unknown as NativeData
  }

  private node(id: number): NodeDescriptor {
    const n = this.d.nodes.find((x) => x.id === id)
    if (!n) throw new Error(`no node ${id}; nodes are ${this.d.nodes.map((x) => x.id).join(', ')}`)
    return n
  }

  private pid(id: number): number | undefined {
    try {
      const pid = readPid(this.node(id).pidFile)
      return isAlive(pid) ? pid : undefined
    } catch {
      return undefined
    }
  }

  async state(id: number): Promise<NodeState> {
    const pid = this.pid(id)
    if (pid === undefined) return 'stopped'
    return processState(pid) === 'T' ? 'paused' : 'running'
  }

  private running(id: number, action: string): number {
    const pid = this.pid(id)
    if (pid === undefined) throw new Error(`cannot ${action} node ${id}: it is not running`)
    return pid
  }

  async kill(id: number): Promise<void> {
    const pid = this.running(id, 'kill')
    signal(pid, 'SIGKILL')
    await waitExit(pid, `node ${id} after SIGKILL`, 10_000)
  }

  async stop(id: number): Promise<void> {
    const pid = this.running(id, 'stop')
    if (processState(pid) === 'T') signal(pid, 'SIGCONT')
    signal(pid, 'SIGTERM')
    await waitExit(pid, `node ${id} after SIGTERM (controlled shutdown)`, 60_000)
  }

  async pause(id: number): Promise<void> {
    const pid = this.running(id, 'pause')
    signal(pid, 'SIGSTOP')
    await waitFor(`node ${id} (pid ${pid}) to be stopped by SIGSTOP`, () => {
      if (processState(pid) !== 'T') throw new Error(`state ${processState(pid)}`)
    }, { timeoutMs: 5_000 })
  }

  async resume(id: number): Promise<void> {
    const pid = this.running(id, 'resume')
    signal(pid, 'SIGCONT')
    await waitFor(`node ${id} (pid ${pid}) to run again after SIGCONT`, () => {
      if (processState(pid) === 'T') throw new Error('still stopped')
    }, { timeoutMs: 5_000 })
  }

  async start(id: number): Promise<void> {
    const node = this.node(id)
    if (this.pid(id) !== undefined) throw new Error(`cannot start node ${id}: it is already running`)
    if (this.data.powerfs) await mountDisk(this.d.lifeline, this.data.powerfs, id)
    const logOffset = sizeOf(node.serverLog)
    const pid = await spawnTethered({
      lifeline: this.d.lifeline,
      pidFile: node.pidFile,
      logFile: node.outputLog,
      cgroup: nodeCgroup(this.data.partitions, id),
      command: this.data.java,
      args: [
        ...JVM_OPTIONS,
        `-Dlog4j2.configurationFile=${this.data.log4jConfig}`,
        `-Dkafka.logs.dir=${node.dir}`,
        '-cp',
        this.data.classpath,
        'kafka.Kafka',
        node.configFile,
      ],
    })
    // The JVM binds its listeners within a second or two; a bind failure or a bad config makes it
    // exit, which we report with its log instead of waiting out the registration deadline.
    await waitFor(`node ${id} to log that it started`, () => {
      if (!isAlive(pid)) {
        const both = `${tail(node.outputLog, 15)}\n--- server.log ---\n${tail(node.serverLog, 25)}`
        throw new AbortError(new ProcessFailedError(`Kafka node ${id} (pid ${pid})`, node.serverLog, both, portHint(node.serverLog) ?? portHint(node.outputLog) ?? 'the JVM exited during start'))
      }
      if (!readFrom(node.serverLog, logOffset).includes('Kafka Server started')) throw new Error('server.log has no "Kafka Server started" line yet')
    }, { timeoutMs: 60_000, maxIntervalMs: 250 })
  }

  async destroy(): Promise<void> {
    const pids = [...this.d.nodes.map((n) => this.pid(n.id)), pidOf(this.data.toxiproxyPidFile)].filter((p): p is number => p !== undefined)
    const tethers = pids.map(tetherOf).filter((p): p is number => p !== undefined)
    for (const pid of pids) signal(pid, 'SIGKILL')
    await Promise.all(pids.map((pid) => waitExit(pid, 'cluster process at teardown', 10_000)))
    // Teardown ends when the tethers are gone too. A tether whose process died dismisses its
    // lifeline watcher and waits for it; a watcher that sees the lifeline close first (the owner
    // cuts it right after this) writes a note into the log and `ended` into the run folder, which
    // raced the folder's removal (rmdir: ENOTEMPTY).
    await Promise.all(tethers.map((pid) => waitExit(pid, 'tether at teardown', 10_000)))
    await teardownPartitions(this.data.partitions)
    if (this.data.powerfs) await unmountDisks(this.data.powerfs)
  }

  /**
   * Cuts the power of nodes `ids` at one instant (powerfs only): SIGSTOP every JVM (nothing more
   * leaves them), each powerfs drops what was not fsynced and exits, then SIGKILL every JVM.
   */
  async powerCut(ids: readonly number[]): Promise<PowerCutReport[]> {
    const powerfs = this.data.powerfs
    if (!powerfs) throw new Error('this cluster runs without powerfs: start it with startCluster({ powerfs: true })')
    const pids = ids.map((id) => this.running(id, 'cut the power of'))
    for (const pid of pids) signal(pid, 'SIGSTOP')
    try {
      return await dropUnsynced(powerfs, ids)
    } finally {
      for (const pid of pids) signal(pid, 'SIGKILL')
      await Promise.all(pids.map((pid, i) => waitExit(pid, `node ${ids[i]} after its power cut`, 10_000)))
    }
  }
}

/** The pid in `file` if that process is alive. */
export function pidOf(file: string): number | undefined {
  try {
    const pid = readPid(file)
    return isAlive(pid) ? pid : undefined
  } catch {
    return undefined
  }
}
