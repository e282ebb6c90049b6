/**
 * The out-of-process drivers (Java's kafka-clients, franz-go) against the real cluster, spoken to
 * in the driver protocol itself (the adapters on top: tests/clients/<client>.test.ts). Each driver
 * writes keyed records at acks all with idempotence, one record per call and batched; every
 * record's reported partition and offset must be exactly where a reader finds it, and the
 * reconciler must find nothing.
 *
 * The drivers are installed by `npm run setup` (or `npm run setup:clients`): a driver that is not
 * installed is skipped (with the fix in the skip note), unless KD_REQUIRE_CLIENTS=1, which makes
 * it fail instead.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { spawn } from 'node:child_process'
import { DriverConfigError, DriverFailedError, DriverProcess, driverCommand, type DriverName } from '../../harness/clients/driver.js'
import { waitFor } from '../../harness/cluster/wait.js'
import { cutPaths } from '../../harness/faults/index.js'
import { KAFKA_ERROR_CODES, PROTOCOL_VERSION, type DriverLine, type DriverProfile, type DriverRecord, type DriverStart, type RecordResult } from '../../harness/clients/protocol.js'
import { reconcile } from '../../harness/reconcile/index.js'
import { clientsDir } from '../../harness/runtime/clients.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { readTopic, type TopicLog } from '../../harness/workload/reader.js'
import { ID_HEADER, newIdPrefix, recordValue } from '../../harness/workload/record.js'

const required = process.env.KD_REQUIRE_CLIENTS === '1'
const installed = (marker: string) => required || existsSync(join(clientsDir(), marker))
const driverInstalled: Record<DriverName, boolean> = {
  java: installed('java-driver/classes.key'),
  'franz-go': installed('franz-go-driver/driver'),
}
const SKIP_NOTE = '(not installed: npm run setup:clients)'

// franz-go compresses with snappy unless told otherwise, and the reader is kafkajs, which decodes
// only gzip: every start line here says compression none (as the adapters' always do).
const uniqueTopic = (name: string) => `${name}-${Date.now().toString(36)}`
const logDir = mkdtempSync(join(tmpdir(), 'kd-drivers-'))

const running: DriverProcess[] = []
afterEach(async () => {
  // Every driver started by a test ends with it, passed or failed.
  await Promise.all(running.splice(0).map((d) => d.kill()))
})

function startLine(topic: string, producer: DriverProfile, clientId: string): DriverStart {
  return {
    protocol: PROTOCOL_VERSION,
    topic,
    endpoint: { clientId, brokers: [...cluster().bootstrap], connectionTimeoutMs: 3_000, requestTimeoutMs: 10_000 },
    producer,
  }
}

async function startDriver(name: DriverName, start: DriverStart, onLine: (line: DriverLine) => void = () => {}): Promise<DriverProcess> {
  const d = await DriverProcess.start(name, start, { logFile: join(logDir, `${name}-${start.endpoint.clientId}.log`), onLine })
  running.push(d)
  return d
}

interface Sent {
  record: DriverRecord
  key: string
  seq: number
  call: number
  start: number
  end: number
  result: RecordResult
}

/** 20 records over 5 keys, 4 per key, ids `<prefix>-<n>`. */
function records(prefix: string, count = 20, keys = 5): { record: DriverRecord; key: string; seq: number }[] {
  return Array.from({ length: count }, (_, n) => {
    const key = `key-${n % keys}`
    const seq = Math.floor(n / keys)
    const id = `${prefix}-${n}`
    return { record: { id, key, value: recordValue(id, key, seq), headers: { [ID_HEADER]: id } }, key, seq }
  })
}

/** Sends `recs` in calls of `perCall` records, `inFlight` calls at a time. */
async function sendAll(d: DriverProcess, recs: ReturnType<typeof records>, perCall: number, inFlight: number, firstCall = 0): Promise<Sent[]> {
  const calls: ReturnType<typeof records>[] = []
  for (let i = 0; i < recs.length; i += perCall) calls.push(recs.slice(i, i + perCall))
  const sent: Sent[] = []
  let next = 0
  const lane = async () => {
    while (next < calls.length) {
      const i = next++
      const batch = calls[i] as ReturnType<typeof records>
      const call = firstCall + i
      const start = performance.timeOrigin + performance.now()
      const results = await d.send(call, batch.map((r) => r.record))
      const end = performance.timeOrigin + performance.now()
      batch.forEach((r, j) => sent.push({ ...r, call, start, end, result: results[j] as RecordResult }))
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane))
  return sent.sort((a, b) => a.start - b.start)
}

/** Each record's reported position against the log's, and the reconciler over the whole. */
function expectExact(sent: readonly Sent[], log: TopicLog): void {
  const where = new Map(log.records.map((r) => [r.id, { partition: r.partition, offset: r.offset }]))
  for (const s of sent) {
    expect(s.result, `record ${s.record.id}`).toMatchObject({ id: s.record.id, outcome: 'ok' })
    expect({ partition: s.result.partition, offset: s.result.offset }, `record ${s.record.id}: reported vs log`).toEqual(where.get(s.record.id))
  }
  expect(log.records).toHaveLength(sent.length)
  const verdict = reconcile(
    {
      topic: log.topic,
      entries: sent.map((s) => ({
        id: s.record.id,
        key: s.key,
        seq: s.seq,
        call: s.call,
        start: s.start,
        end: s.end,
        outcome: s.result.outcome,
        partition: s.result.partition,
        offset: s.result.offset,
      })),
    },
    log,
  )
  expect(verdict).toBeClean()
  expect(verdict.totals).toMatchObject({ sent: sent.length, acknowledged: sent.length, failed: 0, unknown: 0, read: sent.length })
}

const IDEMPOTENT: DriverProfile = { acks: -1, idempotent: true, retries: 10, lingerMs: 5, compression: 'none' }

describe.each(['java', 'franz-go'] as const)('the %s driver', (name) => {
  const it = test.skipIf(!driverInstalled[name])

  it(`carries the protocol's error table exactly ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    expect(await driverErrorTable(name)).toEqual(JSON.parse(JSON.stringify(KAFKA_ERROR_CODES)))
  })

  it(`refuses an unknown profile option by its field, and exits 2 ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const topic = 'never-created'
    const bad = (producer: Record<string, unknown>, endpoint: Record<string, unknown> = {}) =>
      DriverProcess.start(name, { ...startLine(topic, producer as DriverProfile, `${name}-bad`), endpoint: { ...startLine(topic, {}, `${name}-bad`).endpoint, ...endpoint } })
    await expect(bad({ acks: -1, lingerMS: 5 })).rejects.toThrow(DriverConfigError)
    await expect(bad({ acks: -1, lingerMS: 5 })).rejects.toMatchObject({ field: 'producer.lingerMS' })
    await expect(bad({ retryBackoff: { initialMs: 10, factor: 2 } })).rejects.toMatchObject({ field: 'producer.retryBackoff.factor' })
    await expect(bad({}, { socketTimeout: 5 })).rejects.toMatchObject({ field: 'endpoint.socketTimeout' })
    await expect(bad({ acks: 2 })).rejects.toMatchObject({ field: 'producer.acks' })
    await expect(bad({ acks: 1, idempotent: true })).rejects.toMatchObject({ field: name === 'java' ? 'producer.acks' : 'producer.idempotent' })
  })

  it(`20 keyed records, acks all + idempotence, one record per call: every reported offset is where the log has it ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const c = cluster()
    const topic = uniqueTopic(`${name}-single`)
    await c.createTopic(topic, { partitions: 3 })
    const lines: DriverLine[] = []
    const d = await startDriver(name, startLine(topic, IDEMPOTENT, `${name}-single`), (l) => lines.push(l))
    expect(d.ready).toMatchObject({ driver: name, protocol: PROTOCOL_VERSION })
    expect(await d.connect()).toMatchObject({ op: 'connect', ok: true })
    const sent = await sendAll(d, records(newIdPrefix()), 1, 1)
    const identity = await d.identity()
    expect(identity.producerId).toBeGreaterThanOrEqual(0)
    expect(identity.epoch).toBeGreaterThanOrEqual(0)
    const closed = await d.close()
    expect(closed).toMatchObject({ reason: 'close', unsettled: 0 })
    expect(lines.filter((l) => l.type === 'late')).toEqual([])
    const log = await readTopic({ kafka: c.kafka(), topic })
    expectExact(sent, log)
    // One record per call, awaited: per key, offsets rise with the per-key sequence.
    for (const key of new Set(sent.map((s) => s.key))) {
      const offsets = sent.filter((s) => s.key === key).map((s) => s.result.offset as number)
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
    }
  })

  it(`20 keyed records batched (one call of 20, then four calls of 5 with two in flight): exact per-record offsets ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const c = cluster()
    const topic = uniqueTopic(`${name}-batched`)
    await c.createTopic(topic, { partitions: 3 })
    const d = await startDriver(name, startLine(topic, { ...IDEMPOTENT, recordsPerCall: 20 }, `${name}-batched`))
    expect(await d.connect()).toMatchObject({ ok: true })
    const prefix = newIdPrefix()
    const all = records(prefix, 40)
    const one = await sendAll(d, all.slice(0, 20), 20, 1)
    expect(new Set(one.map((s) => s.call)).size).toBe(1)
    const four = await sendAll(d, all.slice(20), 5, 2, 1)
    expect(new Set(four.map((s) => s.call)).size).toBe(4)
    await d.close()
    expectExact([...one, ...four], await readTopic({ kafka: c.kafka(), topic }))
  })

  it(`a closed stdin (a parent that died) settles every open record as unknown and ends the driver ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const c = cluster()
    const topic = uniqueTopic(`${name}-eof`)
    await c.createTopic(topic, { partitions: 1 })
    const lines: DriverLine[] = []
    const d = await startDriver(name, startLine(topic, IDEMPOTENT, `${name}-eof`), (l) => lines.push(l))
    expect(await d.connect()).toMatchObject({ ok: true })
    // No broker can be reached any more: the records stay open in the client (healed after the test).
    for (const node of c.nodeIds) await cutPaths(node, ['client']).apply(c)
    const results = d.send(0, records(newIdPrefix(), 3).map((r) => r.record))
    d.endInput()
    const settled = await results
    expect(settled.map((r) => [r.outcome, r.reason])).toEqual([
      ['unknown', 'closed'],
      ['unknown', 'closed'],
      ['unknown', 'closed'],
    ])
    expect(await d.exited).toEqual({ code: 0, signal: null })
    expect(lines.at(-1)).toMatchObject({ type: 'closed', reason: 'stdin-closed', unsettled: 3 })
  })

  it(`abandon settles open records as unknown at once; the client's own answers come later as late lines, at the log's offsets ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const c = cluster()
    const topic = uniqueTopic(`${name}-abandon`)
    await c.createTopic(topic, { partitions: 1 })
    const late: RecordResult[] = []
    let allLate: () => void = () => {}
    const lateArrived = new Promise<void>((resolve) => (allLate = resolve))
    const d = await startDriver(name, startLine(topic, IDEMPOTENT, `${name}-abandon`), (l) => {
      if (l.type === 'late' && late.push(l) === 3) allLate()
    })
    expect(await d.connect()).toMatchObject({ ok: true })
    const cuts = c.nodeIds.map((node) => cutPaths(node, ['client']))
    for (const cut of cuts) await cut.apply(c)
    const recs = records(newIdPrefix(), 3)
    const results = d.send(0, recs.map((r) => r.record))
    expect(await d.abandon()).toMatchObject({ op: 'abandon', ok: true, abandoned: 3 })
    expect((await results).map((r) => [r.outcome, r.reason])).toEqual([
      ['unknown', 'abandoned'],
      ['unknown', 'abandoned'],
      ['unknown', 'abandoned'],
    ])
    for (const cut of cuts) await cut.heal(c)
    await lateArrived
    await d.close()
    const log = await readTopic({ kafka: c.kafka(), topic })
    expect(late.map((l) => l.outcome)).toEqual(['ok', 'ok', 'ok'])
    const where = new Map(log.records.map((r) => [r.id, { partition: r.partition, offset: r.offset }]))
    for (const l of late) expect({ partition: l.partition, offset: l.offset }, `record ${l.id}`).toEqual(where.get(l.id))
  })

  it(`a transactional producer: each call in its own transaction, committed, its records ok at the log's offsets ${driverInstalled[name] ? '' : SKIP_NOTE}`, async () => {
    const c = cluster()
    const topic = uniqueTopic(`${name}-txn`)
    await c.createTopic(topic, { partitions: 3 })
    const d = await startDriver(name, startLine(topic, { acks: -1, transactionalId: `${name}-txn-${newIdPrefix()}`, compression: 'none' }, `${name}-txn`))
    expect(await d.connect()).toMatchObject({ ok: true })
    expect(await d.initTransactions()).toMatchObject({ op: 'init-transactions', ok: true })
    const sent = await sendAll(d, records(newIdPrefix(), 10), 5, 1)
    expect((await d.identity()).producerId).toBeGreaterThanOrEqual(0)
    await d.close()
    // A commit returns once the coordinator has decided it; the markers that move each
    // partition's last stable offset past the records follow. The reader stops at the last
    // stable offset it sees at its start, so wait for it first.
    const admin = c.kafka().admin()
    await admin.connect()
    try {
      await waitFor(`the last stable offsets of ${topic} past every committed record`, async () => {
        const stable = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]))
        const behind = sent.filter((r) => (stable.get(r.result.partition as number) ?? 0) <= (r.result.offset as number))
        if (behind.length > 0) throw new Error(`${behind.length} records at or past their partition's last stable offset`)
      }, { timeoutMs: 30_000 })
    } finally {
      await admin.disconnect()
    }
    expectExact(sent, await readTopic({ kafka: c.kafka(), topic }))
  })
})

/** Runs `<driver> --error-table` and returns what it prints. */
export async function driverErrorTable(name: DriverName): Promise<unknown> {
  const { command, args } = driverCommand(name)
  const child = spawn(command, [...args, '--error-table'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  if (code !== 0) throw new DriverFailedError(name, `--error-table exited with ${code}`, '')
  return JSON.parse(out)
}
