import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startCluster, type ClusterDescriptor } from '../cluster/index.js'
import { loadResults, matrixText, reportsDir, writeReport } from '../report/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterDescriptor
  }
}

/**
 * Boots one cluster for the whole run (in vitest's main process, which owns it: every process of
 * the cluster dies with it) and hands its coordinates to the test files. At the end, writes the
 * durability report from the rows the scenario files saved.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (l: string) => console.log(`[cluster] ${l}`)
  rmSync(join(reportsDir(), 'results'), { recursive: true, force: true })
  const owned = await startCluster({ keepRunDir: true }, log)
  project.provide('cluster', owned.cluster.descriptor)
  return async () => {
    await owned.stop()
    log(`stopped; logs kept in ${owned.cluster.descriptor.runDir}`)
    const rows = loadResults()
    if (rows.length) {
      const out = writeReport(rows)
      console.log(`\n[report] ${rows.length} scenario runs\n${matrixText(rows)}\n[report] ${out.markdown}\n[report] ${out.html}\n[report] ${out.json}`)
    }
  }
}
