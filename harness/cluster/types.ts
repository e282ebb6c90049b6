import { join } from 'node:path'
import type { NodePorts } from './config.js'
import type { PowerCutReport } from './powerfs.js'

/** The three network paths of a node, each behind its own Toxiproxy proxy. */
export type PathName = 'client' | 'replication' | 'controller'
export const PATHS: readonly PathName[] = ['client', 'replication', 'controller']

export interface ProxyDescriptor {
  /** Toxiproxy proxy name, e.g. kafka-2-replication. */
  name: string
  /** host:port the proxy listens on (what is advertised). */
  listen: string
  /** host:port of the broker's own listener behind it. */
  upstream: string
}

/** A node's files in the run folder, the same for every provider. */
export function nodeFiles(dir: string): Pick<NodeDescriptor, 'dir' | 'configFile' | 'outputLog' | 'serverLog' | 'pidFile'> {
  return {
    dir,
    configFile: join(dir, 'server.properties'),
    outputLog: join(dir, 'output.log'),
    serverLog: join(dir, 'server.log'),
    pidFile: join(dir, 'pid'),
  }
}

export interface NodeDescriptor {
  id: number
  dir: string
  configFile: string
  /** stdout+stderr of the JVM (warnings, crashes). */
  outputLog: string
  /** log4j server log (INFO). */
  serverLog: string
  pidFile: string
  ports: NodePorts
  proxies: Record<PathName, ProxyDescriptor>
  /**
   * Client line k's proxy in front of this node is lines[k - 1] (kafka-<id>-line-<k>): `listen`
   * is the host address clients dial and the node's LINEk listener advertises, `upstream` that
   * listener. Created at start, disabled while no line holds it (harness/cluster/lines.ts).
   */
  lines: ProxyDescriptor[]
}

/**
 * Everything a test process needs to drive a started cluster, as plain data: the globalSetup
 * starts the cluster and `provide`s this; each test file rebuilds a `Cluster` from it.
 */
export interface ClusterDescriptor {
  provider: 'native' | 'containers'
  runDir: string
  /**
   * The owner's lifeline (run.ts): a FIFO only the owner holds open for writing. Whoever starts
   * a process or container for the run checks it first (process.ts `ownerAlive`); a test worker
   * watches it to stop when the owner is gone.
   */
  lifeline: string
  clusterId: string
  kafkaVersion: string
  /** http://127.0.0.1:port of Toxiproxy's API. */
  toxiproxyApi: string
  /** The client proxies: the only addresses clients are given. */
  bootstrap: string[]
  nodes: NodeDescriptor[]
  /** Provider-specific facts (native: java, classpath; containers: container ids). */
  provider_data: Record<string, unknown>
}

export type NodeState = 'running' | 'paused' | 'stopped'

/**
 * Process-level control of the nodes, one implementation per provider. Every method resolves once
 * the change is observable (process gone, stopped, started), not when the signal was sent.
 */
export interface NodeControl {
  state(id: number): Promise<NodeState>
  /** SIGKILL: no controlled shutdown, no flush. */
  kill(id: number): Promise<void>
  /** SIGTERM: controlled shutdown (leadership moved away first), waits for the exit. */
  stop(id: number): Promise<void>
  /** SIGSTOP: the process is frozen, its sockets stay open. */
  pause(id: number): Promise<void>
  /** SIGCONT. */
  resume(id: number): Promise<void>
  /** Starts a stopped node on its existing data. */
  start(id: number): Promise<void>
  /** Teardown: stops every process of the cluster (owner only). */
  destroy(): Promise<void>
  /**
   * A power cut of nodes `ids` at one instant: every write not yet fsynced is dropped from their
   * disks and their processes die. Only a native cluster started with powerfs has it.
   */
  powerCut?(ids: readonly number[]): Promise<PowerCutReport[]>
}
