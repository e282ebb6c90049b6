/**
 * A burst inside a fault: every lane's producer connects first, then the fault is applied to the
 * node leading every lane, `before` runs, each lane sends exactly `records` records, `after` runs,
 * and the fault heals. Then every lane's topic is awaited back to a full ISR (the old leader has
 * rejoined: whatever it had to truncate, it truncated) and read back. Counts are exact by
 * construction, not by luck.
 *
 * The burst's producer does not retry and asks the broker to wait at most BURST.timeoutMs for
 * acknowledgements, so a send that cannot be acknowledged settles after one timeout. A broker
 * serves one request per connection at a time (it reads the next only after answering), and a
 * kafkajs producer has one connection per broker: acks=all sends that the leader holds waiting
 * for followers are answered one timeout after another. So where they would wait, the burst is
 * one send call (`batchSize: records`): one produce request, one timeout, about a second, well
 * inside the 5 s a cut-off follower stays in the ISR.
 */
import { clientEndpoint } from '../clients/index.js'
import type { Fault } from '../faults/index.js'
import { openProducerSession, sendRecords, type Ledger } from '../workload/index.js'
import type { Lab } from './lab.js'
import { LANE_PARTITIONS, ORDER_KEYS, type FaultScenario, type LaneScene, type Outcome } from './lanes.js'

const BURST = { timeoutMs: 1_000 }

/** What `before` and `after` can do. */
export interface Burst extends LaneScene {
  /**
   * Writes one acks=1 record to every partition of every lane (followers that cannot fetch fall
   * behind: an idle follower is caught up and never leaves the ISR), then waits until every ISR
   * is the leader alone. These records are the harness's, left out of the reading.
   */
  leaveFollowersBehind(): Promise<void>
  /** Throws PreconditionError unless every partition of every lane still has its full ISR. */
  expectFullIsr(why: string): Promise<void>
  /**
   * Applies `fault` (e.g. SIGKILL the leader), waits until every lane's partitions are led by
   * another node (the time it took goes in the matrix), then heals it (the old leader restarts).
   */
  failover(fault: Fault): Promise<void>
}

/** The fault is in force from before the burst until after `after`. */
export interface BurstScenario extends FaultScenario {
  records: number
  /** Records per send call (default 1); all calls are in flight together. */
  batchSize?: number
  before?: (burst: Burst) => Promise<void>
  after?: (burst: Burst) => Promise<void>
}

export async function burstInto(lab: Lab, s: BurstScenario): Promise<Outcome> {
  const cluster = lab.cluster
  const side = await lab.lanes(s)
  const sessions = side.lanes.map((lane) =>
    openProducerSession({
      endpoint: clientEndpoint(cluster, { clientId: `${lane.variant}-${lane.topic}` }),
      topic: lane.topic,
      producer: { acks: lane.acks, retries: 0, ackTimeoutMs: BURST.timeoutMs },
      drainTimeoutMs: 15_000,
    }),
  )
  const markers: Ledger[][] = side.lanes.map(() => [])
  const burst: Burst = {
    cluster,
    leader: side.leader,
    lanes: side.lanes,
    leaveFollowersBehind: async () => {
      const records = Array.from({ length: LANE_PARTITIONS }, (_, partition) => ({ key: `isr-marker-${partition}`, partition }))
      for (const [i, { topic }] of side.lanes.entries()) {
        markers[i]?.push(await sendRecords({ endpoint: clientEndpoint(cluster, { clientId: `marker-${topic}` }), topic, producer: { acks: 1 }, records }))
      }
      await Promise.all(side.topics.map((t) => cluster.waitForIsr(t, 1)))
    },
    expectFullIsr: (why) => side.expectFullIsr(why),
    failover: (fault) => side.failover(fault),
  }
  await Promise.all(sessions.map((session) => session.ready()))
  const records = Array.from({ length: s.records }, (_, i) => ({ key: ORDER_KEYS[i % ORDER_KEYS.length] as string }))
  let ledgers: Ledger[] = []
  try {
    await side.withFault(s.fault(side.leader), async () => {
      await s.before?.(burst)
      await Promise.all(sessions.map((session) => session.send(records, { batchSize: s.batchSize ?? 1, concurrency: s.records })))
      await s.after?.(burst)
    })
  } finally {
    ledgers = await Promise.all(sessions.map((session) => session.close()))
  }
  // The old leader back in every ISR: whatever it had to truncate, it has truncated.
  await Promise.all(side.topics.map((t) => cluster.waitForIsr(t, 'full')))
  return side.settle(ledgers.map((ledger, i) => ({ ledger, harness: markers[i] ?? [] })))
}
