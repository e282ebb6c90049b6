import { inject } from 'vitest'
import { Cluster } from '../cluster/index.js'

let current: Cluster | undefined

/** The cluster of this run, rebuilt in this test file's process from the globalSetup's descriptor. */
export function cluster(): Cluster {
  current ??= Cluster.connect(inject('cluster'))
  return current
}

/** The cluster if this file has used it. */
export function usedCluster(): Cluster | undefined {
  return current
}

export async function closeCluster(): Promise<void> {
  const c = current
  current = undefined
  await c?.close()
}
