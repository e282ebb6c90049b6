/**
 * The workload, through the kafkajs adapter, against an in-memory stand-in for kafkajs
 * (support/fake-kafka.ts): its ledger must agree with what was really appended. The real-cluster version of these checks lives in
 * tests/cluster.
 */
import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../harness/errors.js'
import { reconcile } from '../../harness/reconcile/index.js'
import { mergeLedgers, openProducerSession, sendRecords, startWorkload, type Ledger } from '../../harness/workload/index.js'
import { placeAcks } from '../../harness/clients/kafkajs/index.js'
import { FakeCluster } from './support/fake-kafka.js'
import { afterRetries, bailed, KafkaJSRequestTimeoutError, protocolError } from './support/kafkajs-errors.js'

const topic = 't'

const perKeySeqs = (ledger: Ledger) => {
  const seqs = new Map<string, number[]>()
  for (const e of ledger.entries) seqs.set(e.key, [...(seqs.get(e.key) ?? []), e.seq])
  return seqs
}

describe('ProducerSession.send', () => {
  it('more calls in flight than calls to make: every call carries its records, none is sent empty', async () => {
    const fake = new FakeCluster(3)
    const ledger = await sendRecords({ ...fake.client(), topic, records: Array.from({ length: 3 }, (_, i) => ({ key: `k-${i}` })), batchSize: 1, concurrency: 64 })
    expect(ledger.entries).toHaveLength(3)
    expect(new Set(ledger.entries.map((e) => e.call)).size).toBe(3)
    expect(ledger.entries.every((e) => e.outcome === 'ok')).toBe(true)
    expect(fake.calls).toBe(3) // the producer's send was called three times, never with nothing
  })
})

describe('startWorkload', () => {
  it('records every record acknowledged at the offset it really got, batch and concurrency notwithstanding', async () => {
    const fake = new FakeCluster(3)
    const run = startWorkload({ ...fake.client(), topic, keys: 4, count: 103, batchSize: 5, concurrency: 3 })
    const ledger = await run.done
    expect(ledger.entries).toHaveLength(103)
    expect(ledger.entries.map((e) => e.n)).toEqual([...Array(103).keys()])
    expect(new Set(ledger.entries.map((e) => e.id)).size).toBe(103)
    expect(ledger.entries.every((e) => e.outcome === 'ok' && e.attempts === 1)).toBe(true)
    expect(new Set(ledger.entries.map((e) => e.key))).toEqual(new Set(['key-0', 'key-1', 'key-2', 'key-3']))
    for (const seqs of perKeySeqs(ledger).values()) expect([...seqs].sort((a, b) => a - b)).toEqual([...seqs.keys()])
    // Records of one call share the call number and the send interval.
    const calls = new Map<number, Set<string>>()
    for (const e of ledger.entries) calls.set(e.call, (calls.get(e.call) ?? new Set()).add(`${e.start} ${e.end}`))
    expect(calls.size).toBe(21)
    expect([...calls.values()].every((intervals) => intervals.size === 1)).toBe(true)
    // The ledger's order (n) is the send order, and send starts never decrease along it.
    const starts = ledger.entries.map((e) => e.start)
    expect(starts).toEqual([...starts].sort((a, b) => a - b))
    expect(reconcile(ledger, fake.topicLog(topic))).toBeClean()
    expect(run.progress()).toEqual({ sent: 103, acknowledged: 103, failed: 0, unknown: 0, inFlight: 0 })
    expect(ledger.settings).toMatchObject({ client: 'kafkajs', profile: { acks: -1 }, send: { acks: -1 }, producer: { partitioner: 'default', allowAutoTopicCreation: false } })
    expect(JSON.parse(JSON.stringify(ledger))).toEqual(ledger)
  })

  it('writes the id in the header and in a JSON value padded to valueBytes', async () => {
    const fake = new FakeCluster(1)
    await startWorkload({ ...fake.client(), topic, keys: ['a', 'b'], count: 4, valueBytes: 100 }).done
    expect(fake.values.map((v) => Buffer.byteLength(v))).toEqual([100, 100, 100, 100])
    fake.records.forEach((r, i) => {
      expect(JSON.parse(fake.values[i]!)).toMatchObject({ id: r.id, key: r.key })
    })
    expect(fake.records.map((r) => r.key)).toEqual(['a', 'b', 'a', 'b'])
  })

  it('keeps going through failures and records each outcome as the classification says', async () => {
    const fake = new FakeCluster(1)
    // call 2 times out after its records were appended; call 4 is refused (MESSAGE_TOO_LARGE)
    const errors = new Map<number, unknown>([[2, await afterRetries(new KafkaJSRequestTimeoutError('Request Produce timed out'))], [4, await bailed(protocolError(10))]])
    fake.script = (call) => {
      const error = errors.get(call)
      return error === undefined ? { kind: 'ack' } : { kind: 'throw', error, written: call === 2 }
    }
    const ledger = await startWorkload({ ...fake.client(), topic, keys: 2, count: 8 }).done
    const byCall = (call: number) => ledger.entries.find((e) => e.call === call)!
    expect(byCall(2)).toMatchObject({ outcome: 'unknown', offset: null, error: { name: 'KafkaJSNumberOfRetriesExceeded', cause: { name: 'KafkaJSRequestTimeoutError' } } })
    expect(byCall(4)).toMatchObject({ outcome: 'failed', partition: 0, reason: 'broker rejected the batch: MESSAGE_TOO_LARGE' })
    expect(ledger.entries.filter((e) => e.outcome === 'ok')).toHaveLength(6)
    const verdict = reconcile(ledger, fake.topicLog(topic))
    expect(verdict).toBeClean()
    expect(verdict.anomalies.unknownWritten.count).toBe(1)
    expect(verdict.anomalies.failedButWritten.count).toBe(0)
  })

  it('a rejected call that spanned several partitions leaves its records unknown', async () => {
    const fake = new FakeCluster(4)
    const error = await afterRetries(protocolError(19))
    fake.script = () => ({ kind: 'throw', error, written: false })
    const ledger = await startWorkload({ ...fake.client(), topic, keys: 8, count: 8, batchSize: 8 }).done
    expect(new Set(ledger.entries.map((e) => e.partition)).size).toBeGreaterThan(1)
    expect(ledger.entries.every((e) => e.outcome === 'unknown' && /spanned/.test(e.reason ?? ''))).toBe(true)
  })

  it('acks=0: every record unknown with reason acks=0, and none is lost', async () => {
    const fake = new FakeCluster(2)
    const ledger = await startWorkload({ ...fake.client(), topic, producer: { acks: 0 }, keys: 3, count: 9, batchSize: 3 }).done
    expect(ledger.entries.every((e) => e.outcome === 'unknown' && e.reason === 'acks=0' && e.offset === null)).toBe(true)
    const verdict = reconcile(ledger, fake.topicLog(topic))
    expect(verdict).toHaveNoLostAcks()
    expect(verdict.anomalies.unknownWritten.count).toBe(9)
  })

  it('acknowledged(n) resolves once n records are acknowledged, and rejects if the run ends short', async () => {
    const fake = new FakeCluster(1)
    const seen: number[] = []
    const run = startWorkload({ ...fake.client(), topic, count: 20, onProgress: (p) => seen.push(p.acknowledged) })
    await run.acknowledged(10)
    expect(run.progress().acknowledged).toBeGreaterThanOrEqual(10)
    await expect(run.acknowledged(21)).rejects.toThrow('the run ended with 20 of 21 awaited records acknowledged')
    await run.done
    expect(seen).toEqual([...Array(20).keys()].map((i) => i + 1))
    await expect(run.acknowledged(21)).rejects.toThrow(/20 of 21/)
  })

  it('runs until stop() when given no count, and settles every record it sent', async () => {
    const fake = new FakeCluster(2)
    const run = startWorkload({ ...fake.client(), topic, concurrency: 2, batchSize: 2 })
    await run.acknowledged(30)
    run.stop()
    const ledger = await run.done
    expect(ledger.entries.length).toBeGreaterThanOrEqual(30)
    expect(run.progress().inFlight).toBe(0)
    expect(reconcile(ledger, fake.topicLog(topic))).toBeClean()
  })

  it('stops when its AbortSignal aborts', async () => {
    const fake = new FakeCluster(1)
    const controller = new AbortController()
    const run = startWorkload({ ...fake.client(), topic, signal: controller.signal, rate: 10_000 })
    await run.acknowledged(5)
    controller.abort()
    const ledger = await run.done
    expect(ledger.entries.length).toBeGreaterThanOrEqual(5)
    expect(ledger.entries.every((e) => e.outcome === 'ok')).toBe(true)
  })

  it('abandons a send that never settles after drainTimeoutMs, recording it unknown', async () => {
    const fake = new FakeCluster(1)
    fake.script = (call) => (call === 1 ? { kind: 'hang' } : { kind: 'ack' })
    const ledger = await startWorkload({ ...fake.client(), topic, count: 6, concurrency: 2, drainTimeoutMs: 20 }).done
    expect(ledger.entries).toHaveLength(6)
    const hung = ledger.entries.find((e) => e.call === 1)!
    expect(hung).toMatchObject({ outcome: 'unknown', reason: 'abandoned: still in flight when the run ended', partition: 0 })
    expect(ledger.entries.filter((e) => e.outcome === 'ok')).toHaveLength(5)
  })

  it('retries connecting, recording each failure', async () => {
    const fake = new FakeCluster(1)
    fake.connectFailures = 2
    const ledger = await startWorkload({ ...fake.client(), topic, count: 3, connectBackoff: { minMs: 1, maxMs: 1 } }).done
    expect(ledger.events.map((e) => e.type).slice(0, 3)).toEqual(['connect-failed', 'connect-failed', 'connect'])
    expect(ledger.events[0]!.detail).toMatchObject({ attempt: 0, code: 'ECONNREFUSED' })
    expect(ledger.entries.every((e) => e.outcome === 'ok')).toBe(true)
  })

  it('records retries and the leader and ISR changes the producer sees', async () => {
    const fake = new FakeCluster(1)
    fake.script = (call) => {
      if (call === 3) fake.moveLeader(0, 2, [2, 3])
      return call === 1 ? { kind: 'retry-then-ack' } : { kind: 'ack' }
    }
    const ledger = await startWorkload({ ...fake.client(), topic, count: 5 }).done
    expect(ledger.entries.find((e) => e.call === 1)!.attempts).toBe(2)
    const events = ledger.events.filter((e) => e.type !== 'connect' && e.type !== 'disconnect')
    expect(events.map((e) => [e.type, e.detail])).toEqual([
      ['retry', { call: 1, attempt: 2 }],
      ['leader-change', { partition: 0, from: 1, to: 2 }],
      ['isr-change', { partition: 0, from: '1,2,3', to: '2,3' }],
    ])
  })

  it('rejects invalid settings at once', () => {
    const fake = new FakeCluster(1).client()
    expect(() => startWorkload({ ...fake, topic, batchSize: 0 })).toThrow('batchSize must be a positive integer, got 0')
    expect(() => startWorkload({ ...fake, topic, keys: 0 })).toThrow('key count must be a positive integer, got 0')
    expect(() => startWorkload({ ...fake, topic, count: -1 })).toThrow('count must be a non-negative integer, got -1')
    expect(() => startWorkload({ ...fake, topic, producer: { acks: 1, idempotent: true } })).toThrow(
      new ConfigError('producer.acks', 'must be "all" (-1) with producer.idempotent: true; kafkajs rejects any other acks for an idempotent producer at send time', 1),
    )
    expect(() => startWorkload({ ...fake, topic, producer: { lingerMs: 5 } })).toThrow(/producer\.lingerMs: kafkajs has no linger/)
    expect(() => startWorkload({ ...fake, topic, producer: { retires: 3 } as never })).toThrow(/producer\.retires: unknown option; did you mean 'retries'\?/)
    expect(() => startWorkload({ ...fake, topic, producer: { acks: 2 } as never })).toThrow(/producer\.acks: must be one of 0, 1, -1 or "all" \(got 2\)/)
    expect(() => startWorkload({ ...fake, topic, client: 'sarama' as never })).toThrow(/client: unknown client Known clients: kafkajs/)
  })
})

describe('the deterministic path', () => {
  it('sendRecords sends exactly the given records, in order, and returns their ledger', async () => {
    const fake = new FakeCluster(3)
    const ledger = await sendRecords({
      ...fake.client(),
      topic,
      records: [{ key: 'a', id: 'first' }, { key: 'b', id: 'second', partition: 2 }, { key: 'a', id: 'third' }],
    })
    expect(ledger.entries.map((e) => [e.id, e.key, e.seq, e.call])).toEqual([['first', 'a', 0, 0], ['second', 'b', 0, 1], ['third', 'a', 1, 2]])
    expect(ledger.entries[1]).toMatchObject({ partition: 2, offset: 0, outcome: 'ok' })
    expect(fake.records.map((r) => r.id)).toEqual(['first', 'second', 'third'])
    expect(reconcile(ledger, fake.topicLog(topic))).toBeClean()
  })

  it('a session sends in steps; sequence numbers continue per key', async () => {
    const fake = new FakeCluster(1)
    const session = openProducerSession({ ...fake.client(), topic, idPrefix: 'run' })
    const first = await session.send([{ key: 'a' }, { key: 'a' }], { batchSize: 2 })
    const second = await session.send([{ key: 'a' }, { key: 'b' }])
    const ledger = await session.close()
    expect(first.map((e) => [e.id, e.offset])).toEqual([['run-0', 0], ['run-1', 1]])
    expect(second.map((e) => [e.id, e.key, e.seq])).toEqual([['run-2', 'a', 2], ['run-3', 'b', 0]])
    expect(ledger.entries).toHaveLength(4)
    expect(await session.send([{ key: 'a' }])).toEqual([])
  })
})

describe('mergeLedgers', () => {
  it('joins the ledgers of producers sharing a topic, so one reconciliation covers them all', async () => {
    const fake = new FakeCluster(2)
    const [a, b] = await Promise.all([
      startWorkload({ ...fake.client(), topic, keys: 3, count: 10 }).done,
      sendRecords({ ...fake.client(), topic, records: [{ key: 'x' }, { key: 'y' }] }),
    ])
    const merged = mergeLedgers([a, b])
    expect(merged.entries).toHaveLength(12)
    expect(merged.entries.map((e) => e.start)).toEqual([...merged.entries.map((e) => e.start)].sort((p, q) => p - q))
    expect(reconcile(merged, fake.topicLog(topic))).toBeClean()
    expect(reconcile(a, fake.topicLog(topic)).anomalies.phantom.count).toBe(2)
    expect(() => mergeLedgers([a, { ...b, topic: 'other' }])).toThrow('topics differ')
  })

  it("keeps each ledger's send order where send starts tie (records of one call)", () => {
    const at = (id: string, start: number) => ({ id, key: 'k', seq: 0, n: 0, call: 0, start, end: start + 1, outcome: 'ok' as const, partition: 0, offset: 0, attempts: 1 })
    const ledger = (entries: Ledger['entries']): Ledger => ({ topic, startedAt: 0, endedAt: 0, settings: {}, entries, events: [] })
    const merged = mergeLedgers([ledger([at('a1', 10), at('a0', 10), at('a2', 30)]), ledger([at('b0', 10), at('b1', 20)])])
    expect(merged.entries.map((e) => e.id)).toEqual(['a1', 'a0', 'b0', 'b1', 'a2'])
  })
})

describe('placeAcks', () => {
  it('gives the i-th record sent to a partition baseOffset + i', () => {
    const placed = placeAcks('t', [0, 1, 0, 0, 1], [
      { topicName: 't', partition: 1, errorCode: 0, baseOffset: '40' },
      { topicName: 't', partition: 0, errorCode: 0, baseOffset: '7' },
    ])
    expect(placed.map((p) => (p.outcome === 'ok' ? `${p.partition}@${p.offset}` : p.outcome))).toEqual(['0@7', '1@40', '0@8', '0@9', '1@41'])
  })

  it('leaves records unknown when the response has no metadata for their partition or none was seen', () => {
    const placed = placeAcks('t', [0, 1, null], [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '3' }, { topicName: 'other', partition: 1, errorCode: 0, baseOffset: '3' }])
    expect(placed).toEqual([
      { outcome: 'ok', partition: 0, offset: 3 },
      { outcome: 'unknown', partition: 1, reason: 'resolved, but no metadata for partition in the response' },
      { outcome: 'unknown', partition: null, reason: 'resolved, but no partition was seen for this record' },
    ])
  })

  it('an ack without a usable offset is ok with offset null', () => {
    expect(placeAcks('t', [0], [{ topicName: 't', partition: 0, errorCode: 0, baseOffset: '-1' }])).toEqual([{ outcome: 'ok', partition: 0, offset: null }])
    expect(placeAcks('t', [0], [{ topicName: 't', partition: 0, errorCode: 0, offset: '5' }])).toEqual([{ outcome: 'ok', partition: 0, offset: 5 }])
  })
})
