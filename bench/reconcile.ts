/**
 * Reconciler speed: `npx tsx bench/reconcile.ts` (or `npm run bench -- reconcile`).
 *
 * For 1M and 5M records: a synthetic ledger and log (12 partitions, 1000 keys, ~500 sends in
 * flight at any time, 0.1% failed, 0.1% unknown, and a few injected anomalies of every kind),
 * reconciled once cold (JIT warm-up, reported on its own) and then 3 times measured. Reported:
 * records/s (ledger entries per second of `reconcile()`, the log being about as large)
 * min/median/max, the same per CPU-second, the heap + ArrayBuffer growth during one reconcile,
 * and the process's peak RSS (which includes the input data). The verdict's counts are checked
 * against the injected anomalies on every run, so a fast wrong answer cannot pass as a result.
 */
import { availableParallelism, loadavg } from 'node:os'
import { pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { reconcile, type Verdict } from '../harness/reconcile/index.js'
import type { LedgerEntry, LogRecord } from '../harness/workload/index.js'
import { summarize, type Summary } from './stats.js'

export interface ReconcileBenchResult {
  records: number
  logRecords: number
  /** Ledger entries reconciled per second of wall-clock time. */
  recordsPerSecond: Summary
  seconds: Summary
  /**
   * Ledger entries reconciled per second of CPU time (user + system, all threads): steadier than
   * wall-clock figures on a shared machine, where other processes take turns on the cores.
   */
  recordsPerCpuSecond: Summary
  /** The first reconcile of this size in the process (not among the measured runs): JIT warm-up included. */
  coldSeconds: number
  /** Heap + ArrayBuffer growth during one reconcile (MB), max over runs. */
  workingSetMB: number
  /** Peak resident set size of the process so far (MB), input data included. */
  peakRssMB: number
}

const PARTITIONS = 12
const KEYS = 1000
const INJECTED = { lost: 10, duplicated: 10, phantom: 5, swaps: 5 }

interface Synthetic {
  ledger: { topic: string; startedAt: number; entries: LedgerEntry[] }
  log: { topic: string; partitions: { partition: number; low: number; high: number }[]; records: LogRecord[] }
  expected: {
    lost: number; duplicated: number; phantom: number; reordered: number; outOfSendOrder: number; overwritten: number; failed: number; unknown: number
  }
}

function synthesize(n: number): Synthetic {
  const t0 = 1_700_000_000_000.25
  const entries: LedgerEntry[] = new Array(n)
  const perPartition: LogRecord[][] = Array.from({ length: PARTITIONS }, () => [])
  const headers = {} // shared: the reconciler never reads headers
  const seqs = new Int32Array(KEYS)
  let failed = 0
  let unknown = 0
  for (let i = 0; i < n; i++) {
    const k = i % KEYS
    const key = `key-${k}`
    const partition = k % PARTITIONS
    const start = t0 + i * 0.01
    const roll = (i * 7919) % 1000
    const outcome = roll === 1 ? 'failed' : roll === 2 || roll === 3 ? 'unknown' : 'ok'
    const written = outcome === 'ok' || roll === 3
    const offset = perPartition[partition]!.length
    entries[i] = {
      id: `a1b2c3d4-${i}`, key, seq: seqs[k]!++, n: i, call: i, start, end: start + 5, outcome,
      partition: outcome === 'ok' ? partition : null, offset: outcome === 'ok' ? offset : null, attempts: 1,
    }
    if (outcome === 'failed') failed++
    if (outcome === 'unknown') unknown++
    // a fresh, flat string, as the reader's Buffer.toString() produces, not the ledger's
    const id = Buffer.from(`a1b2c3d4-${i}`, 'latin1').toString('latin1')
    if (written) perPartition[partition]!.push({ partition, offset, key, id, timestamp: start + 1, headers })
  }
  const p0 = perPartition[0]!
  const p1 = perPartition[1]!
  // lost: acknowledged records removed from the log (their offsets left empty)
  let lost = 0
  for (let j = 100; lost < INJECTED.lost; j += 997) {
    const r = p1[j]!
    if (entries[Number(r.id!.slice(9))]!.outcome === 'ok') {
      p1.splice(j, 1)
      lost++
    }
  }
  // reordered and out of send order: adjacent same-key records swapped (offsets too), acks left as they were
  let swaps = 0
  for (let j = 1000; swaps < INJECTED.swaps; j += 5003) {
    const a = p0[j]!
    const b = p0.slice(j + 1).find((r) => r.key === a.key)!
    const ea = entries[Number(a.id!.slice(9))]!
    const eb = entries[Number(b.id!.slice(9))]!
    if (ea.outcome !== 'ok' || eb.outcome !== 'ok') continue
    ;[a.id, b.id] = [b.id, a.id]
    swaps++
  }
  // duplicated and phantom records appended to partition 2
  const p2 = perPartition[2]!
  let next = p2.length === 0 ? 0 : p2[p2.length - 1]!.offset + 1
  for (let d = 0; d < INJECTED.duplicated; d++) p2.push({ ...p2[d * 3]!, offset: next++ })
  for (let f = 0; f < INJECTED.phantom; f++) p2.push({ partition: 2, offset: next++, key: null, id: `stranger-${f}`, timestamp: 0, headers })
  const records = perPartition.flat()
  const partitions = perPartition.map((rs, partition) => ({ partition, low: 0, high: rs.length === 0 ? 0 : rs[rs.length - 1]!.offset + 1 }))
  return {
    ledger: { topic: 'bench', startedAt: t0, entries },
    log: { topic: 'bench', partitions, records },
    expected: {
      lost, duplicated: INJECTED.duplicated, phantom: INJECTED.phantom, reordered: swaps, outOfSendOrder: swaps,
      overwritten: lost + 2 * swaps, failed, unknown,
    },
  }
}

function check(v: Verdict, expected: Synthetic['expected']): void {
  const a = v.anomalies
  const got = {
    lost: a.lost.count, duplicated: a.duplicated.count, phantom: a.phantom.count, reordered: a.reordered.count, outOfSendOrder: a.outOfSendOrder.count,
    overwritten: a.overwritten.count, failed: v.totals.failed, unknown: v.totals.unknown,
  }
  if (JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(`bench verdict is wrong: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`)
  }
}

setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const mb = (bytes: number) => Math.round(bytes / 1e6)
const settle = () => new Promise((resolve) => setTimeout(resolve, 250))
const footprint = () => {
  const m = process.memoryUsage()
  return m.heapUsed + m.arrayBuffers
}

export async function benchReconcile(sizes: readonly number[] = [1_000_000, 5_000_000], runs = 3): Promise<ReconcileBenchResult[]> {
  const results: ReconcileBenchResult[] = []
  for (const n of sizes) {
    let data: Synthetic | null = synthesize(n)
    const seconds: number[] = []
    const cpuSeconds: number[] = []
    let workingSet = 0
    let coldSeconds = 0
    for (let r = -1; r < runs; r++) {
      gc()
      await settle() // let the collector's background threads finish before the clock starts
      const before = footprint()
      const cpu = process.cpuUsage()
      const t = performance.now()
      const verdict = reconcile(data.ledger, data.log)
      const wall = (performance.now() - t) / 1000
      const used = process.cpuUsage(cpu)
      workingSet = Math.max(workingSet, footprint() - before)
      check(verdict, data.expected)
      if (r < 0) {
        coldSeconds = wall
        continue
      }
      seconds.push(wall)
      cpuSeconds.push((used.user + used.system) / 1e6)
    }
    results.push({
      records: n,
      logRecords: data.log.records.length,
      seconds: summarize(seconds),
      recordsPerSecond: summarize(seconds.map((s) => n / s)),
      recordsPerCpuSecond: summarize(cpuSeconds.map((s) => n / s)),
      coldSeconds,
      workingSetMB: mb(workingSet),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1000),
    })
    data = null
    gc()
  }
  return results
}

export async function main(): Promise<void> {
  console.log('reconcile (synthetic: 12 partitions, 1000 keys, 0.1% failed, 0.1% unknown, a few anomalies of each kind)')
  console.log(`  load average before: ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores (wall-clock figures suffer on a busy machine)`)
  for (const r of await benchReconcile()) {
    const rate = (x: number) => `${(x / 1e6).toFixed(2)}M/s`
    const s = r.recordsPerSecond
    const c = r.recordsPerCpuSecond
    const met = s.median >= 2e6 ? 'met' : 'MISSED'
    console.log(
      `  ${String(r.records / 1e6).padStart(2)}M records (log ${r.logRecords}): min ${rate(s.min)}  median ${rate(s.median)}  max ${rate(s.max)}` +
        `  (n=${s.n} after a cold run of ${r.coldSeconds.toFixed(2)} s, target ≥ 2M/s: ${met});  per CPU-second: median ${rate(c.median)};` +
        `  reconcile working set ${r.workingSetMB} MB, process peak RSS ${r.peakRssMB} MB`,
    )
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
