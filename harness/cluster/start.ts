import { rmSync } from 'node:fs'
import { ConfigError } from '../errors.js'
import { ensureRuntime } from '../runtime/install.js'
import { Cluster } from './cluster.js'
import { clusterSpec, type ClusterSpec } from './config.js'
import { startContainers } from './containers/index.js'
import { startNative } from './native.js'

export type ProviderName = 'native' | 'containers'

/** KAFKA_DURABILITY_PROVIDER picks the provider; native is the default (no container engine needed). */
export function providerFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderName {
  const v = env.KAFKA_DURABILITY_PROVIDER ?? 'native'
  if (v !== 'native' && v !== 'containers') throw new ConfigError('KAFKA_DURABILITY_PROVIDER', "must be 'native' or 'containers'", v)
  return v
}

/** The owner's handle on a started cluster: the cluster, and the one way to stop it. */
export interface OwnedCluster {
  cluster: Cluster
  /** Stops every process and the lifeline; removes the run folder unless kept. Idempotent. */
  stop(opts?: { keepRunDir?: boolean }): Promise<void>
}

/**
 * Starts a cluster owned by this process: resolves the runtime, starts Toxiproxy and the nodes,
 * waits until every broker is registered. Every process is tethered to this process's lifeline,
 * so nothing outlives it; SIGINT and SIGTERM stop the cluster before exiting.
 */
export async function startCluster(partial: Partial<ClusterSpec> = {}, log: (l: string) => void = () => {}): Promise<OwnedCluster> {
  const spec = clusterSpec(partial)
  const provider = providerFromEnv()
  const started = Date.now()
  const { descriptor, control, lifeline } = provider === 'native' ? await startNative(spec, await ensureRuntime(log), log) : await startContainers(spec, log)
  const cluster = Cluster.connect(descriptor, control)
  let stopped: Promise<void> | undefined
  const stop = (opts: { keepRunDir?: boolean } = {}): Promise<void> =>
    (stopped ??= (async () => {
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      await cluster.close().catch(() => {})
      await control.destroy().catch(() => {})
      lifeline.cut()
      if (!(opts.keepRunDir ?? spec.keepRunDir)) rmSync(descriptor.runDir, { recursive: true, force: true })
    })())
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping the cluster`)
    void stop().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  try {
    await cluster.waitForBrokers()
    log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: brokers ${cluster.nodeIds.join(', ')} via ${cluster.bootstrap.join(', ')}`)
  } catch (e) {
    const tails = cluster.logTails()
    await stop({ keepRunDir: true })
    throw new Error(`${(e as Error).message}\n${tails}`, { cause: e })
  }
  return { cluster, stop }
}

