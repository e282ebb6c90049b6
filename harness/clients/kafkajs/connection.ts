/**
 * A kafkajs client for one producer, built from a ClientEndpoint (plain data), and the one piece
 * of kafkajs's internal state the seam reads: the producer id and epoch.
 */
import { join } from 'node:path'
import kafkajs from 'kafkajs'
import type { Kafka, LogEntry, logCreator } from 'kafkajs'
import { CLIENT_LOG_LEVEL, fileLogCreator } from '../../cluster/client-log.js'
import type { ClientEndpoint } from '../endpoint.js'
import type { ProducerIdentity } from '../types.js'

/** The endpoint's client log (WARN and up, unless KAFKAJS_LOG_LEVEL=debug) in its folder, each entry also handed to `hook`. */
function logTo(endpoint: ClientEndpoint, hook: (entry: LogEntry) => void): logCreator {
  const file = endpoint.logDir === undefined ? undefined : fileLogCreator(join(endpoint.logDir, 'kafkajs.log'), endpoint.clientId)
  return (level) => {
    const write = file?.(level)
    return (entry) => {
      write?.(entry)
      hook(entry)
    }
  }
}

/** A kafkajs client as the harness's own (Cluster.kafka) are built: the same timeouts and log, at the endpoint's addresses. */
export function kafkaAt(endpoint: ClientEndpoint, onLog: (entry: LogEntry) => void = () => {}): Kafka {
  return new kafkajs.Kafka({
    clientId: endpoint.clientId,
    brokers: [...endpoint.brokers],
    connectionTimeout: endpoint.connectionTimeoutMs,
    requestTimeout: endpoint.requestTimeoutMs,
    logLevel: CLIENT_LOG_LEVEL,
    logCreator: logTo(endpoint, onLog),
  })
}

interface InternalBroker {
  initProducerId(args: object): Promise<{ producerId: number; producerEpoch: number }>
}
interface InternalCluster {
  findControllerBroker(): Promise<InternalBroker>
  findGroupCoordinator(args: object): Promise<InternalBroker>
}

/**
 * Calls `seen` with every producer id and epoch the producers of `kafka` are given.
 *
 * kafkajs 2.2.4 keeps a producer's eosManager (which holds them: getProducerId(),
 * getProducerEpoch()) in a closure of createProducer and hands out no reference to it. What it
 * stores there is exactly the answer to its InitProducerId request (eosManager/index.js
 * initProducerId: `producerId = result.producerId; producerEpoch = result.producerEpoch`), which it
 * asks of the broker that `cluster.findControllerBroker()` (idempotent) or
 * `cluster.findGroupCoordinator()` (the transaction coordinator) returns. So the producer's own
 * cluster (the Kafka instance's private createCluster, one cluster per producer) returns brokers
 * whose initProducerId passes its answer on. Nothing else of kafkajs changes.
 */
export function watchProducerIds(kafka: Kafka, seen: (identity: ProducerIdentity) => void): void {
  const holder = kafka as unknown as Record<symbol, (opts: object) => InternalCluster>
  const key = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster')
  const create = key === undefined ? undefined : holder[key]
  if (key === undefined || create === undefined) throw new Error('kafkajs has no private:Kafka:createCluster any more: the producer id cannot be read (harness/clients/kafkajs/connection.ts is written for kafkajs 2.2.4)')
  const watched = new WeakSet<InternalBroker>()
  const watch = (broker: InternalBroker): InternalBroker => {
    if (watched.has(broker)) return broker
    watched.add(broker)
    const init = broker.initProducerId.bind(broker)
    broker.initProducerId = async (args) => {
      const answer = await init(args)
      seen({ producerId: Number(answer.producerId), epoch: Number(answer.producerEpoch) })
      return answer
    }
    return broker
  }
  holder[key] = (opts) => {
    const cluster = create(opts)
    const controller = cluster.findControllerBroker.bind(cluster)
    const coordinator = cluster.findGroupCoordinator.bind(cluster)
    cluster.findControllerBroker = async () => watch(await controller())
    cluster.findGroupCoordinator = async (args) => watch(await coordinator(args))
    return cluster
  }
}
