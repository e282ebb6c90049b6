/**
 * npm run bench: the suite's speed, printed as figures and ratios (never asserted in tests).
 *   npm run bench                       every section
 *   npm run bench -- cluster workload   some of: cluster, reconcile, workload, throughput, suite
 * BENCH_RUNS (default 3) repeats; figures are min / median / max.
 */
import { benchCluster } from './cluster.js'
import { main as reconcileMain } from './reconcile.js'
import { line } from './stats.js'
import { benchSuite } from './suite.js'
import { benchThroughput, throughputTable } from './throughput.js'
import { benchWorkload } from './workload.js'

const only = process.argv.slice(2)
const want = (name: string) => only.length === 0 || only.includes(name)
const heading = (t: string) => console.log(`\n== ${t}`)

if (want('cluster')) {
  heading('cluster (3 nodes, RF=3, min.insync.replicas=2, every path through Toxiproxy)')
  const r = await benchCluster()
  console.log(line('cold boot → fresh topic fully in sync', r.boot, 's', { max: 15 }))
  console.log(line('warm restart of all nodes → full ISR', r.warm, 's'))
  console.log(line('SIGKILL leader → first acks=all produce ok', r.failover, 's', { max: 3 }))
}
if (want('reconcile')) {
  heading('reconciler')
  await reconcileMain()
}
if (want('workload')) {
  heading('workload: acks=all, idempotent, 100 records/send, 4 in flight, through the proxies, leader SIGKILLed mid-run')
  const r = await benchWorkload()
  console.log(line('acknowledged records/s, whole run', r.overall, '/s'))
  console.log(line('acknowledged records/s, before the kill', r.beforeFault, '/s'))
  console.log(`  target ≥ 10000 acknowledged records/s: ${r.overall.median >= 10_000 ? 'met' : 'MISSED'}; acknowledged records lost over all runs: ${r.lost}`)
}
if (want('throughput')) {
  heading("kafkajs producer throughput beside the lecture's table (1 KB JSON, one partition, RF=3)")
  console.log('lecture (franz-go, acks=all): linger 0 ~1,200 msg/s p99 4 ms; linger 10 ms ~85,000 msg/s p99 14 ms; + zstd ~140,000 msg/s p99 16 ms')
  const r = await benchThroughput()
  console.log(throughputTable(r))
}
if (want('suite')) {
  heading('the suite: npx vitest run')
  await benchSuite()
}
