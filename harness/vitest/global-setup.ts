import { rmSync } from 'node:fs'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { startCluster, type ClusterDescriptor, type RunEnding } from '../cluster/index.js'
import { loadResults, matrixText, reportsDir, writeReport } from '../report/index.js'

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterDescriptor
  }
}

/**
 * Boots one cluster for the whole run (in vitest's main process, which owns it: every process of
 * the cluster dies with it) and hands its coordinates to the test files. At the end, records in
 * the run folder how the run ended and writes the durability report from the rows the scenario
 * files saved.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (l: string) => console.log(`[cluster] ${l}`)
  for (const saved of ['results', 'sections']) rmSync(join(reportsDir(), saved), { recursive: true, force: true })
  const owned = await startCluster({ keepRunDir: true }, log)
  project.provide('cluster', owned.cluster.descriptor)
  return async () => {
    await owned.stop({ ending: endingOf(project) })
    log(`stopped; logs kept in ${owned.cluster.descriptor.runDir}`)
    const rows = loadResults()
    if (rows.length) {
      const out = writeReport(rows)
      console.log(`\n[report] ${rows.length} scenario runs\n${matrixText(rows)}\n[report] ${out.markdown}\n[report] ${out.html}\n[report] ${out.json}`)
    }
  }
}

/** completed when every test passed and nothing else went wrong; failed, with the counts, otherwise. */
function endingOf(project: TestProject): RunEnding {
  type Task = { type: string; tasks?: Task[]; result?: { state?: string } }
  const walk = (t: Task): Task[] => (t.type === 'test' ? [t] : (t.tasks ?? []).flatMap(walk))
  const tests = (project.vitest.state.getFiles() as unknown as Task[]).flatMap(walk)
  const count = (state: string | undefined) => tests.filter((t) => t.result?.state === state).length
  const failed = count('fail')
  const unfinished = tests.length - count('pass') - failed - count('skip') - count('todo')
  const errors = project.vitest.state.getUnhandledErrors().length
  const detail = `${count('pass')} passed, ${failed} failed, ${unfinished} unfinished of ${tests.length} tests; ${errors} errors outside tests`
  return { reason: failed || unfinished || errors ? 'failed' : 'completed', detail }
}
