/**
 * The idempotency battery with a client dimension: each story runs once, a lane per (client,
 * profile) under the same fault, every client without and with idempotence (acks all), the Java
 * client first as the reference.
 *
 * - the answer lost after the append (3 records in one call): a producer that retries without
 *   idempotence writes them again; with idempotence the leader answers the retry from the batch it
 *   holds;
 * - the payments double charge (payment-service's p-17 answer lost): billing charges twice only
 *   where the retry was written twice.
 *
 * - connections reset mid-produce under steady load (two calls of 2 in flight; one for kafkajs's
 *   and @platformatic/kafka's idempotent producers, whose adapters rule out two: docs/clients.md):
 *   the retries without idempotence write records again, the idempotent ones nothing.
 *
 * It ends with the client × scenario × anomaly table (also in reports/, suite 'clients-battery').
 */
import { afterAll, describe, expect, test } from 'vitest'
import type { ClientName } from '../../harness/clients/index.js'
import { once, runStory, type Outcome, type Profile, type Story } from '../../harness/engines/index.js'
import { clientTableText, ResultsCollector } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'
import { doubleCharge, type DoubleCharge } from '../idempotency/stories/double-charge.js'
import { resetMidProduce } from '../idempotency/stories/reset-mid-produce.js'
import { LOST_ANSWER, responseLostAfterAppend } from '../idempotency/stories/response-lost.js'
import { installedClient, ONE_CALL_AT_A_TIME, skipNote } from './prove-adapter.js'

const CLIENTS: readonly ClientName[] = ['java', 'kafkajs', 'franz-go', 'confluent', 'platformatic']
/** Send calls in flight (the reset story): one where the adapter rules out two for the idempotent producer. */
const callsOf = (c: ClientName, idempotent: boolean) => (idempotent && ONE_CALL_AT_A_TIME.has(c) ? 1 : 2)
const plain = (client: ClientName): Profile => ({ variant: `${client} non-idempotent`, client, producer: { acks: -1, idempotent: false, callsInFlight: callsOf(client, false), recordsPerCall: 2 } })
const idempotent = (client: ClientName): Profile => ({ variant: `${client} idempotent`, client, producer: { acks: -1, idempotent: true, callsInFlight: callsOf(client, true), recordsPerCall: 2 } })
const lanes = CLIENTS.filter(installedClient).flatMap((c) => [plain(c), idempotent(c)])

const results = new ResultsCollector('clients-battery')
const run = <O extends Outcome>(story: Story<O>) => once(() => runStory(cluster(), { suite: 'clients-battery', results }, story, lanes))
const lostAnswer = run(responseLostAfterAppend)
const charged = run(doubleCharge)
const resets = run(resetMidProduce)

afterAll(() => {
  results.save()
  console.log(clientTableText(results.rows))
})

describe('the idempotency battery, client by client', () => {
  for (const client of CLIENTS) {
    test.skipIf(!installedClient(client))(`the answer lost after the append: ${client} without idempotence writes the ${LOST_ANSWER} records again, with idempotence once${skipNote(client)}`, async () => {
      const o = await lostAnswer()
      expect(o.variant(plain(client).variant).verdict).toHaveDuplicated(LOST_ANSWER)
      expect(o.variant(idempotent(client).variant).verdict).toHaveNoDuplicates()
      expect(o.variant(idempotent(client).variant).verdict).toHaveNoLostAcks()
    })

    test.skipIf(!installedClient(client))(`the double charge: ${client}'s payment-service without idempotence has p-17 charged twice, with idempotence once${skipNote(client)}`, async () => {
      const o: DoubleCharge = await charged()
      expect(o.payments(plain(client).variant).chargedTwice).toEqual(['p-17'])
      expect(o.payments(idempotent(client).variant).chargedTwice).toEqual([])
    })

    test.skipIf(!installedClient(client))(`connections reset mid-produce: ${client} without idempotence writes records again, with idempotence none twice and none lost${skipNote(client)}`, async () => {
      const o = await resets()
      expect(o.variant(plain(client).variant).verdict.anomalies.duplicated.count).toBeGreaterThan(0)
      expect(o.variant(idempotent(client).variant).verdict).toHaveNoDuplicates()
      expect(o.variant(idempotent(client).variant).verdict).toHaveNoLostAcks()
    })

  }
})
