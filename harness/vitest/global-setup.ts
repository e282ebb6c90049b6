import type { TestProject } from 'vitest/node'
import { startCluster, type ClusterDescriptor } from '../cluster/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterDescriptor
  }
}

/**
 * Boots one cluster for the whole run (in vitest's main process, which owns it: every process of
 * the cluster dies with it) and hands its coordinates to the test files.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (l: string) => console.log(`[cluster] ${l}`)
  const owned = await startCluster({ keepRunDir: true }, log)
  project.provide('cluster', owned.cluster.descriptor)
  return async () => {
    await owned.stop()
    log(`stopped; logs kept in ${owned.cluster.descriptor.runDir}`)
  }
}
