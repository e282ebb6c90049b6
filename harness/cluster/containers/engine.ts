import type { ContainerRuntimeClient } from 'testcontainers'
import { RuntimeRequirementError } from '../../errors.js'
import { NETNS_ROLE, ROLE_LABEL, RUN_LABEL } from './wiring.js'

/**
 * The container engine, reached through testcontainers' own runtime client (the same DOCKER_HOST,
 * docker context and ~/.testcontainers.properties resolution as the containers it starts).
 * testcontainers is imported on first use, so the native provider never loads it.
 */
let client: Promise<ContainerRuntimeClient> | undefined

/** A container handle of the Docker API (dockerode's, as testcontainers hands it out). */
export type Container = ReturnType<ContainerRuntimeClient['container']['getById']>

export function engine(): Promise<ContainerRuntimeClient> {
  client ??= (async () => {
    const tc = await import('testcontainers')
    let c: ContainerRuntimeClient
    try {
      c = await tc.getContainerRuntimeClient()
    } catch (e) {
      client = undefined
      throw noEngine(e)
    }
    tolerateUnpublishedExposedPorts(c)
    publishOnLoopbackOnly(c)
    return c
  })()
  return client
}

/**
 * Podman's Docker API lists every port an image EXPOSEs in HostConfig.PortBindings, with no
 * binding (null) when nothing publishes it; Docker leaves such ports out. testcontainers 11 waits
 * until every PortBindings entry is bound, which for apache/kafka's EXPOSE 9092 never happens (the
 * brokers publish nothing: clients go through Toxiproxy). So the shared client's inspect drops
 * the null entries; against Docker this changes nothing.
 */
function tolerateUnpublishedExposedPorts(c: ContainerRuntimeClient): void {
  const inspect = c.container.inspect.bind(c.container)
  c.container.inspect = async (container) => {
    const info = await inspect(container)
    const bindings = info.HostConfig?.PortBindings as Record<string, unknown> | undefined
    for (const [port, b] of Object.entries(bindings ?? {})) if (b === null) delete bindings?.[port]
    return info
  }
}

/**
 * Every port a container of the run publishes is bound to 127.0.0.1, not to every interface
 * (Docker's default host IP): Toxiproxy's API has no authentication and can open a proxy to any
 * address the machine reaches. testcontainers 11 has no option for the host IP, so the shared
 * client's create fills it in where a binding names none.
 */
function publishOnLoopbackOnly(c: ContainerRuntimeClient): void {
  const create = c.container.create.bind(c.container)
  c.container.create = (opts) => {
    for (const bindings of Object.values(opts.HostConfig?.PortBindings ?? {}) as { HostIp?: string }[][]) {
      for (const b of bindings ?? []) if (!b.HostIp) b.HostIp = LOOPBACK
    }
    return create(opts)
  }
}

const LOOPBACK = '127.0.0.1'

export function noEngine(e: unknown): RuntimeRequirementError {
  const where = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'the default Docker socket (DOCKER_HOST is not set)'
  return new RuntimeRequirementError(
    'container engine',
    `no Docker API at ${where} (${(e as Error).message.split('\n')[0]})`,
    'start Docker, or Podman\'s Docker API with `podman system service --time=0 unix:///<dir>/podman.sock` and export DOCKER_HOST=unix:///<dir>/podman.sock (scripts/containers-ci.sh does both); or run with KAFKA_DURABILITY_PROVIDER=native',
  )
}

/** HTTP status of a Docker API error (dockerode puts it on the error), if any. */
export function statusOf(e: unknown): number | undefined {
  const code = (e as { statusCode?: unknown }).statusCode
  return typeof code === 'number' ? code : undefined
}

/**
 * Removes every container (forced, with its anonymous volumes) and network labelled with the
 * run id. Idempotent: what is already gone is skipped. Returns what it removed.
 */
export async function removeRun(c: ContainerRuntimeClient, runId: string): Promise<string[]> {
  const filters = { label: [`${RUN_LABEL}=${runId}`] }
  const docker = c.container.dockerode
  const removed: string[] = []
  const containers = await docker.listContainers({ all: true, filters })
  // Brokers first: a container whose network namespace others share cannot go before them.
  const holders = containers.filter((c) => c.Labels[ROLE_LABEL] === NETNS_ROLE)
  for (const batch of [containers.filter((c) => !holders.includes(c)), holders]) {
    await Promise.all(
      batch.map(async (info) => {
        try {
          await docker.getContainer(info.Id).remove({ force: true, v: true })
          removed.push(`container ${info.Names[0]?.replace(/^\//, '') ?? info.Id}`)
        } catch (e) {
          if (statusOf(e) !== 404) throw e
        }
      }),
    )
  }
  for (const net of await docker.listNetworks({ filters })) {
    try {
      await docker.getNetwork(net.Id).remove()
      removed.push(`network ${net.Name}`)
    } catch (e) {
      if (statusOf(e) !== 404) throw e
    }
  }
  return removed
}
