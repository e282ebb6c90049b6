/**
 * npm run bench: the suite's speed, printed as figures and ratios (never asserted in tests).
 *   npm run bench                       every section
 *   npm run bench -- cluster workload   some of: cluster, reconcile, workload, throughput, clients, suite, gate, powerloss
 * BENCH_RUNS (default 3; gate: 5) repeats; figures are min / median / max.
 * `gate` (the verdict table's battery N times) runs only when named: it takes N × ~3 min.
 * `powerloss` (flush.messages=1's cost, on the plain disk and on powerfs) runs only when named too.
 */
import { followParent, runOwned } from '../harness/cluster/index.js'
import { CLIENT_NAMES, type ClientName } from '../harness/clients/index.js'
import { benchClients, clientsTable } from './clients.js'
import { benchCluster } from './cluster.js'
import { benchGate } from './gate.js'
import { benchPowerloss, powerlossTable } from './powerloss.js'
import { main as reconcileMain } from './reconcile.js'
import { line } from './stats.js'
import { benchSuite } from './suite.js'
import { benchThroughput, throughputTable } from './throughput.js'
import { benchWorkload } from './workload.js'

const SECTIONS = ['cluster', 'workload', 'throughput', 'clients', 'reconcile', 'suite', 'gate', 'powerloss'] as const
const only = process.argv.slice(2)
const heading = (t: string) => console.log(`\n== ${t}`)

// Several sections: each in a process of its own, so that one section's heap (the reconciler's
// 5M records take ~2.7 GB) and clusters do not slow the next. A signal is passed on to the
// section running (runOwned) and ends the bench; a section whose bench process is gone ends too.
const chosen = only.length ? SECTIONS.filter((s) => only.includes(s)) : SECTIONS.filter((s) => s !== 'gate' && s !== 'powerloss')
if (chosen.length > 1) {
  let failed = 0
  for (const section of chosen) {
    const code = await runOwned(process.execPath, [...process.execArgv, process.argv[1] as string, section])
    if (code > 128) process.exit(code) // ended by a signal: no further section
    if (code !== 0) failed++
  }
  process.exit(failed ? 1 : 0)
}
const want = (name: string) => chosen.includes(name as (typeof SECTIONS)[number])

if (want('cluster')) {
  heading('cluster (3 nodes, RF=3, min.insync.replicas=2, every path through Toxiproxy)')
  const r = await benchCluster()
  console.log(line('cold boot → fresh topic fully in sync', r.boot, 's', { max: 15 }))
  console.log(line('warm restart of all nodes → full ISR', r.warm, 's'))
  console.log(line('SIGKILL leader → first acks=all produce ok', r.failover, 's', { max: 3 }))
}
if (want('reconcile')) {
  // No cluster here whose owner would follow the bench process (startCluster does): follow it.
  followParent(() => process.exit(143))
  heading('reconciler')
  await reconcileMain()
}
if (want('workload')) {
  for (const shape of [{ batchSize: 100, concurrency: 4 }, { batchSize: 1000, concurrency: 1 }]) {
    heading(`workload: acks=all, idempotent, ${shape.batchSize} records/send, ${shape.concurrency} in flight, 3 partitions, through the proxies, leader SIGKILLed mid-run`)
    const r = await benchWorkload(shape)
    console.log(line('acknowledged records/s, whole run', r.overall, '/s'))
    console.log(line('acknowledged records/s, before the kill', r.beforeFault, '/s'))
    console.log(`  target ≥ 10000 acknowledged records/s: ${r.overall.median >= 10_000 ? 'met' : 'MISSED'}; acknowledged records lost over all runs: ${r.lost}`)
  }
}
if (want('clients')) {
  heading('the five clients side by side (acks all, idempotent, ~1 KB records, one partition, RF=3, through Toxiproxy)')
  const named = process.env.BENCH_CLIENTS?.split(',').filter(Boolean) as ClientName[] | undefined
  const unknown = named?.filter((c) => !CLIENT_NAMES.includes(c)) ?? []
  if (unknown.length) throw new Error(`BENCH_CLIENTS: unknown client(s) ${unknown.join(', ')} (known: ${CLIENT_NAMES.join(', ')})`)
  console.log(`\n${clientsTable(await benchClients(named ?? CLIENT_NAMES))}`)
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
if (want('gate')) {
  heading("the gate's stability: the verdict table's battery, N runs (BENCH_RUNS, default 5)")
  await benchGate()
}
if (want('powerloss')) {
  heading('what an fsync per append costs: flush.messages=1 against the defaults (acks=all, idempotent, 3 partitions, RF=3, through the proxies)')
  console.log(`\n${powerlossTable(await benchPowerloss())}`)
}
