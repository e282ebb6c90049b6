/**
 * One adapter against the real cluster, through the seam: what it refuses by field, and a clean
 * keyed run (acks all, idempotent; one record per call, then 5 per call with two calls in flight):
 * every record `ok` at the partition and offset the log has it, verdict clean. The faults run all
 * clients side by side, in lanes of one story (side-by-side.test.ts).
 *
 * A client that is not installed (`npm run setup:clients`) is skipped with the fix in the test's
 * name, unless KD_REQUIRE_CLIENTS=1, which makes it fail instead.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { adapterFor, clientEndpoint, type ClientName, type ProducerProfile } from '../../harness/clients/index.js'
import { freshName, PRODUCER, readBack } from '../../harness/engines/index.js'
import { clientsDir } from '../../harness/runtime/clients.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { openProducerSession, sendRecords, type Ledger, type TopicLog } from '../../harness/workload/index.js'

/** What `npm run setup:clients` leaves behind once a client is installed. */
const INSTALLED: Record<Exclude<ClientName, 'kafkajs'>, string> = {
  java: 'java-driver/classes.key',
  'franz-go': 'franz-go-driver/driver',
  confluent: 'confluent/.key',
  platformatic: 'platformatic/.key',
}

export const IDEMPOTENT: ProducerProfile = { ...PRODUCER, acks: -1, idempotent: true }

/** Each acknowledged record's reported position against where the log has it; none absent, none elsewhere. */
function misplaced(ledger: Ledger, log: TopicLog): string[] {
  const where = new Map(log.records.map((r) => [r.id, `${r.partition}@${r.offset}`]))
  return ledger.entries.filter((e) => e.outcome !== 'ok' || where.get(e.id) !== `${e.partition}@${e.offset}`).map((e) => `${e.id}: ${e.outcome} ${e.partition}@${e.offset}, log ${where.get(e.id) ?? 'absent'}${e.reason ? ` (${e.reason})` : ''}`)
}

export interface ProveOptions {
  /** Send calls in flight in the batched run (default 2). */
  callsInFlight?: number
  /** Profiles this client refuses, and the field each refusal must name (besides the shared compression rule). */
  refuses?: readonly [ProducerProfile, string][]
}

/** Whether a client can run here: kafkajs always (an npm dependency), the others once installed. */
export function installedClient(client: ClientName): boolean {
  return client === 'kafkajs' || process.env.KD_REQUIRE_CLIENTS === '1' || existsSync(join(clientsDir(), INSTALLED[client]))
}

export const skipNote = (client: ClientName): string => (installedClient(client) ? '' : ` (skipped: ${client} is not installed; run npm run setup:clients)`)

/**
 * The clients whose idempotent producer loses records with two send calls in flight (their
 * adapters rule the no-loss claim out): lanes that compare clients drive these one call at a time.
 * kafkajs: a call queued behind a lost answer (tests/idempotency); @platformatic/kafka: both calls
 * take the same sequence numbers (platformatic.test.ts).
 */
export const ONE_CALL_AT_A_TIME: ReadonlySet<ClientName> = new Set(['kafkajs', 'platformatic'])

export function proveAdapter(client: Exclude<ClientName, 'kafkajs'>, { callsInFlight = 2, refuses = [] }: ProveOptions = {}): void {
  const it = test.skipIf(!installedClient(client))
  const note = skipNote(client)

  describe(`the ${client} adapter against the real cluster`, () => {
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
  })
}
