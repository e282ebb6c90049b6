import { describe, expect, test } from 'vitest'
import { STEADY } from '../../harness/engines/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { partitionStories, partitionsNote, skipPartitions } from './support.js'
import { leaderBridgedFromController } from './stories/bridge.js'
import { ALONE, followersCannotFetch } from './stories/followers-cannot-fetch.js'
import { AFTER_FENCE } from './stories/leader-in-minority.js'

/**
 * The two partition faults that are not a plain split (docs/partitions.md): a one-way cut, the
 * followers unable to reach their leader while it reaches them, and Jepsen's bridge, the leader
 * and the active controller cut from each other while a third node reaches both. Both stories
 * place the active controller off the lanes' leader first (controller.ts): where it is decides
 * what either fault does. Skipped where there are no partitions, as partitions.test.ts is.
 */

describe.skipIf(skipPartitions)(`one-way cut and bridge${partitionsNote}`, () => {
  const story = partitionStories('partitions-one-way-bridge', 'partitions: one-way cut and bridge')
  const oneWay = story('oneway', followersCannotFetch)
  const bridged = story('bridge', leaderBridgedFromController)

  test('one-way cut, the followers cannot reach the leader: it shrank the ISR to itself where it had records they lacked, nobody was fenced, no leader changed, and after the heal they caught up into the ISR', async () => {
    const o = await oneWay()
    const at = (topic: string) => o.shrunk.seen.filter((p) => p.startsWith(`${topic}-`))
    const alone = `leader ${o.leader}, ISR [${o.leader}] of`
    // The acks=1 lane wrote to every partition; the acks=all lane's two stalled sends to two of three at most.
    expect(at(o.lane('1').topic).every((p) => p.includes(alone)), at(o.lane('1').topic).join('; ')).toBe(true)
    expect(at(o.lane('all').topic).some((p) => p.includes(alone)), at(o.lane('all').topic).join('; ')).toBe(true)
    expect(o.during.filter((e) => e.kind === 'fencing' || e.kind === 'leader'), 'no fence, no election').toEqual([])
    expect(o.quorum.filter((e) => e.kind === 'log truncated'), 'no replica truncated').toEqual([])
    expect(o.rejoined.seen.filter((p) => !p.includes(`leader ${o.leader}, ISR [${cluster().nodeIds.join(', ')}] of`))).toEqual([])
  })

  test('one-way cut, acks=1: the leader alone acknowledged writes while its ISR was itself, and none was lost, since it stayed the leader', async () => {
    const o = await oneWay()
    const lane = o.lane('1')
    const alone = lane.ledger.entries.filter((e) => e.outcome === 'ok' && e.end >= o.shrunk.at && e.end < o.healedAt)
    expect(alone.length, `acknowledged with the ISR shrunk to node ${o.leader}`).toBeGreaterThanOrEqual(ALONE)
    expect(lane.verdict).toHaveNoLostAcks()
    console.log(`one-way cut: the ISR shrank to node ${o.leader} ${o.shrunk.at - o.faultAt} ms after the cut; acks=1 had ${alone.length} acknowledged by it alone, lost ${lane.verdict.anomalies.lost.count} of ${lane.verdict.totals.acknowledged}; acks=all acknowledged ${o.lane('all').ledger.entries.filter((e) => e.outcome === 'ok' && e.end >= o.faultAt && e.end < o.healedAt).length} during the cut, lost ${o.lane('all').verdict.anomalies.lost.count} of ${o.lane('all').verdict.totals.acknowledged}`)
  })

  test('one-way cut, acks=all: nothing was acknowledged while the ISR was the leader alone (its sends waited, unanswered, until the heal) and nothing was lost', async () => {
    const o = await oneWay()
    const { ledger, verdict } = o.lane('all')
    expect(ledger.entries.filter((e) => e.outcome === 'ok' && e.end >= o.shrunk.at && e.end < o.healedAt)).toEqual([])
    expect(verdict).toHaveNoLostAcks()
    expect(verdict.totals.acknowledged).toBeGreaterThanOrEqual(STEADY.before + STEADY.after)
  })

  test('bridge, the leader and the active controller apart: the bridge node reached both, yet the controller fenced the leader and moved every lane off it; the quorum kept its controller, with no election; the old leader truncated on rejoin', async () => {
    const o = await bridged()
    expect(o.during.find((e) => e.kind === 'fencing' && e.broker === o.cutOff), JSON.stringify(o.during)).toMatchObject({ node: o.controller })
    const isr = (p: string) => (/ISR \[([^\]]*)\]/.exec(p)?.[1] ?? '').split(', ').map(Number)
    expect(o.ledDuring.filter((p) => p.includes(`leader ${o.cutOff},`) || isr(p).includes(o.cutOff)), 'every lane led off the fenced node, which left the ISR').toEqual([])
    expect(o.quorum.filter((e) => e.kind === 'leader'), 'no election: node 1 pre-voted, and the bridge node refused it').toEqual([])
    // Node 1 rejoins as the controller's follower: after a pre-vote, or, healed while it followed, by fetching again.
    const raft = ['leader', 'follower', 'resigned', 'candidate', 'prospective', 'unattached']
    expect(o.quorum.filter((e) => e.node === o.cutOff && raft.includes(e.kind)).at(-1)).toMatchObject({ kind: 'follower', leader: o.controller })
    expect(o.afterHeal.filter((e) => e.node === o.cutOff && e.kind === 'log truncated' && e.partition?.startsWith(o.lane('1').topic)).length).toBeGreaterThan(0)
  })

  test('bridge, acks=1: the fenced leader acknowledged records after the fence, and they were lost when it rejoined', async () => {
    const o = await bridged()
    const lane = o.lane('1')
    const lost = o.lostAfterFence(lane)
    const evidence = lost.slice(0, 5).map((e) => `${e.key} acknowledged at ${lane.topic}-${e.partition}@${e.offset}, ${e.end - o.fencedAt} ms after the fence`)
    expect(lost.length, evidence.join('; ')).toBeGreaterThanOrEqual(AFTER_FENCE)
    const { lost: gone, overwritten } = lane.verdict.anomalies
    expect(overwritten.count, "every lost record's offset now holds a record the new leader wrote").toBe(gone.count)
    console.log(`bridge: controller ${o.controller}, bridge node ${o.via}; node ${o.via}'s metadata showed node ${o.cutOff} fenced ${o.fencedAt - o.faultAt} ms after the cut, lanes led by ${[...new Set(o.ledDuring.map((p) => /leader (\d+)/.exec(p)?.[1]))].join(', ')}; acks=1 lost ${gone.count} of ${lane.verdict.totals.acknowledged} (${lost.length} acknowledged after the fence); acks=all lost ${o.lane('all').verdict.anomalies.lost.count} of ${o.lane('all').verdict.totals.acknowledged}, duplicated ${o.lane('all').verdict.anomalies.duplicated.count}`)
  })

  test('bridge, acks=all: nothing acknowledged was lost', async () => {
    expect((await bridged()).lane('all').verdict).toHaveNoLostAcks()
  })
})
