/**
 * npm run bench -- powerloss: what an fsync per append (topic config flush.messages=1, the
 * setting with which a correlated power loss lost nothing in tests/power-loss) costs in
 * throughput against Kafka's defaults (no fsync until a segment rolls), as a ratio. acks=all,
 * idempotent, through the proxies, one topic per setting (3 partitions, RF=3), the two settings
 * alternating run by run; on the plain disk (what a team's brokers pay) and on powerfs (what
 * the stories run on: every fsync also crosses FUSE).
 */
import { clientEndpoint } from '../harness/clients/index.js'
import { startCluster } from '../harness/cluster/index.js'
import { startWorkload } from '../harness/workload/index.js'
import { summarize, type Summary } from './stats.js'

const SETTINGS = { defaults: {}, 'flush.messages=1': { 'flush.messages': '1' } } as const
type Setting = keyof typeof SETTINGS
/** One record per call (each append its own request: the latency-bound producer) and 100 per call, 4 in flight. */
const SHAPES = [
  { name: '1 record per call, 1 in flight', batchSize: 1, concurrency: 1 },
  { name: '100 records per call, 4 in flight', batchSize: 100, concurrency: 4 },
] as const

export interface PowerlossRow {
  disk: 'plain disk' | 'powerfs'
  shape: string
  rates: Record<Setting, Summary>
  /** flush.messages=1 over defaults, per run; min / median / max. */
  ratio: Summary
}

export async function benchPowerloss(runs = Number(process.env.BENCH_RUNS ?? 3), durationMs = 5_000, log: (l: string) => void = console.log): Promise<PowerlossRow[]> {
  const rows: PowerlossRow[] = []
  for (const disk of ['plain disk', 'powerfs'] as const) {
    const owned = await startCluster({ keepRunDir: false, lines: 0, powerfs: disk === 'powerfs' })
    try {
      const c = owned.cluster
      for (const shape of SHAPES) {
        const rates: Record<Setting, number[]> = { defaults: [], 'flush.messages=1': [] }
        const ratios: number[] = []
        // Run 0 warms the JVMs and the client up and is not counted (first runs came out ×0.7-×0.8 either way).
        for (let r = -1; r < runs; r++) {
          const order: Setting[] = r % 2 ? ['flush.messages=1', 'defaults'] : ['defaults', 'flush.messages=1']
          const seen: Partial<Record<Setting, number>> = {}
          for (const setting of order) {
            const topic = `bench-powerloss-${shape.batchSize}x${shape.concurrency}-${setting.replace(/[^a-z0-9]+/g, '-')}-${disk === 'powerfs' ? 'fuse' : 'disk'}-${r + 1}`
            await c.createTopic(topic, { partitions: 3, configs: SETTINGS[setting] })
            const t0 = performance.now()
            const ledger = await startWorkload({ endpoint: clientEndpoint(c), topic, producer: { acks: -1, idempotent: true }, keys: 64, durationMs, batchSize: shape.batchSize, concurrency: shape.concurrency }).done
            seen[setting] = ledger.entries.filter((e) => e.outcome === 'ok').length / ((performance.now() - t0) / 1000)
          }
          const ratio = (seen['flush.messages=1'] ?? NaN) / (seen.defaults ?? NaN)
          if (r >= 0) {
            rates.defaults.push(seen.defaults ?? NaN)
            rates['flush.messages=1'].push(seen['flush.messages=1'] ?? NaN)
            ratios.push(ratio)
          }
          log(`  ${disk}, ${shape.name}, ${r < 0 ? 'warm-up' : `run ${r + 1}`}: defaults ${seen.defaults?.toFixed(0)}/s, flush.messages=1 ${seen['flush.messages=1']?.toFixed(0)}/s (×${ratio.toFixed(2)})`)
        }
        rows.push({ disk, shape: shape.name, rates: { defaults: summarize(rates.defaults), 'flush.messages=1': summarize(rates['flush.messages=1']) }, ratio: summarize(ratios) })
      }
    } finally {
      await owned.stop({ keepRunDir: false })
    }
  }
  return rows
}

export function powerlossTable(rows: readonly PowerlossRow[]): string {
  const head = '| disk | producer | defaults, acked/s (median) | flush.messages=1, acked/s (median) | flush.messages=1 ÷ defaults (min / median / max) |'
  const body = rows.map((r) => `| ${r.disk} | ${r.shape} | ${r.rates.defaults.median.toFixed(0)} | ${r.rates['flush.messages=1'].median.toFixed(0)} | ×${r.ratio.min.toFixed(2)} / ×${r.ratio.median.toFixed(2)} / ×${r.ratio.max.toFixed(2)} |`)
  return [head, '|---|---|---|---|---|', ...body].join('\n')
}
