/**
 * The lecture's batching table, measured with kafkajs on this cluster.
 *
 * The lecture (franz-go, RF=3, acks=all, 1 KB JSON, one partition): no batching ~1,200 msg/s
 * (p99 4 ms); linger 10 ms ~85,000 msg/s (p99 14 ms); linger 10 ms + zstd ~140,000 msg/s (p99
 * 16 ms). kafkajs has no linger: a batch is the records given to one send() call, and several
 * calls may be in flight. So the knobs here are records per send, sends in flight, acks and
 * compression, and each cell is measured directly against the brokers and through Toxiproxy.
 */
import kafkajs, { type Producer } from 'kafkajs'
import LZ4Module from 'kafkajs-lz4'
import SnappyCodec from 'kafkajs-snappy'
import { startCluster, type Cluster } from '../harness/cluster/index.js'

// kafkajs is CommonJS; its codec table is reached through the default export under Node ESM.
const { CompressionCodecs, CompressionTypes } = kafkajs
CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec
// kafkajs-lz4 is CommonJS with __esModule: its class is the default export or the module itself.
const LZ4 = ((LZ4Module as unknown as { default?: typeof LZ4Module }).default ?? LZ4Module) as typeof LZ4Module
CompressionCodecs[CompressionTypes.LZ4] = new LZ4().codec

export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4'
const CODEC: Record<Codec, kafkajs.CompressionTypes> = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4 }

export interface Cell {
  path: 'direct' | 'proxied'
  acks: -1 | 0 | 1
  batch: number
  inFlight: number
  codec: Codec
}
export interface CellResult extends Cell {
  records: number
  perSecond: number
  p50ms: number
  p99ms: number
}

/** A ~1 KB OrderPlaced JSON with varied fields (compresses about as real JSON does). */
export function orderJson(n: number): string {
  const items = ['espresso', 'flat white', 'cortado', 'oat latte', 'croissant', 'cinnamon bun', 'matcha', 'cold brew', 'bagel', 'scone']
  const shops = ['baker-st', 'kings-cross', 'soho', 'camden', 'shoreditch']
  let x = (n * 2654435761) >>> 0
  const rnd = (m: number) => ((x = (x * 1103515245 + 12345) >>> 0) % m)
  const lines = Array.from({ length: 9 }, (_, i) => ({ sku: `sku-${rnd(100000)}`, name: items[rnd(items.length)], qty: 1 + rnd(3), price: 150 + rnd(600), note: i % 3 === 0 ? 'extra hot, no sugar' : '' }))
  const order = { type: 'OrderPlaced', order_id: `order-${n}`, shop: shops[rnd(shops.length)], customer: `cust-${rnd(1e6)}`, placed_at: new Date(1.7e12 + n * 1000).toISOString(), lines, total: lines.reduce((s, l) => s + l.qty * l.price, 0) }
  let s = JSON.stringify(order)
  while (s.length < 1024) s = s.replace(/}$/, `,"pad${s.length}":"${'ab'.repeat(8)}"}`)
  return s.slice(0, 1024).replace(/.$/, '}')
}

async function measure(producer: Producer, topic: string, cell: Cell, durationMs: number): Promise<CellResult> {
  const values = Array.from({ length: Math.max(cell.batch, 256) }, (_, i) => orderJson(i))
  const latencies: number[] = []
  let records = 0
  let i = 0
  // One untimed send with this cell's settings: the first request after a change of acks can
  // wait on a fresh connection (after acks=0 sends kafkajs's first acks=1 answer took ~3 s).
  await producer.send({ topic, acks: cell.acks, compression: CODEC[cell.codec], messages: [{ key: null, value: values[0] as string }] })
  const started = performance.now()
  const end = started + durationMs
  const worker = async () => {
    while (performance.now() < end) {
      const messages = Array.from({ length: cell.batch }, () => ({ key: null, value: values[i++ % values.length] as string }))
      const t = performance.now()
      await producer.send({ topic, acks: cell.acks, compression: CODEC[cell.codec], messages })
      latencies.push(performance.now() - t)
      records += cell.batch
    }
  }
  await Promise.all(Array.from({ length: cell.inFlight }, worker))
  const elapsed = (performance.now() - started) / 1000
  const s = [...latencies].sort((a, b) => a - b)
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN
  return { ...cell, records, perSecond: records / elapsed, p50ms: q(0.5), p99ms: q(0.99) }
}

/** The cells: the lecture's axis (acks=all: batching and compression), then acks side by side. */
export function cells(path: Cell['path']): Cell[] {
  const out: Cell[] = []
  for (const batch of [1, 10, 100, 1000]) for (const inFlight of [1, 8]) out.push({ path, acks: -1, batch, inFlight, codec: 'none' })
  for (const batch of [100, 1000]) for (const codec of ['gzip', 'snappy', 'lz4'] as const) out.push({ path, acks: -1, batch, inFlight: 1, codec })
  for (const acks of [0, 1] as const) for (const batch of [1, 100]) out.push({ path, acks, batch, inFlight: 1, codec: 'none' })
  return out
}

export async function benchThroughput(durationMs = Number(process.env.BENCH_CELL_MS ?? 2000), log: (l: string) => void = console.log): Promise<CellResult[]> {
  const results: CellResult[] = []
  for (const path of ['direct', 'proxied'] as const) {
    const owned = await startCluster({ clientPath: path, keepRunDir: false })
    try {
      const c: Cluster = owned.cluster
      const topic = 'bench-throughput'
      await c.createTopic(topic, { partitions: 1 })
      const producer = c.kafka({ clientId: `bench-${path}` }).producer({ allowAutoTopicCreation: false })
      await producer.connect()
      await producer.send({ topic, messages: [{ value: 'warm-up' }] })
      for (const cell of cells(path)) {
        const r = await measure(producer, topic, cell, durationMs)
        results.push(r)
        log(`  ${path.padEnd(7)} acks=${String(cell.acks === -1 ? 'all' : cell.acks).padEnd(3)} batch ${String(cell.batch).padStart(4)} × ${cell.inFlight} in flight, ${cell.codec.padEnd(6)}: ${r.perSecond.toFixed(0).padStart(7)} msg/s  p50 ${r.p50ms.toFixed(1)} ms  p99 ${r.p99ms.toFixed(1)} ms`)
      }
      await producer.disconnect()
    } finally {
      await owned.stop({ keepRunDir: false })
    }
  }
  return results
}

/** The table beside the lecture's, with the proxied/direct ratio. */
export function throughputTable(results: CellResult[]): string {
  const key = (c: Cell) => `${c.acks}|${c.batch}|${c.inFlight}|${c.codec}`
  const direct = new Map(results.filter((r) => r.path === 'direct').map((r) => [key(r), r]))
  const rows = results.filter((r) => r.path === 'proxied').map((p) => {
    const d = direct.get(key(p))
    return `| ${p.acks === -1 ? 'all' : p.acks} | ${p.batch} | ${p.inFlight} | ${p.codec} | ${d ? d.perSecond.toFixed(0) : '-'} | ${d ? `${d.p50ms.toFixed(1)} / ${d.p99ms.toFixed(1)}` : '-'} | ${p.perSecond.toFixed(0)} | ${p.p50ms.toFixed(1)} / ${p.p99ms.toFixed(1)} | ${d ? (p.perSecond / d.perSecond).toFixed(2) : '-'} |`
  })
  return [
    '| acks | records/send | in flight | compression | direct msg/s | direct p50 / p99 ms | via Toxiproxy msg/s | via Toxiproxy p50 / p99 ms | proxied ÷ direct |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n')
}

