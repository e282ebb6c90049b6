import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { describe, expect, test } from 'vitest'
import { runFirstProducer, type FirstProducerResult } from '../../examples/first-producer.js'
import { freshName } from '../../harness/engines/index.js'
import { moduleFile, nodeArgs } from '../../harness/runtime/package.js'
import { cluster } from '../../harness/vitest/fixture.js'

/** The lecture's table ("First producer", "What you will see in the output"), as data. */
const LECTURE_ROWS = [
  { n: 0, key: 'order-0', value: 'OrderPlaced order_id=order-0', partition: 1, offset: 0 },
  { n: 1, key: 'order-1', value: 'OrderPlaced order_id=order-1', partition: 1, offset: 1 },
  { n: 2, key: 'order-2', value: 'OrderPlaced order_id=order-2', partition: 0, offset: 0 },
  { n: 3, key: 'order-3', value: 'OrderPlaced order_id=order-3', partition: 0, offset: 1 },
  { n: 4, key: 'order-4', value: 'OrderPlaced order_id=order-4', partition: 2, offset: 0 },
  { n: 5, key: 'order-5', value: 'OrderPlaced order_id=order-5', partition: 2, offset: 1 },
  { n: 6, key: 'order-6', value: 'OrderPlaced order_id=order-6', partition: 0, offset: 2 },
  { n: 7, key: 'order-7', value: 'OrderPlaced order_id=order-7', partition: 1, offset: 2 },
  { n: 8, key: 'order-8', value: 'OrderPlaced order_id=order-8', partition: 2, offset: 2 },
  { n: 9, key: 'order-9', value: 'OrderPlaced order_id=order-9', partition: 1, offset: 3 },
]
const LECTURE_END_OFFSETS = [
  { partition: 0, offset: 3 },
  { partition: 1, offset: 4 },
  { partition: 2, offset: 3 },
]
const LECTURE_TOTAL = 10

/** Runs the example against the harness cluster, capturing what it prints. */
async function firstProducer(topic: string): Promise<FirstProducerResult & { printed: string }> {
  let printed = ''
  const result = await runFirstProducer({ kafka: cluster().kafka({ clientId: 'order-service' }), topic, out: { write: (t: string) => (printed += t) } })
  console.log(printed)
  return { ...result, printed }
}

const withoutTimestamps = (r: FirstProducerResult) => r.rows.map(({ timestamp: _, ...row }) => row)

describe("the lecture's first producer (examples/first-producer.ts)", () => {
  test('on a fresh topic, every order lands at the partition and offset of the lecture table, and TOTAL is 10', async () => {
    const run = await firstProducer(freshName('brew.orders.v1'))

    expect(run.created).toBe(true)
    expect(withoutTimestamps(run)).toEqual(LECTURE_ROWS)
    expect(run.endOffsets).toEqual(LECTURE_END_OFFSETS)
    expect(run.total).toBe(LECTURE_TOTAL)
    expect(run.printed).toMatch(/^TOTAL\s+10$/m)
  })

  test('a second run on the same topic appends: TOTAL 20, every key in the same partition, offsets advanced by that partition\'s first-run count', async () => {
    const topic = freshName('brew.orders.v1')
    const first = await firstProducer(topic)
    const second = await firstProducer(topic)

    expect(second.created).toBe(false)
    expect(second.total).toBe(2 * LECTURE_TOTAL)
    expect(second.endOffsets).toEqual(LECTURE_END_OFFSETS.map((p) => ({ partition: p.partition, offset: 2 * p.offset })))
    const endOfFirst = new Map(first.endOffsets.map((p) => [p.partition, p.offset]))
    expect(withoutTimestamps(second)).toEqual(
      withoutTimestamps(first).map((row) => ({ ...row, offset: row.offset + (endOfFirst.get(row.partition) ?? NaN) })),
    )
  })

  test('the command line (npx tsx examples/first-producer.ts) prints the same table, given KAFKA_BOOTSTRAP and --topic', async () => {
    const topic = freshName('brew.orders.v1')
    const env = { ...process.env, KAFKA_BOOTSTRAP: cluster().bootstrap.join(',') }
    const { stdout } = await promisify(execFile)(process.execPath, [...nodeArgs(moduleFile('examples/first-producer')), '--topic', topic], { env })
    console.log(stdout)

    for (const row of LECTURE_ROWS) expect(stdout).toMatch(new RegExp(`^${row.n}\\s+${row.key}\\s+${row.value}\\s+${row.partition}\\s+${row.offset}\\s+\\d\\d:\\d\\d:\\d\\d\\.\\d{3}$`, 'm'))
    expect(stdout).toMatch(/^TOTAL\s+10$/m)
  })
})
