import { chmodSync, createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { GenericContainer as GenericContainerType } from 'testcontainers'
import { RuntimeRequirementError } from '../../errors.js'
import { KAFKA_VERSION } from '../../runtime/versions.js'
import { newClusterId, type ClusterSpec } from '../config.js'
import type { Started } from '../native.js'
import type { OpenRun } from '../run.js'
import { Topology } from '../toxiproxy.js'
import { PATHS, type ClusterDescriptor, type NodeDescriptor } from '../types.js'
import { ContainersControl, type ContainersData } from './control.js'
import { engine } from './engine.js'
import { logGrowth } from './logs.js'
import { STARTED_MARK, spawnReaper } from './reaper.js'
import {
  CONTAINER_LOG4J2_PROPERTIES,
  IMAGES,
  IMAGE_LOG_DIR,
  MOUNTED_CONFIG_DIR,
  TOXIPROXY_ALIAS,
  TOXIPROXY_API_PORT,
  NETNS_HOLDER_SCRIPT,
  NETNS_ROLE,
  ROLE_LABEL,
  brokerAlias,
  containerNode,
  containerServerProperties,
  jvmEnvironment,
  runLabels,
  toxiproxyLinePort,
  toxiproxyPort,
  toxiproxyProxies,
} from './wiring.js'

/**
 * The containers provider: the same cluster as the native one (three combined KRaft nodes, every
 * path through Toxiproxy, the same settings) from the images apache/kafka and
 * ghcr.io/shopify/toxiproxy on one container network, started with testcontainers. Clients reach
 * the client proxies on host ports; brokers reach each other through the Toxiproxy container's
 * alias. Everything is labelled with the run id and removed at teardown; a reaper tied to the
 * owner's lifeline removes it if the owner dies first (testcontainers' Ryuk is not relied on).
 */
export async function startContainers(spec: ClusterSpec, opened: OpenRun, log: (l: string) => void): Promise<Started> {
  const client = await engine()
  const { runDir } = opened
  const runId = opened.runId.toLowerCase()
  const labels = runLabels(runId)
  const data: ContainersData = {
    runId,
    network: `kd-${runId}`,
    reaperPidFile: join(runDir, 'reaper.pid'),
    toxiproxy: { id: '', name: '' },
    nodes: {},
  }
  const descriptor: ClusterDescriptor = {
    provider: 'containers',
    runDir,
    lifeline: opened.lifeline.path,
    clusterId: newClusterId(),
    kafkaVersion: KAFKA_VERSION,
    toxiproxyApi: '',
    bootstrap: [],
    nodes: [],
    provider_data: data as unknown as Record<string, unknown>,
  }
  const control = new ContainersControl(descriptor)
  try {
    await spawnReaper({ lifeline: opened.lifeline.path, runId, pidFile: data.reaperPidFile, logFile: join(runDir, 'reaper.log') })
    await client.network.create({ Name: data.network, Driver: 'bridge', CheckDuplicate: true, Labels: labels })
    const tc = await import('testcontainers')
    const run: Run = { spec, data, descriptor, image: (name) => new tc.GenericContainer(name).withLabels(labels).withNetworkMode(data.network), tc }

    const holders = await Promise.all(Array.from({ length: spec.nodes }, (_, i) => startHolder(run, i + 1)))
    const toxiproxy = await startToxiproxy(run)
    log(`Toxiproxy container ${data.toxiproxy.name} up with ${spec.nodes * PATHS.length} proxies and ${spec.lines} client line${spec.lines === 1 ? '' : 's'} (${spec.nodes * spec.lines} proxies); API ${descriptor.toxiproxyApi}`)
    const published = (port: number) => `${toxiproxy.getHost()}:${toxiproxy.getMappedPort(port)}`
    for (let id = 1; id <= spec.nodes; id++) descriptor.nodes.push(nodeDescriptor(runDir, id, spec.lines, published))
    descriptor.bootstrap = descriptor.nodes.map((n) => n.proxies.client.listen)

    log(`starting ${spec.nodes} Kafka ${KAFKA_VERSION} containers (${IMAGES.kafka}) on network ${data.network}`)
    await Promise.all(descriptor.nodes.map((node, i) => startBroker(run, node, `container:${holders[i]}`, control)))
    writeFileSync(join(runDir, STARTED_MARK), `${new Date().toISOString()}\n`)
    return { descriptor, control }
  } catch (e) {
    await control.destroy().catch(() => {})
    throw e
  }
}

/** What the steps of a start share. */
interface Run {
  spec: ClusterSpec
  data: ContainersData
  descriptor: ClusterDescriptor
  /** A configured container of `name`, labelled with the run and on its network. */
  image: (name: string) => GenericContainerType
  tc: typeof import('testcontainers')
}

/**
 * Node `id`'s network namespace, held by a container of its own that the broker joins: a killed
 * or stopped broker leaves its address up, so connections to it are refused at once (as on a
 * machine whose Kafka process died) instead of hanging on an address that vanished. Returns its id.
 */
async function startHolder(run: Run, id: number): Promise<string> {
  const holder = await start(
    run
      .image(IMAGES.kafka)
      .withName(`${run.data.network}-${brokerAlias(id)}-net`)
      .withLabels({ [ROLE_LABEL]: NETNS_ROLE })
      .withNetworkAliases(brokerAlias(id))
      .withEntrypoint(['/bin/sh', '-c', NETNS_HOLDER_SCRIPT])
      .withCommand(['netns-holder']),
    IMAGES.kafka,
  )
  return holder.getId()
}

/** Toxiproxy with every node's proxies, its API, client proxies and client lines' proxies published on host ports. */
async function startToxiproxy(run: Run) {
  const { spec, data, descriptor, tc } = run
  const clientPorts = Array.from({ length: spec.nodes }, (_, i) => toxiproxyPort(i + 1, 'client'))
  const linePorts = Array.from({ length: spec.nodes }, (_, i) => Array.from({ length: spec.lines }, (_, k) => toxiproxyLinePort(i + 1, k + 1))).flat()
  const toxiproxyLog = createWriteStream(join(descriptor.runDir, 'toxiproxy.log'), { flags: 'a' })
  const toxiproxy = await start(
    run
      .image(IMAGES.toxiproxy)
      .withName(`${data.network}-toxiproxy`)
      .withNetworkAliases(TOXIPROXY_ALIAS)
      .withExposedPorts(TOXIPROXY_API_PORT, ...clientPorts, ...linePorts)
      .withLogConsumer((s) => s.pipe(toxiproxyLog))
      .withWaitStrategy(tc.Wait.forHttp('/version', TOXIPROXY_API_PORT))
      .withStartupTimeout(30_000),
    IMAGES.toxiproxy,
  )
  data.toxiproxy = { id: toxiproxy.getId(), name: toxiproxy.getName().replace(/^\//, '') }
  writeFileSync(join(descriptor.runDir, 'toxiproxy.pid'), `${(await (await engine()).container.getById(toxiproxy.getId()).inspect()).State.Pid}\n`)
  descriptor.toxiproxyApi = `http://${toxiproxy.getHost()}:${toxiproxy.getMappedPort(TOXIPROXY_API_PORT)}`
  const topology = new Topology(descriptor.toxiproxyApi)
  await topology.waitReady()
  for (const p of toxiproxyProxies(spec.nodes, spec.lines)) await topology.api.createProxy(p)
  return toxiproxy
}

/**
 * A broker in the official image's way: server.properties and the log4j2 configuration in
 * /mnt/shared/config, CLUSTER_ID and the JVM options in the environment, the image's entrypoint.
 * It writes its logs into the node's run folder (a bind mount). Resolves once it logged that it started.
 */
async function startBroker(run: Run, node: NodeDescriptor, networkMode: string, control: ContainersControl): Promise<void> {
  const { spec, data, descriptor } = run
  const properties = containerServerProperties({ id: node.id, nodes: spec.nodes, clientAddress: node.proxies.client.listen, lineAddresses: node.lines.map((l) => l.listen), extra: spec.brokerConfig })
  writeFileSync(node.configFile, properties)
  const grown = logGrowth(node.serverLog)
  const name = `${data.network}-${brokerAlias(node.id)}`
  const started = await start(
    run
      .image(IMAGES.kafka)
      .withName(name)
      .withLabels({ 'kafka-durability.node': String(node.id) })
      .withNetworkMode(networkMode)
      .withEnvironment({
        CLUSTER_ID: descriptor.clusterId,
        ...jvmEnvironment(),
        KAFKA_LOG4J_OPTS: `-Dlog4j2.configurationFile=${MOUNTED_CONFIG_DIR}/log4j2.properties`,
      })
      .withCopyContentToContainer([
        { content: properties, target: `${MOUNTED_CONFIG_DIR}/server.properties` },
        { content: CONTAINER_LOG4J2_PROPERTIES, target: `${MOUNTED_CONFIG_DIR}/log4j2.properties` },
      ])
      .withBindMounts([{ source: node.dir, target: IMAGE_LOG_DIR }]),
    IMAGES.kafka,
  )
  data.nodes[String(node.id)] = { id: started.getId(), name }
  await control.waitStarted(node, (await engine()).container.getById(started.getId()), name, grown)
}

/** Node `id`'s descriptor (containerNode), with its run folder made writable for the image's user. */
function nodeDescriptor(runDir: string, id: number, lines: number, published: (port: number) => string): NodeDescriptor {
  const node = containerNode(runDir, id, lines, published)
  mkdirSync(node.dir, { recursive: true })
  // The image runs Kafka as its own user (appuser, uid 1000), which writes the logs here.
  chmodSync(node.dir, 0o777)
  return node
}

/** Starts a configured container; an image that is neither present nor pullable gets its fix named. */
async function start(container: GenericContainerType, image: string) {
  try {
    return await container.start()
  } catch (e) {
    const msg = (e as Error).message
    if (/pull|manifest|no such image|image not known|unauthorized|denied|registry/i.test(msg)) {
      throw new RuntimeRequirementError(
        `image ${image}`,
        `not present and not pullable here (${msg.split('\n')[0]})`,
        'pull it where a registry is reachable, or build the local stand-in under the same name with `bash scripts/containers-ci.sh images`',
      )
    }
    throw e
  }
}
