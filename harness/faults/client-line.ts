import type { Proxy } from 'toxiproxy-node-client'
import type { Cluster } from '../cluster/index.js'
import { ConfigError } from '../errors.js'
import type { Target } from './fault.js'
import { ProxyFault, type ProxySite, type Toxic } from './network-faults.js'

/**
 * One client's own line to the cluster: one of the cluster's client lines (harness/cluster/lines.ts),
 * a listener LINEk on every node, each behind a Toxiproxy proxy of its own and advertising it. A
 * client given the line's `bootstrap` is told only the line's proxies in every metadata answer (a
 * broker answers with the endpoints of the listener the request came in on), so all its
 * connections go through them, with no hook in the client: any client library, in any process.
 * A fault on the line hits that client's connections and nobody else's: the harness's admin
 * client, readers and other producers reach the same broker through the node's client proxy or
 * their own line. That is what lets a scenario drop the answers to one producer and still watch,
 * from the leader itself, that its records were written.
 *
 * Cluster-wide faults on a node's client path (a cut client path, an isolated node) act on the
 * node's line proxies too, so they reach the line's client as they reach every other.
 *
 *   const line = await ClientLine.open(cluster, 'payment-service')
 *   const kafka = cluster.kafka({ brokers: line.bootstrap })
 *   await withFault(cluster, dropResponsesOn(line, { leaderOf: { topic, partition: 0 } }), …)
 *   await line.close()
 */
export class ClientLine {
  private closed = false

  private constructor(
    readonly name: string,
    private readonly cluster: Cluster,
    /** Which of the cluster's lines (1-based): the nodes' LINE<index> listeners. */
    readonly index: number,
  ) {}

  /**
   * Claims a free line of the cluster and enables its proxies. Fails with LinesExhaustedError,
   * naming who holds each line and the fix, when all are held.
   */
  static async open(cluster: Cluster, name: string): Promise<ClientLine> {
    if (!/^[a-z0-9-]+$/.test(name)) throw new ConfigError('client line name', 'must be lower-case letters, digits and dashes', name)
    const line = new ClientLine(name, cluster, cluster.lines.claim(name))
    try {
      await cluster.lines.enable(line.index)
    } catch (e) {
      await line.close()
      throw e
    }
    return line
  }

  /** The addresses a client of this line is given (and the only ones it is ever told): the line's proxy in front of each node. */
  get bootstrap(): string[] {
    return this.cluster.lines.bootstrap(this.index)
  }

  /** Whether close() has run: a closed line's proxies are no longer its. */
  get isClosed(): boolean {
    return this.closed
  }

  proxy(nodeId: number): Promise<Proxy> {
    return this.cluster.topology.api.get(this.cluster.lines.proxyName(this.index, nodeId))
  }

  /**
   * Disables the line's proxies (its connections close and new ones are refused, as for a client
   * process that is gone), removes any toxic on them, and gives the line back. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    try {
      await this.cluster.lines.disable(this.index)
    } finally {
      this.cluster.lines.release(this.index, this.name)
    }
  }
}

/** A toxic or a cut on the line's proxy in front of one node (see ProxyFault). */
export type LineFault = ProxyFault

function onLine(line: ClientLine): ProxySite {
  return {
    proxies: async (_cluster, node) => {
      if (line.isClosed) throw new ConfigError(`client line ${line.name}`, 'is closed: a fault on it would hit whoever holds its listener next; apply faults on a line before closing it')
      return [await line.proxy(node)]
    },
    describe: (label) => `${line.name}'s line to ${label}`,
  }
}

function lineFault(name: string, line: ClientLine, target: Target, what: string, toxic?: Toxic): LineFault {
  return new ProxyFault(name, target, onLine(line), what, toxic)
}

/**
 * The line's requests reach the broker, its answers never come back (a `timeout` toxic with
 * timeout 0 on the downstream side drops them); the connection stays open while the fault holds.
 * Healing closes the connections it held: Toxiproxy's timeout toxic closes its stub when it is
 * removed (toxics/timeout.go `Cleanup`), so the client sees "Closed connection" at the heal, not
 * a request timeout later. Other clients are untouched.
 */
export const dropResponsesOn = (line: ClientLine, target: Target): LineFault =>
  lineFault('line-drop-responses', line, target, 'responses dropped (downstream timeout toxic)', { type: 'timeout', stream: 'downstream', attributes: { timeout: 0 } })

/**
 * The line's connections to the node are closed and new ones refused until healed (the line's
 * proxy is disabled). Nothing sent while cut reaches the broker.
 */
export const cutLine = (line: ClientLine, target: Target): LineFault => lineFault('line-cut', line, target, 'connections closed and refused')

/**
 * The line's connections are reset (TCP RST) as soon as the client sends on them; the data that
 * triggered the reset is dropped, never delivered (Toxiproxy's reset_peer on the upstream side).
 */
export const resetPeerOn = (line: ClientLine, target: Target): LineFault =>
  lineFault('line-reset-peer', line, target, 'connections reset on the next request (reset_peer toxic)', { type: 'reset_peer', stream: 'upstream', attributes: { timeout: 0 } })


/**
 * Each of the line's connections to the node may carry `bytes` bytes towards the broker; the
 * request that crosses the limit is cut short and the connection closed (Toxiproxy's limit_data
 * on the upstream side), so a request bigger than `bytes` can never arrive while smaller ones,
 * on fresh connections, still do.
 */
export const limitRequestBytesOn = (line: ClientLine, target: Target, bytes: number): LineFault =>
  lineFault('line-limit-data', line, target, `connections closed after ${bytes} request bytes (limit_data toxic)`, { type: 'limit_data', stream: 'upstream', attributes: { bytes } })
