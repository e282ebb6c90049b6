/**
 * The five clients' producers side by side on one cluster (`npm run bench -- clients`), through
 * the seam as the suite drives them: acks all, idempotent, ~1 KB records, one partition, RF=3,
 * through Toxiproxy. For each client, the same three cells, each client with its own defaults for
 * the rest (linger: Java 5 ms, librdkafka 5 ms, franz-go and the Node clients none):
 * - one record per call, one call at a time (the lecture's "no batching");
 * - 100 records per call, one call at a time: what each client makes of a batch it is handed
 *   (the lecture's linger row batches inside the client, which the Node clients cannot: they batch
 *   only what one send() call is given);
 * - the same with gzip (the lecture's zstd has no reader here: the harness reads with kafkajs).
 * Records/s (acknowledged per second of the cell), per-record ack latency p50/p99 (send call start
 * to its answer), and each client's rate as a ratio of Java's in the same cell.
 * BENCH_CELL_MS (default 3000) per cell; BENCH_CLIENTS=java,kafkajs to pick some.
 */
import { CLIENT_NAMES, clientEndpoint, type ClientName, type ProducerProfile } from '../harness/clients/index.js'
import { startCluster } from '../harness/cluster/index.js'
import { freshName } from '../harness/engines/index.js'
import { openProducerSession } from '../harness/workload/index.js'

export interface ClientCell {
  client: ClientName
  cell: 'one per call' | 'batched' | 'batched + gzip'
  /** How the client was driven in this cell. */
  how: string
  perSecond: number
  p50ms: number
  p99ms: number
  /** Records of the cell not acknowledged (failed or unknown). */
  notAcknowledged: number
}

function plan(): { cell: ClientCell['cell']; how: string; producer: ProducerProfile; batch: number; inFlight: number }[] {
  const base: ProducerProfile = { acks: -1, idempotent: true }
  const batched = { how: '100 records per call, 1 call at a time', producer: { ...base, recordsPerCall: 100 }, batch: 100, inFlight: 1 }
  return [
    { cell: 'one per call', how: '1 record per call, 1 call at a time', producer: base, batch: 1, inFlight: 1 },
    { cell: 'batched', ...batched },
    { cell: 'batched + gzip', ...batched, how: `${batched.how}, gzip`, producer: { ...batched.producer, compression: 'gzip' } },
  ]
}

export async function benchClients(clients: readonly ClientName[] = CLIENT_NAMES, cellMs = Number(process.env.BENCH_CELL_MS ?? 3000), log: (l: string) => void = console.log): Promise<ClientCell[]> {
  const owned = await startCluster({ keepRunDir: false })
  const out: ClientCell[] = []
  try {
    const c = owned.cluster
    for (const client of clients) {
      for (const p of plan()) {
        const topic = freshName(`bench-${client}`)
        await c.createTopic(topic, { partitions: 1 })
        const session = openProducerSession({ endpoint: clientEndpoint(c, { clientId: `bench-${client}` }), topic, client, producer: p.producer, valueBytes: 1024 })
        await session.send([{ key: 'warm-up' }])
        const chunk = Array.from({ length: p.batch * p.inFlight * 4 }, (_, i) => ({ key: `order-${i % 100}` }))
        const started = performance.now()
        const from = session.progress().acknowledged
        while (performance.now() - started < cellMs) await session.send(chunk, { batchSize: p.batch, concurrency: p.inFlight })
        const elapsed = (performance.now() - started) / 1000
        const ledger = await session.close()
        const acked = ledger.entries.filter((e) => e.outcome === 'ok').length - from
        const latencies = ledger.entries.slice(1).map((e) => e.end - e.start).sort((a, b) => a - b)
        const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))] ?? NaN
        const missed = ledger.entries.filter((e) => e.outcome !== 'ok')
        const r: ClientCell = { client, cell: p.cell, how: p.how, perSecond: acked / elapsed, p50ms: q(0.5), p99ms: q(0.99), notAcknowledged: missed.length }
        if (missed[0]) log(`  ${client} ${p.cell}: first not acknowledged: ${missed[0].outcome} ${missed[0].errorClass ?? ''} ${missed[0].reason ?? ''}`)
        out.push(r)
        log(`  ${client.padEnd(12)} ${p.cell.padEnd(15)} ${r.perSecond.toFixed(0).padStart(7)} records/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms  (${p.how}${r.notAcknowledged ? `; ${r.notAcknowledged} not acknowledged` : ''})`)
      }
    }
  } finally {
    await owned.stop({ keepRunDir: false })
  }
  return out
}

/** Markdown: a row per client, per cell its rate, latency and ratio to Java's. */
export function clientsTable(cells: readonly ClientCell[]): string {
  const kinds = ['one per call', 'batched', 'batched + gzip'] as const
  const java = (k: string) => cells.find((c) => c.client === 'java' && c.cell === k)?.perSecond
  const rows = [...new Set(cells.map((c) => c.client))].map((client) => {
    const parts = kinds.map((k) => {
      const c = cells.find((x) => x.client === client && x.cell === k)
      if (!c) return '- | - | -'
      const j = java(k)
      return `${c.perSecond.toFixed(0)} | ${c.p50ms.toFixed(1)} / ${c.p99ms.toFixed(1)} | ${j ? (c.perSecond / j).toFixed(2) : '-'}`
    })
    return `| ${client} | ${parts.join(' | ')} |`
  })
  const head = kinds.map((k) => `${k} records/s | p50 / p99 ms | ÷ Java`).join(' | ')
  return [`| client | ${head} |`, `|---|${kinds.map(() => '---:|---:|---:').join('|')}|`, ...rows].join('\n')
}
