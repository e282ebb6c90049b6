import { join } from 'node:path'
import { KAFKA_VERSION } from '../../runtime/versions.js'
import { JVM_OPTIONS, LOG4J2_PROPERTIES, lineListener, serverProperties } from '../config.js'
import { lineProxyName, proxyName } from '../toxiproxy.js'
import { PATHS, nodeFiles, type NodeDescriptor, type PathName, type ProxyDescriptor } from '../types.js'

/**
 * How the containers are wired, as data shared by the containers provider and docker-compose.yml
 * (tests/unit/compose.test.ts checks that the compose file says the same): the images, the
 * network aliases, the ports the brokers bind inside their containers, and the ports the Toxiproxy
 * container listens on for each node and path. Every path to a broker goes through Toxiproxy, with
 * the same proxy names as the native provider (kafka-<id>-client|replication|controller).
 */

/** Toxiproxy 2.12.0 is the version the native provider builds (harness/runtime/versions.ts). */
export const TOXIPROXY_IMAGE_VERSION = '2.12.0'

export const IMAGES = {
  /** The official image; scripts/containers-ci.sh builds a local one under the same name. */
  kafka: `apache/kafka:${KAFKA_VERSION}`,
  toxiproxy: `ghcr.io/shopify/toxiproxy:${TOXIPROXY_IMAGE_VERSION}`,
} as const

/** Network alias of the Toxiproxy container: what brokers dial to reach each other. */
export const TOXIPROXY_ALIAS = 'toxiproxy'
/** Toxiproxy's HTTP API port inside its container (the official image's default). */
export const TOXIPROXY_API_PORT = 8474

/** Ports each broker binds inside its own container (never reached except through Toxiproxy). */
export const BROKER_PORTS: Record<PathName, number> = { client: 9092, replication: 9093, controller: 9094 }

/**
 * Port the Toxiproxy container listens on for node `id`'s path: 19092, 19093, 19094 for the
 * clients of nodes 1-3 (docker-compose.yml publishes these on the host unchanged), 2909x for
 * replication, 3909x for the controller quorum.
 */
export function toxiproxyPort(id: number, path: PathName): number {
  const base: Record<PathName, number> = { client: 19091, replication: 29091, controller: 39091 }
  return base[path] + id
}

/** Port node `id`'s broker binds for client line k's listener (LINEk): 9095, 9096, … */
export function brokerLinePort(k: number): number {
  return BROKER_PORTS.controller + k
}

/**
 * Port the Toxiproxy container listens on for client line k in front of node `id`: 192k1, 192k2, …
 * (line 1: 19201-19209, line 2: 19211-19219). The provider publishes each on a host port, which the
 * node's LINEk listener advertises.
 */
export function toxiproxyLinePort(id: number, k: number): number {
  return 19200 + (k - 1) * 10 + id
}

export function brokerAlias(id: number): string {
  return `kafka-${id}`
}

/** One Toxiproxy proxy as Toxiproxy itself sees it (its -config file format). */
export interface ToxiproxyProxyConfig {
  name: string
  listen: string
  upstream: string
  enabled: boolean
}

/**
 * The proxies of `nodes` nodes, as created in the Toxiproxy container: each path's, and each of
 * `lines` client lines' (disabled until a line is opened on it; harness/cluster/lines.ts).
 */
export function toxiproxyProxies(nodes: number, lines = 0): ToxiproxyProxyConfig[] {
  const out: ToxiproxyProxyConfig[] = []
  for (let id = 1; id <= nodes; id++) {
    for (const path of PATHS) {
      out.push({ name: proxyName(id, path), listen: `0.0.0.0:${toxiproxyPort(id, path)}`, upstream: `${brokerAlias(id)}:${BROKER_PORTS[path]}`, enabled: true })
    }
    for (let k = 1; k <= lines; k++) {
      out.push({ name: lineProxyName(id, k), listen: `0.0.0.0:${toxiproxyLinePort(id, k)}`, upstream: `${brokerAlias(id)}:${brokerLinePort(k)}`, enabled: false })
    }
  }
  return out
}

/**
 * Node `id` as clients and the harness see it: its client proxy and each of `lines` client lines'
 * proxies at the host address their port in the Toxiproxy container is `published` on (what the
 * node advertises to clients); replication and controller proxies at the Toxiproxy container's
 * alias, in front of the broker's own ports.
 */
export function containerNode(runDir: string, id: number, lines: number, published: (port: number) => string): NodeDescriptor {
  const inside = (path: 'replication' | 'controller'): ProxyDescriptor => ({
    name: proxyName(id, path),
    listen: `${TOXIPROXY_ALIAS}:${toxiproxyPort(id, path)}`,
    upstream: `${brokerAlias(id)}:${BROKER_PORTS[path]}`,
  })
  return {
    id,
    ...nodeFiles(join(runDir, `node-${id}`)),
    ports: { ...BROKER_PORTS, lines: Array.from({ length: lines }, (_, k) => brokerLinePort(k + 1)) },
    proxies: {
      client: { name: proxyName(id, 'client'), listen: published(toxiproxyPort(id, 'client')), upstream: `${brokerAlias(id)}:${BROKER_PORTS.client}` },
      replication: inside('replication'),
      controller: inside('controller'),
    },
    lines: Array.from({ length: lines }, (_, i) => ({
      name: lineProxyName(id, i + 1),
      listen: published(toxiproxyLinePort(id, i + 1)),
      upstream: `${brokerAlias(id)}:${brokerLinePort(i + 1)}`,
    })),
  }
}

/** Where the official image keeps a broker's data (a volume) and takes mounted config from. */
export const DATA_DIR = '/var/lib/kafka/data'
export const MOUNTED_CONFIG_DIR = '/mnt/shared/config'
/** kafka-run-class.sh's LOG_DIR default in the image: server.log and the GC log go here. */
export const IMAGE_LOG_DIR = '/opt/kafka/logs'

/**
 * server.properties of node `id` in a container: the same settings as the native provider
 * (serverProperties: TUNED_SETTINGS, roles, listener names), with container addresses. Clients are
 * told `clientAddress` (a host address of its client proxy), and a client of line k
 * `lineAddresses[k - 1]` (a host address of the node's line-k proxy); the other nodes reach this
 * one, and the quorum, through the Toxiproxy container's alias.
 */
export function containerServerProperties(opts: { id: number; nodes: number; clientAddress: string; lineAddresses?: readonly string[]; extra?: Record<string, string> }): string {
  const { id } = opts
  const lines = opts.lineAddresses ?? []
  return serverProperties({
    id,
    listen: { ...BROKER_PORTS, lines: lines.map((_, i) => brokerLinePort(i + 1)) },
    proxied: { client: toxiproxyPort(id, 'client'), replication: toxiproxyPort(id, 'replication'), controller: toxiproxyPort(id, 'controller'), lines: lines.map((_, i) => toxiproxyLinePort(id, i + 1)) },
    voters: quorumVoters(opts.nodes),
    dataDir: DATA_DIR,
    extra: opts.extra ?? {},
    // The brokers bind every interface of their containers and advertise the proxies by the
    // address each reader uses: clients on the host, the other brokers inside the network.
    bindHost: '0.0.0.0',
    advertised: {
      CLIENT: opts.clientAddress,
      REPLICATION: `${TOXIPROXY_ALIAS}:${toxiproxyPort(id, 'replication')}`,
      ...Object.fromEntries(lines.map((a, i) => [lineListener(i + 1), a])),
    },
  })
}

export function quorumVoters(nodes: number): string {
  return Array.from({ length: nodes }, (_, i) => `${i + 1}@${TOXIPROXY_ALIAS}:${toxiproxyPort(i + 1, 'controller')}`).join(',')
}

/** JVM_OPTIONS split the way Kafka's scripts take them. */
export function jvmEnvironment(): { KAFKA_HEAP_OPTS: string; KAFKA_JVM_PERFORMANCE_OPTS: string } {
  const heap = JVM_OPTIONS.filter((o) => /^-Xm[sx]/.test(o))
  const rest = JVM_OPTIONS.filter((o) => !heap.includes(o))
  return { KAFKA_HEAP_OPTS: heap.join(' '), KAFKA_JVM_PERFORMANCE_OPTS: rest.join(' ') }
}

/**
 * The native log4j2 configuration (server.log at INFO, console at WARN), plus the console's
 * warnings in output.log: in a container the console is `docker logs`, and the harness reads its
 * nodes' logs from files.
 */
export const CONTAINER_LOG4J2_PROPERTIES = `${LOG4J2_PROPERTIES}rootLogger.appenderRef.output.ref = OUTPUT
rootLogger.appenderRef.output.level = WARN
appender.output.type = File
appender.output.name = OUTPUT
appender.output.fileName = \${sys:kafka.logs.dir}/output.log
appender.output.layout.type = PatternLayout
appender.output.layout.pattern = [%d] %p %m (%c)%n
`

/**
 * The property a KAFKA_* variable sets in the official image (kafka.docker.KafkaDockerWrapper: the
 * name without KAFKA_, lower-cased, '_' read as '.', '___' as '-', '__' as '_').
 */
export function propertyOfKafkaEnv(name: string): string {
  return name.replace(/^KAFKA_/, '').toLowerCase().replace(/_/g, '.').replace(/\.\.\./g, '-').replace(/\.\./g, '_')
}

/** Labels on everything a run creates: the reaper and teardown find them by the run label. */
export const RUN_LABEL = 'kafka-durability.run'
/** The containers that hold a node's network namespace carry ROLE_LABEL=NETNS_ROLE. */
export const ROLE_LABEL = 'kafka-durability.role'
export const NETNS_ROLE = 'netns'
/** What a network holder runs (any image with /bin/sh): nothing, until told to stop. */
export const NETNS_HOLDER_SCRIPT = 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'
export function runLabels(runId: string): Record<string, string> {
  return { [RUN_LABEL]: runId, 'kafka-durability.provider': 'containers' }
}
