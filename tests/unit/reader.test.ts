/**
 * The reader's end-of-log logic, against a stand-in consumer that behaves like kafkajs' runner:
 * batches with messages go to eachBatch and then emit consumer.end_batch_process; batches whose
 * records were all filtered out (control records, aborted transactions) only emit the event.
 */
import type { Kafka, KafkaMessage } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { idFromValue, readTopic, ReaderTimeoutError, recordValue } from '../../harness/workload/index.js'
import { decodeMessage, PartitionProgress } from '../../harness/workload/reader.js'

interface FakeBatch {
  partition: number
  /** Messages eachBatch sees. */
  messages: KafkaMessage[]
  /** Offset of the batch's last record, control records included. */
  lastOffset: number
}

function message(offset: number, id: string | null, options: { inValue?: boolean; key?: string | null } = {}): KafkaMessage {
  const key = options.key === undefined ? 'k' : options.key
  return {
    offset: String(offset),
    key: key === null ? null : Buffer.from(key),
    value: Buffer.from(id !== null && options.inValue ? recordValue(id, 'k', 0) : 'opaque'),
    timestamp: '1700000000000',
    attributes: 0,
    headers: id !== null && !options.inValue ? { id: Buffer.from(id), other: [Buffer.from('x'), Buffer.from('y')] } : {},
  }
}

const batch = (partition: number, messages: KafkaMessage[], lastOffset = Number(messages.at(-1)?.offset)): FakeBatch => ({
  partition, messages, lastOffset,
})

function fakeKafka(bounds: { partition: number; low: number; high: number }[], batches: FakeBatch[]) {
  const calls = { consumers: 0, deletedGroups: [] as string[], disconnected: 0 }
  const kafka = {
    admin: () => ({
      connect: async () => {},
      disconnect: async () => {},
      fetchTopicOffsets: async () => bounds.map((b) => ({ partition: b.partition, offset: String(b.high), high: String(b.high), low: String(b.low) })),
      deleteGroups: async (ids: string[]) => {
        calls.deletedGroups.push(...ids)
        return []
      },
    }),
    consumer: () => {
      calls.consumers++
      const listeners = new Map<string, (e: { payload: unknown }) => void>()
      return {
        events: { END_BATCH_PROCESS: 'consumer.end_batch_process', CRASH: 'consumer.crash' },
        on: (name: string, l: (e: { payload: unknown }) => void) => listeners.set(name, l),
        connect: async () => {},
        subscribe: async () => {},
        disconnect: async () => {
          calls.disconnected++
        },
        run: async ({ eachBatch }: { eachBatch: (p: { batch: { partition: number; messages: KafkaMessage[] } }) => Promise<void> }) => {
          setImmediate(async () => {
            for (const b of batches) {
              if (b.messages.length > 0) await eachBatch({ batch: { partition: b.partition, messages: b.messages } })
              listeners.get('consumer.end_batch_process')?.({ payload: { topic: 't', partition: b.partition, lastOffset: String(b.lastOffset) } })
            }
          })
        },
      }
    },
  }
  return { kafka: kafka as unknown as Kafka, calls }
}

describe('readTopic', () => {
  it('reads every partition from its log start to its high watermark, in order, ids from header or value', async () => {
    const { kafka, calls } = fakeKafka(
      [{ partition: 0, low: 0, high: 3 }, { partition: 1, low: 5, high: 7 }, { partition: 2, low: 4, high: 4 }],
      [
        batch(1, [message(5, 'b0'), message(6, 'b1', { inValue: true })]),
        batch(0, [message(0, 'a0'), message(1, null, { key: null })]),
        batch(0, [message(2, 'a2')]),
      ],
    )
    const log = await readTopic({ kafka, topic: 't' })
    expect(log.records.map((r) => [r.partition, r.offset, r.id, r.key])).toEqual([
      [0, 0, 'a0', 'k'], [0, 1, null, null], [0, 2, 'a2', 'k'], [1, 5, 'b0', 'k'], [1, 6, 'b1', 'k'],
    ])
    expect(log.partitions).toEqual([{ partition: 0, low: 0, high: 3 }, { partition: 1, low: 5, high: 7 }, { partition: 2, low: 4, high: 4 }])
    expect(log.isolation).toBe('read_committed')
    expect(log.records[0]).toMatchObject({ timestamp: 1700000000000, headers: { id: 'a0', other: 'x' } })
    expect(calls.disconnected).toBe(1)
    expect(calls.deletedGroups).toHaveLength(1)
  })

  it('finishes a partition whose tail is only control records (a batch eachBatch never sees)', async () => {
    const { kafka } = fakeKafka([{ partition: 0, low: 0, high: 4 }], [batch(0, [message(0, 'a'), message(1, 'b')]), batch(0, [], 3)])
    const log = await readTopic({ kafka, topic: 't' })
    expect(log.records.map((r) => r.id)).toEqual(['a', 'b'])
  })

  it('drops re-delivered records and records at or past the high watermark read at the start', async () => {
    const { kafka } = fakeKafka(
      [{ partition: 0, low: 0, high: 2 }],
      [batch(0, [message(0, 'a')]), batch(0, [message(0, 'a'), message(1, 'b'), message(2, 'late')])],
    )
    const log = await readTopic({ kafka, topic: 't' })
    expect(log.records.map((r) => r.id)).toEqual(['a', 'b'])
  })

  it('does not start a consumer for a topic with only empty partitions', async () => {
    const { kafka, calls } = fakeKafka([{ partition: 0, low: 3, high: 3 }], [])
    expect((await readTopic({ kafka, topic: 't' })).records).toEqual([])
    expect(calls.consumers).toBe(0)
  })

  it('gives up at the deadline, naming each unfinished partition and where it stopped', async () => {
    const { kafka, calls } = fakeKafka(
      [{ partition: 0, low: 0, high: 2 }, { partition: 1, low: 0, high: 9 }],
      [batch(0, [message(0, 'a'), message(1, 'b')]), batch(1, [message(0, 'c')])],
    )
    const read = readTopic({ kafka, topic: 't', timeoutMs: 25 })
    await expect(read).rejects.toThrow(ReaderTimeoutError)
    await expect(read).rejects.toThrow('p1 read up to offset 1 of high watermark 9')
    expect(calls.disconnected).toBe(1)
  })
})

describe('PartitionProgress', () => {
  it('counts a partition finished once processing passes high - 1, whatever the batch held', () => {
    const p = new PartitionProgress([{ partition: 0, low: 10, high: 12 }, { partition: 1, low: 0, high: 0 }])
    expect(p.done).toBe(false)
    p.advance(0, 10)
    expect(p.pending()).toEqual([{ partition: 0, reached: 11, high: 12 }])
    p.advance(0, 10) // a repeat does not count twice
    p.advance(0, 11)
    expect(p.done).toBe(true)
    p.advance(0, 15)
    expect(p.done).toBe(true)
  })
})

describe('decodeMessage', () => {
  it('takes the id from the header, else from a JSON value, else null', () => {
    expect(decodeMessage(0, message(3, 'h')).id).toBe('h')
    expect(decodeMessage(0, message(3, 'v', { inValue: true })).id).toBe('v')
    expect(decodeMessage(0, message(3, null)).id).toBeNull()
    expect(idFromValue('{"id":7}')).toBeNull()
    expect(idFromValue('{not json')).toBeNull()
    expect(idFromValue(null)).toBeNull()
  })
})
