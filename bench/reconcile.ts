/**
 * Reconciler speed: `npx tsx bench/reconcile.ts` (or `npm run bench -- reconcile`).
 *
 * For 1M and 5M records: a synthetic ledger and log (12 partitions, 1000 keys, ~500 sends in
 * flight at any time, 0.1% failed, 0.1% unknown, and a few injected anomalies of every kind),
 * reconciled once cold (JIT warm-up, reported on its own) and then 3 times measured, for each id
 * shape (workload ids `<prefix>-<n>`, and random UUIDs as another tool writes them; see ID_SHAPES),
 * each shape in a process of its own. Reported: records/s (ledger entries per second of
 * `reconcile()`, the log being about as large) min/median/max, the same per CPU-second, the heap +
 * ArrayBuffer growth during one reconcile, and the process's peak RSS (which includes the input
 * data). The verdict's counts are checked against the injected anomalies on every run, so a fast
 * wrong answer cannot pass as a result.
 *
 * BENCH_IDS=workload,uuid,hex  BENCH_SIZES=1000000,5000000  BENCH_RUNS=3 (the defaults, but `hex`).
 */
import { availableParallelism, loadavg } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { reconcile, reconcilerMemory, type Verdict } from '../harness/reconcile/index.js'
import type { LedgerEntry, LogRecord } from '../harness/workload/index.js'
import { summarize, type Summary } from './stats.js'

export interface ReconcileBenchResult {
  /** The shape of the ids (see ID_SHAPES). */
  ids: IdShape
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
  /**
   * What one reconcile needs (MB), max over runs: heap + ArrayBuffer growth during it, plus the
   * columns the reconciler keeps between calls (arena.ts), which a later run reuses rather than grows.
   */
  workingSetMB: number
  /** Of which: the columns kept between calls (MB). */
  keptMB: number
  /** Peak resident set size of the process so far (MB), input data included. */
  peakRssMB: number
}

const PARTITIONS = 12
const KEYS = 1000
const INJECTED = { lost: 10, duplicated: 10, phantom: 5, swaps: 5 }

export interface Synthetic {
  ledger: { topic: string; startedAt: number; entries: LedgerEntry[] }
  log: { topic: string; partitions: { partition: number; low: number; high: number }[]; records: LogRecord[] }
  expected: {
    lost: number; duplicated: number; phantom: number; reordered: number; outOfSendOrder: number; overwritten: number; failed: number; unknown: number
  }
}

/**
 * The ids a run's ledger and log carry:
 * - `workload`: `<prefix>-<n>`, as this harness's workload writes them (`a1b2c3d4-0`, `a1b2c3d4-1`, …);
 * - `uuid`: random UUIDs as a Java tool writes them (`UUID.randomUUID().toString()`: 36 characters,
 *   lowercase hex, version 4);
 * - `hex`: another client's order ids, `order-` and 12 to 28 random hex digits (lengths vary).
 * Ids are unique by construction: the first 8 hex digits of `uuid` and `hex` ids are a bijection of
 * the entry number (scrambled, so they look random), the rest is random.
 */
export const ID_SHAPES = ['workload', 'uuid', 'hex'] as const
export type IdShape = (typeof ID_SHAPES)[number]

function idMaker(shape: IdShape): (i: number) => string {
  const hex8 = (x: number) => (x >>> 0).toString(16).padStart(8, '0')
  /** An invertible scramble of a 32-bit number (odd multiplier, xor-shifts). */
  const scramble = (i: number) => {
    let x = Math.imul(i ^ (i >>> 16), 0x45d9f3b)
    x = Math.imul(x ^ (x >>> 16), 0x45d9f3b)
    return (x ^ (x >>> 16)) >>> 0
  }
  // xorshift32 seeded by the id's number: id i is the same whenever it is made, in any order
  let state = 1
  const random = () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return state >>> 0
  }
  const seeded = (make: (i: number) => string) => (i: number) => {
    state = scramble(i ^ 0x9e3779b9) || 1
    return make(i)
  }
  if (shape === 'workload') return (i) => `a1b2c3d4-${i}`
  if (shape === 'uuid') {
    return seeded((i) => {
      const b = hex8(random())
      const c = hex8(random())
      const d = hex8(random())
      // xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx
      return `${hex8(scramble(i))}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[random() & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`
    })
  }
  return seeded((i) => {
    const extra = 4 + (random() % 17) // 4..20 more hex digits
    let tail = ''
    while (tail.length < extra) tail += hex8(random())
    return `order-${hex8(scramble(i))}${tail.slice(0, extra)}`
  })
}

export function synthesize(n: number, shape: IdShape): Synthetic {
  const t0 = 1_700_000_000_000.25
  const entries: LedgerEntry[] = new Array(n)
  const perPartition: LogRecord[][] = Array.from({ length: PARTITIONS }, () => [])
  /** The ledger entry of each record in perPartition (the injections below need it). */
  const entryOf: number[][] = Array.from({ length: PARTITIONS }, () => [])
  const headers = {} // shared: the reconciler never reads headers
  const seqs = new Int32Array(KEYS)
  // two makers of the same ids: the ledger's strings and the log's are made apart, so that the log's
  // (read back) are fresh strings and the ledger's are as the producer made them (not flattened here)
  const idOf = idMaker(shape)
  const logIdOf = idMaker(shape)
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
    const offset = entryOf[partition]!.length
    entries[i] = {
      id: idOf(i), key, seq: seqs[k]!++, n: i, call: i, start, end: start + 5, outcome,
      partition: outcome === 'ok' ? partition : null, offset: outcome === 'ok' ? offset : null, attempts: 1,
    }
    if (outcome === 'failed') failed++
    if (outcome === 'unknown') unknown++
    if (written) entryOf[partition]!.push(i)
  }
  // The log's records (and their ids: fresh, flat strings, as the reader's Buffer.toString() makes
  // them, not the ledger's) are made partition by partition, as the reader makes them: it decodes a
  // fetched batch of one partition at a time, so a partition's records lie together in memory.
  for (let partition = 0; partition < PARTITIONS; partition++) {
    for (const i of entryOf[partition]!) {
      const e = entries[i]!
      const id = Buffer.from(logIdOf(i), 'latin1').toString('latin1')
      perPartition[partition]!.push({ partition, offset: perPartition[partition]!.length, key: e.key, id, timestamp: e.start + 1, headers })
    }
  }
  const p0 = perPartition[0]!
  const p1 = perPartition[1]!
  // lost: acknowledged records removed from the log (their offsets left empty)
  let lost = 0
  for (let j = 100; lost < INJECTED.lost; j += 997) {
    if (entries[entryOf[1]![j]!]!.outcome === 'ok') {
      p1.splice(j, 1)
      entryOf[1]!.splice(j, 1)
      lost++
    }
  }
  // reordered and out of send order: adjacent same-key records swapped (offsets too), acks left as they were
  let swaps = 0
  for (let j = 1000; swaps < INJECTED.swaps; j += 5003) {
    const a = p0[j]!
    const jb = p0.findIndex((r, t) => t > j && r.key === a.key)
    const b = p0[jb]!
    const ea = entries[entryOf[0]![j]!]!
    const eb = entries[entryOf[0]![jb]!]!
    if (ea.outcome !== 'ok' || eb.outcome !== 'ok') continue
    ;[a.id, b.id] = [b.id, a.id]
    ;[entryOf[0]![j], entryOf[0]![jb]] = [entryOf[0]![jb]!, entryOf[0]![j]!]
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

export async function benchReconcile(
  sizes: readonly number[] = [1_000_000, 5_000_000],
  runs = 3,
  shape: IdShape = 'workload',
): Promise<ReconcileBenchResult[]> {
  const results: ReconcileBenchResult[] = []
  for (const n of sizes) {
    let data: Synthetic | null = synthesize(n, shape)
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
      // the kept columns count whether this run allocated them (the cold one) or reused them
      const grown = footprint() - before
      workingSet = Math.max(workingSet, r < 0 ? grown : grown + reconcilerMemory())
      check(verdict, data.expected)
      if (r < 0) {
        coldSeconds = wall
        continue
      }
      seconds.push(wall)
      cpuSeconds.push((used.user + used.system) / 1e6)
    }
    results.push({
      ids: shape,
      records: n,
      logRecords: data.log.records.length,
      seconds: summarize(seconds),
      recordsPerSecond: summarize(seconds.map((s) => n / s)),
      recordsPerCpuSecond: summarize(cpuSeconds.map((s) => n / s)),
      coldSeconds,
      workingSetMB: mb(workingSet),
      keptMB: mb(reconcilerMemory()),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1000),
    })
    data = null
    gc()
  }
  return results
}

const SHAPE_FLAG = '--ids='

function printResult(r: ReconcileBenchResult): void {
  const rate = (x: number) => `${(x / 1e6).toFixed(2)}M/s`
  const s = r.recordsPerSecond
  const c = r.recordsPerCpuSecond
  const met = s.median >= 2e6 ? 'met' : 'MISSED'
  console.log(
    `  ${r.ids.padEnd(8)} ids, ${String(r.records / 1e6).padStart(2)}M records (log ${r.logRecords}): min ${rate(s.min)}  median ${rate(s.median)}  max ${rate(s.max)}` +
      `  (n=${s.n} after a cold run of ${r.coldSeconds.toFixed(2)} s, target ≥ 2M/s: ${met});  per CPU-second: median ${rate(c.median)};` +
      `  reconcile working set ${r.workingSetMB} MB (of which ${r.keptMB} MB kept between calls), process peak RSS ${r.peakRssMB} MB`,
  )
}

/**
 * Every id shape of BENCH_IDS (default `workload,uuid`), each in a process of its own so that its
 * peak RSS is its own; sizes from BENCH_SIZES (default `1000000,5000000`), BENCH_RUNS measured
 * runs (default 3).
 */
export async function main(): Promise<void> {
  const runs = Number(process.env.BENCH_RUNS ?? 3)
  const sizes = (process.env.BENCH_SIZES ?? '1000000,5000000').split(',').map(Number)
  const child = process.argv.find((a) => a.startsWith(SHAPE_FLAG))
  if (child !== undefined) {
    const shape = child.slice(SHAPE_FLAG.length) as IdShape
    for (const r of await benchReconcile(sizes, runs, shape)) printResult(r)
    return
  }
  const shapes = (process.env.BENCH_IDS ?? 'workload,uuid').split(',') as IdShape[]
  for (const shape of shapes) if (!ID_SHAPES.includes(shape)) throw new Error(`BENCH_IDS: unknown id shape ${shape} (known: ${ID_SHAPES.join(', ')})`)
  console.log('reconcile (synthetic: 12 partitions, 1000 keys, 0.1% failed, 0.1% unknown, a few anomalies of each kind)')
  console.log(`  load average before: ${loadavg()[0]!.toFixed(2)} on ${availableParallelism()} cores (wall-clock figures suffer on a busy machine)`)
  const { spawnSync } = await import('node:child_process')
  const self = fileURLToPath(import.meta.url)
  let failed = 0
  for (const shape of shapes) {
    const r = spawnSync(process.execPath, [...process.execArgv, self, `${SHAPE_FLAG}${shape}`], { stdio: 'inherit' })
    if (r.status !== 0) failed++
  }
  if (failed > 0) throw new Error(`reconcile bench: ${failed} id shape(s) failed`)
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main()
