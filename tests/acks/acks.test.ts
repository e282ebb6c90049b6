import { afterAll, describe, expect, test } from 'vitest'
import { cutPaths, cutReplication, killNode, stopNode } from '../../harness/faults/index.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { eventsOf, leaderChangesSeen, sendOutcome, sentSince, scenarioOnce, type LaneResult } from '../../harness/scenarios/acks.js'
import { burstInto, failoverWhileIsrFull } from '../../harness/scenarios/acks-burst.js'
import { failoverThenLoad, STEADY, underSteadyLoad } from '../../harness/scenarios/acks-steady.js'
import { cluster } from '../../harness/vitest/fixture.js'

/** Records each lane sends in a burst. */
const K = 24

/**
 * The lecture's acks stories, measured: acks=0, acks=1 and acks=all side by side, each its own
 * producer and its own fresh topic (RF=3, min.insync.replicas=2), every topic led by the same
 * node, one fault at one moment for all three. Each scenario runs once; its tests read its lanes.
 */
describe('acks=0, 1 and all side by side under leader faults', () => {
  const results = new ResultsCollector('acks')
  afterAll(() => {
    results.print('acks × leader faults')
    console.log(results.rows.map((r) => `${r.scenario} / ${r.variant}: sent minus found = ${r.counts.absent}`).join('\n'))
    results.save()
  })

  // 1. The leader is SIGKILLed while every producer writes at a steady pace; the load goes on
  // through the failover and after the old leader is back (as a follower).
  const killed = scenarioOnce(results, () =>
    underSteadyLoad(cluster(), {
      scenario: 'leader SIGKILL under steady load',
      fault: (leader) => killNode(leader),
      during: failoverThenLoad,
      after: (load) => load.more(STEADY.after),
    }),
  )

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

  // 2. "The leader confirmed, the followers never had it": the followers cannot fetch, K records
  // go to the leader in one send call, the leader is SIGKILLed while its followers are still in
  // the ISR, a follower takes over, and the old leader comes back and truncates its log.
  const confirmedAlone = scenarioOnce(results, () =>
    burstInto(cluster(), {
      scenario: 'leader confirmed, followers never had it (SIGKILL)',
      records: K,
      batchSize: K,
      fault: (leader) => cutReplication(leader),
      after: failoverWhileIsrFull((leader) => killNode(leader)),
    }),
  )

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

  // 3. The cable is yanked: nobody (no client, no follower) reaches the leader for a few seconds,
  // but it keeps its link to the controller, so it is not fenced and stays the leader.
  const yanked = scenarioOnce(results, () =>
    underSteadyLoad(cluster(), {
      scenario: 'cable yanked (client and replication paths cut)',
      fault: (leader) => cutPaths(leader, ['client', 'replication']),
      // Held until every producer has retried one send 6 times through the cut: about 2.5 s.
      during: (load) => load.retried(6),
      after: (load) => load.more(STEADY.after),
    }),
  )

  test('cable yanked: acks=all loses no acknowledged record', async () => {
    expect((await yanked()).lane('all').verdict).toHaveNoLostAcks()
  })

  test('cable yanked: the leader was never fenced, so it is still the leader', async () => {
    const o = await yanked()
    expect(await cluster().leaderOf(o.lane('all').topic, 0)).toBe(o.leader)
  })

  // 4. Clean shutdown vs hard kill of the leader, acks=1 (the hard kill is scenario 1). A
  // controlled shutdown moves leadership to a follower before the process exits, but it does not
  // hand over what the followers do not have: the old leader acknowledges acks=1 writes until it
  // learns it is no longer the leader, and truncates them once it is a follower.
  const stopped = scenarioOnce(results, () =>
    underSteadyLoad(cluster(), {
      scenario: 'leader controlled shutdown (SIGTERM) under steady load',
      acks: [-1, 1],
      fault: (leader) => stopNode(leader),
      during: failoverThenLoad,
    }),
  )

  test('controlled shutdown of the leader under steady load: acks=all loses no acknowledged record', async () => {
    expect((await stopped()).lane('all').verdict).toHaveNoLostAcks()
  })

  test('controlled shutdown of the leader under steady load: the acks=1 producer saw the leader change (its loss is counted in the matrix)', async () => {
    const o = await stopped()
    expect(leaderChangesSeen(o.lane('1').ledger, o.leader)).toBeGreaterThan(0)
  })

  const stoppedAlone = scenarioOnce(results, () =>
    burstInto(cluster(), {
      scenario: 'leader confirmed, followers never had it (controlled shutdown)',
      acks: [1],
      records: K,
      batchSize: K,
      fault: (leader) => cutReplication(leader),
      after: failoverWhileIsrFull((leader) => stopNode(leader)),
    }),
  )

  test('controlled shutdown does not save what the followers never had: acks=1 loses exactly the K acknowledged records', async () => {
    expectLostExactly((await stoppedAlone()).lane('1'), K)
  })

  // 5. min.insync.replicas=2 with the ISR shrunk to the leader. Not by killing the followers: the
  // nodes are combined broker+controller, so killing two of three loses the KRaft quorum and no
  // ISR change can be committed. Instead the followers cannot fetch, the leader drops them from
  // the ISR after replica.lag.time.max.ms (5 s) through the controller, which is intact.
  const starved = scenarioOnce(results, () =>
    burstInto(cluster(), {
      scenario: 'ISR shrunk to the leader (min.insync.replicas=2)',
      records: K,
      fault: (leader) => cutReplication(leader),
      before: (burst) => burst.leaveFollowersBehind(),
    }),
  )

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
