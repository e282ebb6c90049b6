/**
 * Where a producer client connects and as whom: plain data, so an adapter can hand it to a child
 * process. Built from the live cluster by `clientEndpoint`.
 */
import type { Cluster } from '../cluster/index.js'
import type { ClientLine } from '../faults/index.js'

export interface ClientEndpoint {
  clientId: string
  /**
   * Bootstrap addresses (host:port): the cluster's client proxies, or a client line's own proxies
   * (its listener advertises them, so a client bootstrapped there only ever sees the line).
   */
  brokers: readonly string[]
  connectionTimeoutMs: number
  /** How long the client waits for a broker's answer to one request. */
  requestTimeoutMs: number
  /** The folder the client's own log goes to (the run folder; the adapter names the file); none: not logged. */
  logDir?: string
}

export interface EndpointOptions {
  clientId?: string
  /** Default 10000 ms. */
  requestTimeoutMs?: number
  /** Default 3000 ms. */
  connectionTimeoutMs?: number
  /** Connect through this client line (its connections, and faults on it, are this client's alone). */
  line?: ClientLine
}

/**
 * The request timeout of a client whose answers a fault may hold: longer than any wait inside a
 * fault, so the client never re-sends a held request by itself (it retries once, when the fault
 * heals and closes the connection).
 */
export const FAULT_TOLERANT_REQUEST_TIMEOUT_MS = 30_000

let unnamed = 0

/** The endpoint of a client of `cluster`: its client proxies (or `line`'s), the run folder's client log. */
export function clientEndpoint(cluster: Cluster, opts: EndpointOptions = {}): ClientEndpoint {
  return {
    clientId: opts.clientId ?? `producer-${++unnamed}`,
    brokers: opts.line ? opts.line.bootstrap : cluster.bootstrap,
    connectionTimeoutMs: opts.connectionTimeoutMs ?? 3_000,
    requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
    logDir: cluster.descriptor.runDir,
  }
}
