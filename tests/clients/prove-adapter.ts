/**
 * One adapter against the real cluster, through the seam and the engines the kafkajs lanes run on:
 *
 * 1. a clean keyed run (acks all, idempotent; one record per call, then 5 per call with two calls
 *    in flight): every record `ok` at the partition and offset the log has it, verdict clean;
 * 2. the leader SIGKILLed under steady load (tests/acks/stories/leader-killed-under-load.ts) with
 *    two lanes of the client: acks all + idempotence loses nothing it acknowledged; what acks 1
 *    loses there depends on how far the followers lag at the kill, so it is printed, not asserted;
 * 3. the gate's 'replication cut, then leader kill' story (tests/gate/stories/), where acks 1 loss
 *    is deterministic: acks all + idempotence loses nothing it acknowledged; acks 1 loses what
 *    only the killed leader had, each lost record's acknowledged offset now holding another record.
 * Both stories run on the steady-load engine (harness/engines/steady.ts).
 *
 * A client that is not installed (`npm run setup:clients`) is skipped with the fix in the test's
 * name, unless KD_REQUIRE_CLIENTS=1, which makes it fail instead.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { adapterFor, clientEndpoint, type ClientName, type ProducerProfile } from '../../harness/clients/index.js'
import { freshName, once, PRODUCER, readBack, runStory, type Profile } from '../../harness/engines/index.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { clientsDir } from '../../harness/runtime/clients.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { openProducerSession, sendRecords, type Ledger, type TopicLog } from '../../harness/workload/index.js'
import { leaderKilledUnderLoad } from '../acks/stories/leader-killed-under-load.js'
import { replicationCutThenKill } from '../gate/stories/replication-cut-then-kill.js'

/** What `npm run setup:clients` leaves behind once a client is installed. */
const INSTALLED: Record<Exclude<ClientName, 'kafkajs'>, string> = {
  java: 'java-driver/classes.key',
  'franz-go': 'franz-go-driver/driver',
  confluent: 'confluent/.key',
  platformatic: 'platformatic/.key',
}

const IDEMPOTENT: ProducerProfile = { ...PRODUCER, acks: -1, idempotent: true }

/** Each acknowledged record's reported position against where the log has it; none absent, none elsewhere. */
function misplaced(ledger: Ledger, log: TopicLog): string[] {
  const where = new Map(log.records.map((r) => [r.id, `${r.partition}@${r.offset}`]))
  return ledger.entries.filter((e) => e.outcome !== 'ok' || where.get(e.id) !== `${e.partition}@${e.offset}`).map((e) => `${e.id}: ${e.outcome} ${e.partition}@${e.offset}, log ${where.get(e.id) ?? 'absent'}${e.reason ? ` (${e.reason})` : ''}`)
}

export interface ProveOptions {
  /** Send calls in flight in the batched run and the fault lanes (the steady load's default is 2). */
  callsInFlight?: number
  /** Profiles this client refuses, and the field each refusal must name (besides the shared compression rule). */
  refuses?: readonly [ProducerProfile, string][]
  /** Why the leader-kill-under-load lanes are not run for this client (said in the skipped test's name). */
  leaderKillSkipped?: string
}

export function installedClient(client: Exclude<ClientName, 'kafkajs'>): boolean {
  return process.env.KD_REQUIRE_CLIENTS === '1' || existsSync(join(clientsDir(), INSTALLED[client]))
}

export const skipNote = (client: Exclude<ClientName, 'kafkajs'>): string => (installedClient(client) ? '' : ` (skipped: ${client} is not installed; run npm run setup:clients)`)

export function proveAdapter(client: Exclude<ClientName, 'kafkajs'>, { callsInFlight = 2, refuses = [], leaderKillSkipped }: ProveOptions = {}): void {
  const it = test.skipIf(!installedClient(client))
  const note = skipNote(client)

  describe(`the ${client} adapter against the real cluster`, () => {
    const results = new ResultsCollector(`clients-${client}`)
    afterAll(() => results.save())

    test(`refuses by field what it cannot honour, and what the harness's reader cannot read`, () => {
      const adapter = adapterFor(client)
      for (const [profile, field] of [[{ compression: 'lz4' }, 'producer.compression'] as const, ...refuses]) {
        expect(() => adapter.validate(profile), JSON.stringify(profile)).toThrow(`${field}: `)
      }
    })

    it(`a clean keyed run, one record per call and then batched: every record ok at the log's offset, a clean verdict, and the producer id through the adapter${note}`, async () => {
      const c = cluster()
      const topic = freshName(`clients-${client}-clean`)
      await c.createTopic(topic, { partitions: 3 })
      const keys = Array.from({ length: 30 }, (_, i) => ({ key: `order-${i % 6}` }))
      const endpoint = clientEndpoint(c, { clientId: `${client}-clean` })
      const session = openProducerSession({ endpoint, topic, client, producer: IDEMPOTENT, idPrefix: `${topic}-a` })
      await session.send(keys)
      const identity = await session.identity()
      const one = await session.close()
      expect(identity?.producerId).toBeGreaterThanOrEqual(0)
      expect(identity?.epoch).toBeGreaterThanOrEqual(0)
      const batched = await sendRecords({ endpoint, topic, client, producer: { ...IDEMPOTENT, recordsPerCall: 5, callsInFlight }, records: keys, idPrefix: `${topic}-b`, batchSize: 5, concurrency: callsInFlight })
      for (const ledger of [one, batched]) {
        const { log, verdict } = await readBack(c, ledger)
        expect(misplaced(ledger, { ...log, records: log.records.filter((r) => ledger.entries.some((e) => e.id === r.id)) })).toEqual([])
        expect(verdict.totals).toMatchObject({ sent: 30, acknowledged: 30, failed: 0, unknown: 0 })
        expect(verdict.anomalies.lost.count + verdict.anomalies.overwritten.count + verdict.anomalies.duplicated.count).toBe(0)
      }
    })

    const all: Profile = { variant: `${client} acks=all idempotent`, client, producer: { ...IDEMPOTENT, acks: -1, callsInFlight } }
    const one: Profile = { variant: `${client} acks=1`, client, producer: { ...PRODUCER, acks: 1, idempotent: false, callsInFlight } }
    const killed = once(() => runStory(cluster(), { suite: `clients-${client}`, results }, leaderKilledUnderLoad, [all, one]))

    const killTest = leaderKillSkipped === undefined ? it : test.skip
    killTest(`leader SIGKILL under steady load: acks all + idempotence loses no acknowledged record${leaderKillSkipped === undefined ? note : ` (skipped: ${leaderKillSkipped})`}`, async () => {
      const o = await killed()
      const lane = o.variant(all.variant)
      expect(lane.verdict.totals.acknowledged).toBeGreaterThan(0)
      expect(lane.verdict).toHaveNoLostAcks()
      const acks1 = o.variant(one.variant).verdict
      console.log(`${client} leader SIGKILL under load: acks=all ${JSON.stringify(lane.verdict.totals)}; acks=1 lost ${acks1.anomalies.lost.count} of ${acks1.totals.acknowledged} acknowledged (not asserted)`)
    })

    const cutThenKill = once(() => runStory(cluster(), { suite: `clients-${client}`, results }, replicationCutThenKill, [all, one]))

    it(`replication cut, then leader kill: acks all + idempotence loses no acknowledged record${note}`, async () => {
      const lane = (await cutThenKill()).variant(all.variant)
      expect(lane.verdict.totals.acknowledged).toBeGreaterThan(0)
      expect(lane.verdict).toHaveNoLostAcks()
      const events = new Map<string, number>()
      for (const e of lane.ledger.events) events.set(e.type, (events.get(e.type) ?? 0) + 1)
      console.log(`${client} acks=all idempotent: ${JSON.stringify(lane.verdict.totals)}; timeline events ${JSON.stringify(Object.fromEntries(events))}`)
    })

    it(`replication cut, then leader kill: acks 1 loses what only the killed leader had, each at an offset now holding another record${note}`, async () => {
      const lane = (await cutThenKill()).variant(one.variant)
      const lost = lane.verdict.anomalies.lost
      console.log(`${client} acks=1: ${lost.count} of ${lane.verdict.totals.acknowledged} acknowledged records lost; e.g. ${JSON.stringify(lost.evidence.slice(0, 2))}`)
      expect(lost.count).toBeGreaterThan(0)
      // The evidence: each lost record was acknowledged at a position the log now gives another record.
      expect(lane.verdict.anomalies.overwritten.count).toBe(lost.count)
    })
  })
}
