import { afterAll, describe, expect, test } from 'vitest'
import { acksProfile, ALL_ACKS, leaderChangesSeen, once, runStory, STEADY, type LaneResult, type Story } from '../../harness/engines/index.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import type { Ledger, LedgerEntry, LedgerEvent } from '../../harness/workload/index.js'
import { cableYanked } from './stories/cable-yanked.js'
import { followersNeverHadIt, K } from './stories/followers-never-had-it.js'
import { isrShrunkToLeader } from './stories/isr-shrunk.js'
import { leaderKilledUnderLoad } from './stories/leader-killed-under-load.js'
import { leaderShutDownUnderLoad } from './stories/leader-shut-down-under-load.js'

/**
 * The lecture's acks stories, measured: acks=0, acks=1 and acks=all side by side, each its own
 * producer and its own fresh topic (RF=3, min.insync.replicas=2), every topic led by the same
 * node, one fault at one moment for all three. Each story runs once; its tests read its lanes.
 */
describe('acks=0, 1 and all side by side under leader faults', () => {
  const results = new ResultsCollector('acks')
  const run = (story: Story, profiles = ALL_ACKS.map(acksProfile)) => once(() => runStory(cluster(), { suite: 'acks', results }, story, profiles))
  afterAll(() => {
    results.print('acks × leader faults')
    console.log(results.rows.map((r) => `${r.scenario} / ${r.variant}: sent minus found = ${r.counts.absent}`).join('\n'))
    results.save()
  })
  const [all, one] = [acksProfile(-1), acksProfile(1)]

  // 1. The leader is SIGKILLed while every producer writes at a steady pace.
  const killed = run(leaderKilledUnderLoad)

  test('leader SIGKILL under steady load: acks=all loses no acknowledged record', async () => {
    expect((await killed()).lane('all').verdict).toHaveNoLostAcks()
  })

  test('leader SIGKILL under steady load: the acks=all producer saw the leader change', async () => {
    const o = await killed()
    expect(leaderChangesSeen(o.lane('all').ledger, o.leader)).toBeGreaterThan(0)
  })

  // Pinned (kafkajs 2.2.4): an acks=0 send resolves once written to the socket, so no error ever
  // reaches the producer and it never refreshes its metadata. It reconnects to the dead leader
  // (through its proxy, which accepts and resets) and, once that node is back as a follower, to
  // it: the broker answers each acks=0 batch for a partition it does not lead by closing the
  // connection (Kafka's signal to refresh metadata, which kafkajs ignores). Nothing it sends after
  // the kill is written.
  test('leader SIGKILL under steady load: the acks=0 producer never noticed, and nothing it sent after the kill was written', async () => {
    const o = await killed()
    const zero = o.lane('0')
    expect(eventsOf(zero.ledger, 'retry', 'leader-change', 'request-timeout')).toEqual([])
    const afterKill = sentSince(zero, o.faultAt)
    expect(afterKill.sent).toBeGreaterThanOrEqual(2 * STEADY.after) // through the failover, and after the heal
    expect(afterKill.found).toBe(0)
  })

  // 2. "The leader confirmed, the followers never had it", the leader SIGKILLed.
  const confirmedAlone = run(followersNeverHadIt('SIGKILL'))

  test('leader confirmed, followers never had it: acks=1 loses exactly the K acknowledged records, their offsets overwritten', async () => {
    expectLostExactly((await confirmedAlone()).lane('1'), K)
  })

  test('leader confirmed, followers never had it: acks=all was never acknowledged (timed out), so nothing acknowledged is lost', async () => {
    const { verdict, ledger } = (await confirmedAlone()).lane('all')
    expect(ledger.entries.map(sendOutcome)).toEqual(Array.from({ length: K }, () => ({ outcome: 'unknown', type: 'REQUEST_TIMED_OUT', code: 7 })))
    expect(verdict).toHaveNoLostAcks()
  })

  test('leader confirmed, followers never had it: acks=0 has no acks to lose, and all K records sent are absent', async () => {
    const { verdict, absent } = (await confirmedAlone()).lane('0')
    expect(verdict.totals).toMatchObject({ sent: K, acknowledged: 0 })
    expect(verdict.anomalies.unknownAbsent.count).toBe(K)
    expect(absent).toBe(K)
  })

  // 3. The cable is yanked: nobody reaches the leader for a few seconds, but it is not fenced.
  const yanked = run(cableYanked)

  test('cable yanked: acks=all loses no acknowledged record', async () => {
    expect((await yanked()).lane('all').verdict).toHaveNoLostAcks()
  })

  test('cable yanked: the leader was never fenced, so it is still the leader', async () => {
    const o = await yanked()
    expect(await cluster().leaderOf(o.lane('all').topic, 0)).toBe(o.leader)
  })

  // 4. Clean shutdown vs hard kill of the leader, acks=1 (the hard kill is story 1).
  const stopped = run(leaderShutDownUnderLoad, [all, one])

  test('controlled shutdown of the leader under steady load: acks=all loses no acknowledged record', async () => {
    expect((await stopped()).lane('all').verdict).toHaveNoLostAcks()
  })

  test('controlled shutdown of the leader under steady load: the acks=1 producer saw the leader change (its loss is counted in the matrix)', async () => {
    const o = await stopped()
    expect(leaderChangesSeen(o.lane('1').ledger, o.leader)).toBeGreaterThan(0)
  })

  const stoppedAlone = run(followersNeverHadIt('controlled shutdown'), [one])

  test('controlled shutdown does not save what the followers never had: acks=1 loses exactly the K acknowledged records', async () => {
    expectLostExactly((await stoppedAlone()).lane('1'), K)
  })

  // 5. min.insync.replicas=2 with the ISR shrunk to the leader.
  const starved = run(isrShrunkToLeader)

  test('ISR shrunk to the leader: every acks=all send fails with NOT_ENOUGH_REPLICAS', async () => {
    const { ledger } = (await starved()).lane('all')
    expect(ledger.entries.map(sendOutcome)).toEqual(Array.from({ length: K }, () => ({ outcome: 'failed', type: 'NOT_ENOUGH_REPLICAS', code: 19 })))
  })

  test('ISR shrunk to the leader: acks=1 sends are still acknowledged, and none is lost', async () => {
    const { verdict } = (await starved()).lane('1')
    expect(verdict.totals).toMatchObject({ sent: K, acknowledged: K })
    expect(verdict).toHaveNoLostAcks()
  })
})

/** The lane's K acknowledged records are lost, and their acknowledged offsets now hold something else or nothing. */
function expectLostExactly({ verdict, ledger }: LaneResult, k: number): void {
  expect(verdict.totals.acknowledged).toBe(k)
  expect(verdict).toHaveLost(k)
  expect(verdict).toHaveOverwritten(k)
  expect(positions(verdict.anomalies.overwritten.evidence.map((e) => e.ack))).toEqual(positions(ledger.entries))
}

/** Acknowledged positions as sorted `p@o` strings. */
function positions(acks: readonly ({ partition: number | null; offset: number | null } | null)[]): string[] {
  return acks.map((a) => `${a?.partition}@${a?.offset}`).sort()
}

/** Of the lane's records whose send began at or after `at`: how many were sent, and how many are in the log. */
function sentSince(lane: LaneResult, at: number): { sent: number; found: number } {
  const inLog = new Set(lane.log.records.map((r) => r.id))
  const sent = lane.ledger.entries.filter((e) => e.start >= at)
  return { sent: sent.length, found: sent.filter((e) => inLog.has(e.id)).length }
}

/** Ledger events of the given types (e.g. what a producer noticed: 'retry', 'leader-change'). */
function eventsOf(ledger: Ledger, ...types: LedgerEvent['type'][]): LedgerEvent[] {
  return ledger.events.filter((e) => types.includes(e.type))
}

/** A send's outcome and its last attempt's Kafka error (unwrapped from kafkajs' retrier), as data. */
function sendOutcome(entry: LedgerEntry): { outcome: LedgerEntry['outcome']; type?: string; code?: number | string } {
  const last = entry.error?.cause ?? entry.error
  return { outcome: entry.outcome, ...(last?.type === undefined ? {} : { type: last.type }), ...(last?.code === undefined ? {} : { code: last.code }) }
}
