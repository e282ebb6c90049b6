import { rmSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import { ConfigError } from '../errors.js'
import { ensureRuntime } from '../runtime/install.js'
import { Cluster } from './cluster.js'
import { clusterSpec, specFromEnv, type ClusterSpec } from './config.js'
import { startContainers } from './containers/index.js'
import { startNative, type Started } from './native.js'
import { followParent, openRun, recordEnding, type EndingReason } from './run.js'

export type ProviderName = 'native' | 'containers'

/** KAFKA_DURABILITY_PROVIDER picks the provider; native is the default (no container engine needed). */
export function providerFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderName {
  const v = env.KAFKA_DURABILITY_PROVIDER ?? 'native'
  if (v !== 'native' && v !== 'containers') throw new ConfigError('KAFKA_DURABILITY_PROVIDER', "must be 'native' or 'containers'", v)
  return v
}

/** How a run ended, as its owner records it in the run folder (run.ts). */
export interface RunEnding {
  reason: EndingReason
  detail?: string
}

/** The owner's handle on a started cluster: the cluster, and the one way to stop it. */
export interface OwnedCluster {
  cluster: Cluster
  /**
   * Records how the run ended (default: completed), stops every process and the lifeline, and
   * removes the run folder if the run completed and the folder is not to be kept. Idempotent.
   */
  stop(opts?: { keepRunDir?: boolean; ending?: RunEnding }): Promise<void>
}

/** Signals on which an owner ends its run; their default action would end the process without a word. */
const ENDING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Starts a cluster owned by this process: resolves the runtime, starts Toxiproxy and the nodes,
 * waits until every broker is registered. The environment's shape (config.ts specFromEnv) applies
 * where `partial` says nothing. Every process is tethered to this process's lifeline,
 * so nothing outlives it. From the moment the run folder exists, SIGINT, SIGTERM, SIGHUP and the
 * death of this process's parent end the run: the ending is recorded first (synchronously: vitest
 * exits the process right after its own SIGINT handler), then the cluster is stopped and the
 * process exits; whatever is not stopped by then dies with the lifeline.
 */
export async function startCluster(partial: Partial<ClusterSpec> = {}, log: (l: string) => void = () => {}): Promise<OwnedCluster> {
  const spec = clusterSpec({ ...specFromEnv(), ...partial })
  const provider = providerFromEnv()
  if (spec.powerfs && provider !== 'native') throw new ConfigError('powerfs', 'needs the native provider (FUSE mounts on this machine); unset KAFKA_DURABILITY_PROVIDER or set it to native', provider)
  const t0 = Date.now()
  const run = openRun(spec)
  log(`run folder ${run.runDir}`)
  let started: (Started & { cluster: Cluster }) | undefined
  let stopping: Promise<void> | undefined
  const stop = (opts: { keepRunDir?: boolean; ending?: RunEnding } = {}): Promise<void> =>
    (stopping ??= (async () => {
      const ending = opts.ending ?? { reason: 'completed' }
      recordEnding(run.runDir, ending)
      unhook()
      await started?.cluster.close().catch(() => {})
      await started?.control.destroy().catch(() => {})
      run.lifeline.cut()
      if (ending.reason === 'completed' && !(opts.keepRunDir ?? spec.keepRunDir)) rmSync(run.runDir, { recursive: true, force: true })
    })())
  const unhook = hookEndings(run.runDir, (ending, exitCode) => {
    log(`${ending.reason}${ending.detail ? ` (${ending.detail})` : ''}: stopping the cluster`)
    void stop({ ending }).finally(() => process.exit(exitCode))
  })
  let cluster: Cluster | undefined
  try {
    const s = provider === 'native' ? await startNative(spec, run, await ensureRuntime(log), log) : await startContainers(spec, run, log)
    cluster = Cluster.connect(s.descriptor, s.control)
    started = { ...s, cluster }
    await cluster.waitForBrokers()
    log(`cluster up in ${((Date.now() - t0) / 1000).toFixed(1)} s: brokers ${cluster.nodeIds.join(', ')} via ${cluster.bootstrap.join(', ')}`)
  } catch (e) {
    const tails = cluster?.logTails() ?? ''
    await stop({ keepRunDir: true, ending: { reason: 'start failed', detail: (e as Error).message.split('\n')[0] } })
    throw tails ? new Error(`${(e as Error).message}\n${tails}`, { cause: e }) : e
  }
  return { cluster, stop }
}

/**
 * Ends the run (through `end`) on an ending signal or when this process's parent is gone, and
 * records `exited` if the process exits with the run still open. Returns a function that unhooks.
 */
function hookEndings(runDir: string, end: (ending: RunEnding, exitCode: number) => void): () => void {
  const now = (ending: RunEnding, exitCode: number) => {
    recordEnding(runDir, ending)
    end(ending, exitCode)
  }
  const onSignal = (sig: NodeJS.Signals) => now({ reason: sig as EndingReason }, 128 + (osConstants.signals[sig] ?? 0))
  const onExit = (code: number) => recordEnding(runDir, { reason: 'exited', detail: `the owner exited with code ${code} without stopping the run; its lifeline stopped it` })
  // First in line: whoever else listens (vitest) may exit the process at once, also from its own
  // 'exit' listener, which skips the listeners after it.
  for (const sig of ENDING_SIGNALS) process.prependListener(sig, onSignal)
  process.prependListener('exit', onExit)
  const unfollow = followParent((why) => now({ reason: 'parent vanished', detail: why }, 128 + osConstants.signals.SIGTERM))
  return () => {
    for (const sig of ENDING_SIGNALS) process.off(sig, onSignal)
    process.off('exit', onExit)
    unfollow()
  }
}
