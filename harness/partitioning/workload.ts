/** The keyed workload the partitioning scenarios run, and waits on what it has been told. */
import { clientEndpoint, type ClientName, type ProducerProfile } from '../clients/index.js'
import { waitFor, type Cluster } from '../cluster/index.js'
import { startWorkload, type KeySpace, type LedgerEntry, type WorkloadRun } from '../workload/index.js'

/**
 * Keyed records, one per send call, one call at a time, 100 a second, through an idempotent
 * producer (one request in flight, acks=all) partitioning keys by Java's rule (murmur2; kafkajs:
 * its DefaultPartitioner). One call at a time means every two records of a key are ordered by
 * their acks, so the reconciler checks the order of every pair.
 */
export function startKeyedWorkload(cluster: Cluster, topic: string, keys: KeySpace, producer: ProducerProfile = {}, client?: ClientName): WorkloadRun {
  return startWorkload({
    endpoint: clientEndpoint(cluster),
    ...(client ? { client } : {}),
    topic,
    keys,
    producer: { acks: -1, idempotent: true, requestsInFlight: 1, partitioner: 'murmur2', ...producer },
    rate: 100,
  })
}

/** Waits until the run has an acknowledged record that `which` accepts; `what` names it. */
export function acknowledgedWhere(run: WorkloadRun, what: string, which: (e: LedgerEntry) => boolean, timeoutMs = 60_000): Promise<void> {
  return waitFor(
    `the producer to be acknowledged ${what}`,
    () => {
      if (!run.ledger().entries.some((e) => e.outcome === 'ok' && which(e))) throw new Error(`not yet; ${JSON.stringify(run.progress())}`)
    },
    { timeoutMs },
  )
}
