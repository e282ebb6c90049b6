/**
 * The workload's own throughput through the proxies with acks=all, while a fault runs: a leader
 * is SIGKILLed a third of the way in and restarted after. Acknowledged records per second over
 * the whole run, and in the stretch before the fault.
 */
import { clientEndpoint } from '../harness/clients/index.js'
import { startCluster } from '../harness/cluster/index.js'
import { killNode, withFault } from '../harness/faults/index.js'
import { reconcile } from '../harness/reconcile/index.js'
import { readTopic, startWorkload } from '../harness/workload/index.js'
import { summarize, type Summary } from './stats.js'

export interface WorkloadBench {
  overall: Summary
  beforeFault: Summary
  lost: number
}

export async function benchWorkload(
  shape: { batchSize: number; concurrency: number } = { batchSize: 100, concurrency: 4 },
  runs = Number(process.env.BENCH_RUNS ?? 3),
  durationMs = 9_000,
  log: (l: string) => void = console.log,
): Promise<WorkloadBench> {
  const overall: number[] = []
  const before: number[] = []
  let lost = 0
  const owned = await startCluster({ keepRunDir: false })
  try {
    const c = owned.cluster
    for (let r = 0; r < runs; r++) {
      const topic = `bench-workload-${shape.batchSize}x${shape.concurrency}-${r}`
      await c.createTopic(topic, { partitions: 3 })
      const t0 = performance.now()
      const run = startWorkload({ endpoint: clientEndpoint(c), topic, producer: { acks: -1, idempotent: true }, keys: 64, durationMs, ...shape })
      await run.acknowledged(20_000).catch(() => {})
      const beforeRate = run.progress().acknowledged / ((performance.now() - t0) / 1000)
      await withFault(c, killNode({ leaderOf: { topic, partition: 0 } }), () => c.waitForLeader(topic, 0).then(() => undefined))
      const ledger = await run.done
      const elapsed = (performance.now() - t0) / 1000
      const acked = ledger.entries.filter((e) => e.outcome === 'ok').length
      overall.push(acked / elapsed)
      before.push(beforeRate)
      const verdict = reconcile(ledger, await readTopic({ kafka: c.kafka(), topic }))
      lost += verdict.anomalies.lost.count
      log(`  run ${r + 1}: ${acked} acknowledged in ${elapsed.toFixed(1)} s = ${(acked / elapsed).toFixed(0)}/s (before the kill ${beforeRate.toFixed(0)}/s); lost ${verdict.anomalies.lost.count}`)
      await c.heal()
    }
  } finally {
    await owned.stop({ keepRunDir: false })
  }
  return { overall: summarize(overall), beforeFault: summarize(before), lost }
}
