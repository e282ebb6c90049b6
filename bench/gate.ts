/**
 * The gate's stability: the battery N times (BENCH_RUNS, default 5) over the verdict table's
 * configs (tests/gate/verdict-table.ts) on one cluster, and for each (config, claim) the verdicts
 * seen. The target is the same verdict N/N; a flip is a bug to find. Also per scenario, the
 * per-lane verdicts seen (kept / broken / not exercised), which is where a flip starts.
 */
import { startCluster } from '../harness/cluster/index.js'
import { judgeBattery, runBattery } from '../harness/gate/battery.js'
import { CLAIMS } from '../harness/gate/config.js'
import { STATUS_TEXT, type ConfigVerdict } from '../harness/gate/verdict.js'
import { TABLE } from '../tests/gate/verdict-table.js'

export async function benchGate(runs = Number(process.env.BENCH_RUNS ?? 5), log: (l: string) => void = console.log): Promise<void> {
  const configs = TABLE.map((r) => r.config)
  const owned = await startCluster({ keepRunDir: false })
  const all: ConfigVerdict[][] = []
  const seconds: number[] = []
  try {
    for (let r = 0; r < runs; r++) {
      const t0 = Date.now()
      const battery = await runBattery(owned.cluster, configs, (p) => p.phase === 'failed' && log(`  run ${r + 1}: ${p.scenario} FAILED: ${p.error}`))
      all.push(judgeBattery(battery, configs))
      seconds.push((Date.now() - t0) / 1000)
      log(`  run ${r + 1} of ${runs}: ${seconds.at(-1)?.toFixed(0)} s`)
    }
  } finally {
    await owned.stop()
  }
  const count = (xs: string[]) => [...xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>())].map(([k, n]) => `${k} ${n}/${xs.length}`).join(', ')
  let flips = 0
  log(`\n${'config'.padEnd(26)} ${'claim'.padEnd(20)} expected    seen`)
  for (const row of TABLE) {
    for (const claim of CLAIMS) {
      const expected = row.expected[claim]
      if (expected === undefined) continue
      const seen = all.map((vs) => vs.find((v) => v.config === row.config.name)?.claims.find((c) => c.claim === claim)?.status ?? 'missing')
      const stable = seen.every((s) => s === expected)
      if (!stable) flips++
      log(`${row.config.name.padEnd(26)} ${claim.padEnd(20)} ${STATUS_TEXT[expected].split(' ')[0]!.padEnd(11)} ${count(seen.map((s) => (s === 'missing' ? s : STATUS_TEXT[s].split(' ')[0]!)))}${stable ? '' : '   <-- FLIP'}`)
      // Where a flip starts: the per-scenario verdicts of this cell.
      if (!stable) {
        for (const scenario of all[0]?.[0]?.claims[0]?.scenarios.map((s) => s.scenario) ?? []) {
          const per = all.map((vs) => vs.find((v) => v.config === row.config.name)?.claims.find((c) => c.claim === claim)?.scenarios.find((s) => s.scenario === scenario))
          log(`    ${scenario}: ${count(per.map((s) => s?.status ?? 'missing'))}; e.g. ${per.find((s) => s?.status !== 'kept')?.reason ?? ''}`)
        }
      }
    }
  }
  // Below the claims: (config, claim, scenario) cells whose verdict differed between runs.
  const cellFlips: string[] = []
  for (const row of TABLE) {
    for (const claim of CLAIMS) {
      if (row.expected[claim] === undefined) continue
      const per = all.map((vs) => vs.find((v) => v.config === row.config.name)?.claims.find((c) => c.claim === claim)?.scenarios ?? [])
      for (const scenario of per[0]?.map((s) => s.scenario) ?? []) {
        const seen = per.map((ss) => ss.find((s) => s.scenario === scenario)?.status ?? 'missing')
        if (new Set(seen).size > 1) cellFlips.push(`  ${row.config.name} / ${claim} / ${scenario}: ${count(seen)}`)
      }
    }
  }
  const cells = TABLE.reduce((n, r) => n + Object.keys(r.expected).length, 0) * (all[0]?.[0]?.claims[0]?.scenarios.length ?? 0)
  log(`\nper scenario: ${cellFlips.length} of ${cells} (config, claim, scenario) verdicts differed between runs${cellFlips.length ? ' (the claim verdict held in every run; these are where it rests on fewer scenarios some runs):' : ''}`)
  for (const l of cellFlips) log(l)
  const sorted = [...seconds].sort((a, b) => a - b)
  log(`\n${TABLE.length} configs, ${runs} runs: ${flips === 0 ? `every (config, claim) got its expected verdict ${runs}/${runs}` : `${flips} (config, claim) cells did not get the same expected verdict every run`}; battery ${sorted[0]?.toFixed(0)}–${sorted.at(-1)?.toFixed(0)} s per run`)
}
