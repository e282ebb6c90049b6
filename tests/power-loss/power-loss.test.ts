import { afterAll, beforeAll, describe, expect, onTestFailed, test } from 'vitest'
import { providerFromEnv, startCluster, type OwnedCluster, type PowerCutReport } from '../../harness/cluster/index.js'
import { acksProfile, Lab, once, type LaneResult, type Profile } from '../../harness/engines/index.js'
import { judgeScenario } from '../../harness/gate/verdict.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { durabilityLanes, laneName, runCorrelatedPowerLoss } from './stories/correlated-power-loss.js'
import { leaderPowerLoss } from './stories/leader-power-loss.js'

/**
 * Power loss (docs/power-loss.md): every node's data dir on powerfs, which drops what was not
 * fsynced when the power is cut. The stories wipe data from every node, so they run on a cluster
 * of their own (3 nodes, booted here), not the run's shared one. Native provider only: powerfs is
 * a FUSE mount on this machine.
 */
const NATIVE = providerFromEnv() === 'native'
describe.skipIf(!NATIVE)('power loss through powerfs (native provider only: FUSE mounts on this machine; skipped on containers)', () => {
  const results = new ResultsCollector('power-loss')
  let owned: OwnedCluster | undefined
  let failed = false
  beforeAll(async () => {
    owned = await startCluster({ powerfs: true, lines: 0 })
  })
  afterAll(async () => {
    results.print('power loss')
    results.save()
    await owned?.stop(failed ? { ending: { reason: 'failed', detail: 'a power-loss test failed' } } : { keepRunDir: true })
  })
  const lab = () => {
    if (!owned) throw new Error('the power-loss cluster did not start')
    return new Lab(owned.cluster, { suite: 'power-loss', results })
  }
  const all = acksProfile(-1)
  /** A gate config's kind of lane: its own client (Java), idempotent, one send call in flight. */
  const javaIdempotent: Profile = { variant: 'java idempotent', client: 'java', producer: { acks: -1, idempotent: true, callsInFlight: 1 } }
  const leaderCut = once(async () => {
    const l = lab()
    try {
      return await leaderPowerLoss(l, [all])
    } finally {
      await l.tearDown()
    }
  })
  const everyNode = once(async () => {
    const l = lab()
    try {
      return await runCorrelatedPowerLoss(l, [...durabilityLanes([all], ['defaults', 'flush.messages=1']), ...durabilityLanes([javaIdempotent], ['flush.messages=1'])])
    } finally {
      await l.tearDown()
    }
  })
  const watch = () => onTestFailed(() => void (failed = true))

  test('(a) power loss of the leader alone: its disk dropped the lane’s log, and acks=all lost no acknowledged record', async () => {
    watch()
    const { outcome, fault } = await leaderCut()
    const lane = outcome.lane('all')
    expect(droppedOf(fault.cuts, lane.topic)).toBeGreaterThan(0)
    expect(lane.verdict).toHaveNoLostAcks()
  })

  test('(b) power loss of every replica with Kafka’s defaults: acknowledged acks=all records are lost, every one sent before the cut, from every node’s disk', async () => {
    watch()
    const { outcome, fault } = await everyNode()
    const lane = outcome.variant(laneName(all, 'defaults'))
    const cutAt = Math.min(...fault.cuts.map((c) => c.cutAtMs))
    console.log(timeline(lane, fault.cuts, cutAt))
    expect(lane.verdict.anomalies.lost.count).toBeGreaterThan(0)
    expect(lostEntries(lane).filter((e) => e.start >= cutAt)).toEqual([])
    expect(fault.cuts.every((c) => droppedOf([c], lane.topic) > 0)).toBe(true)
  })

  test('(c) the same power loss with flush.messages=1: every replica had fsynced, nothing acknowledged is lost', async () => {
    watch()
    const { outcome, fault } = await everyNode()
    const lane = outcome.variant(laneName(all, 'flush.messages=1'))
    expect(lane.verdict.totals.acknowledged).toBeGreaterThan(0)
    expect(fault.cuts.every((c) => fsyncsOf(c, lane.topic) > 0)).toBe(true)
    expect(lane.verdict).toHaveNoLostAcks()
  })

  test("(d) the gate's all-replicas claim, judged on these lanes: broken with Kafka's defaults, with the lost records as evidence; kept with flush.messages=1", async () => {
    watch()
    const { outcome } = await everyNode()
    // what the gate's power-loss scenario says of the claim in each lane (judgeScenario: the evidence, before any rule of the options)
    const judged = (setting: 'defaults' | 'flush.messages=1') =>
      judgeScenario('noAcknowledgedLoss', { scenario: 'power loss of every replica', lane: outcome.variant(laneName(all, setting)), faults: outcome.faults })
    const defaults = judged('defaults')
    expect(defaults.status, defaults.reason).toBe('broken')
    expect(defaults.count).toBe(outcome.variant(laneName(all, 'defaults')).verdict.anomalies.lost.count)
    expect(defaults.evidence?.length).toBeGreaterThan(0)
    const flushed = judged('flush.messages=1')
    expect(flushed.status, flushed.reason).toBe('kept')
  })

  test('(e) each lane runs on its own client and calls in flight: a Java idempotent producer, one call at a time, with flush.messages=1 loses nothing acknowledged', async () => {
    watch()
    const { outcome } = await everyNode()
    const lane = outcome.variant(laneName(javaIdempotent, 'flush.messages=1'))
    // the story once ran every lane on kafkajs with two calls in flight, whatever its profile said (docs/power-loss.md)
    expect(lane.ledger.settings.client).toBe('java')
    expect(lane.ledger.entries.every((e) => !lane.ledger.entries.some((o) => o !== e && o.start < e.start && e.start < o.end))).toBe(true)
    expect(lane.verdict.totals.acknowledged).toBeGreaterThan(0)
    expect(lane.verdict).toHaveNoLostAcks()
  })
})

/** Bytes the cuts dropped from the topic's partition logs. */
function droppedOf(cuts: readonly PowerCutReport[], topic: string): number {
  return cuts.flatMap((c) => c.files.filter((f) => f.path.startsWith(`${topic}-`) && f.path.endsWith('.log'))).reduce((s, f) => s + Math.max(0, f.bytesAtCut - f.durableBytes), 0)
}

/** fsyncs the node made of the topic's partition logs while its disk was mounted. */
function fsyncsOf(cut: PowerCutReport, topic: string): number {
  return Object.entries(cut.fsyncedFiles).filter(([path]) => path.startsWith(`${topic}-`) && path.endsWith('.log')).reduce((s, [, n]) => s + n, 0)
}

function lostEntries(lane: LaneResult) {
  const inLog = new Set(lane.log.records.map((r) => r.id))
  return lane.ledger.entries.filter((e) => e.outcome === 'ok' && !inLog.has(e.id))
}

/** The lane's story on one clock (seconds from the cut): what was acknowledged, lost and written again. */
function timeline(lane: LaneResult, cuts: readonly PowerCutReport[], cutAt: number): string {
  const s = (t: number) => `${((t - cutAt) / 1000).toFixed(2)} s`
  const lost = lostEntries(lane)
  const ok = lane.ledger.entries.filter((e) => e.outcome === 'ok')
  const byPartition = new Map<number, number[]>()
  for (const e of lost) byPartition.set(e.partition ?? -1, [...(byPartition.get(e.partition ?? -1) ?? []), e.offset ?? -1])
  const after = ok.filter((e) => e.start > cutAt)
  const ackedBefore = ok.filter((e) => e.end < cutAt)
  const across = ok.filter((e) => e.start < cutAt && e.end >= cutAt)
  return [
    `power loss of every replica, ${lane.variant} (${lane.topic}), t = 0 at the cut:`,
    `  acknowledged before the cut: ${ackedBefore.length} (first at ${s(Math.min(...ackedBefore.map((e) => e.end)))}); lost: ${lost.length} (last lost ack at ${s(Math.max(...lost.map((e) => e.end)))}); sent before the cut, acknowledged after the power came back: ${across.length}`,
    ...[...byPartition].sort(([a], [b]) => a - b).map(([p, offs]) => `  partition ${p}: lost offsets ${Math.min(...offs)}..${Math.max(...offs)} (${offs.length})`),
    `  acknowledged positions now holding another record or none (overwritten): ${lane.verdict.anomalies.overwritten.count}`,
    ...cuts.map((c) => `  node ${c.node}: disk dropped ${droppedOf([c], lane.topic)} bytes of the lane’s logs; ${fsyncsOf(c, lane.topic)} fsyncs of them (${c.fsyncs} fsyncs in all while mounted)`),
    `  sent after the cut: ${after.length} acknowledged, from ${s(Math.min(...after.map((e) => e.end)))}, at offsets from ${Math.min(...after.map((e) => e.offset ?? Infinity))}`,
  ].join('\n')
}
