/** The keyed workload the partitioning scenarios run, and waits on what it has been told. */
import kafkajs from 'kafkajs'
import type { Kafka, ProducerConfig } from 'kafkajs'
import { waitFor } from '../cluster/index.js'
import { startWorkload, type KeySpace, type LedgerEntry, type WorkloadRun } from '../workload/index.js'

const { Partitioners } = kafkajs

/**
 * Keyed records, one per send call, one call at a time, 100 a second, through an idempotent
 * producer (maxInFlightRequests 1, acks=all) with kafkajs's DefaultPartitioner. One call at a
 * time means every two records of a key are ordered by their acks, so the reconciler checks the
 * order of every pair.
 */
export function startKeyedWorkload(kafka: Kafka, topic: string, keys: KeySpace, producer: ProducerConfig = {}): WorkloadRun {
  return startWorkload({
    kafka,
    topic,
    keys,
    producer: { idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner, ...producer },
    send: { acks: -1 },
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
