/**
 * The gate's verdict table: configs spanning the options, each with the verdict it must get and
 * the reason, from Kafka's and kafkajs's semantics. tests/gate/gate.test.ts runs them all in one
 * battery and asserts each exactly; `npm run bench -- gate` runs the battery N times over them
 * and counts the verdicts seen.
 */
import { loadGateConfig, parseGateConfig, type Claim, type GateConfig } from '../../harness/gate/config.js'
import type { ClaimStatus } from '../../harness/gate/verdict.js'

export interface Row {
  config: GateConfig
  expected: Partial<Record<Claim, ClaimStatus>>
  /** Why, from Kafka's and kafkajs's semantics. */
  why: string
}

export const config = (name: string, producer: object, send: object, claims: Partial<Record<Claim, boolean>>): GateConfig =>
  parseGateConfig({ name, producer, send, claims })
const ALL = { noAcknowledgedLoss: true, noDuplicates: true, perKeyOrder: true }
const GIVE_UP = "an idempotent kafkajs producer with finite retries loses an acknowledged record after a send that gave up (the next same-size send reuses its sequence numbers: acknowledged at the given-up record's offset, never written; tests/idempotency 'after a give-up'): ruled out"

// prettier-ignore
export const TABLE: Row[] = [
  { config: loadGateConfig('examples/configs/safe.json'), expected: { noAcknowledgedLoss: 'ruledOut', noDuplicates: 'kept', perKeyOrder: 'kept' },
    why: `${GIVE_UP}; the idempotent retry is answered from the batch the leader holds; one call at a time keeps send order` },
  { config: loadGateConfig('examples/configs/acks1.json'), expected: { noAcknowledgedLoss: 'ruledOut', perKeyOrder: 'kept' },
    why: 'acks=1 is acknowledged by the leader alone: a follower that never fetched the record takes over and it is gone; one call at a time still keeps send order' },
  { config: loadGateConfig('examples/configs/non-idempotent.json'), expected: { noAcknowledgedLoss: 'kept', noDuplicates: 'ruledOut' },
    why: 'acks=all keeps what it acknowledged; without idempotence a retry after a lost answer is a new write' },
  { config: config('never-retries', { idempotent: false, maxInFlightRequests: 1, retry: { retries: 0 } }, { acks: 'all' }, { noAcknowledgedLoss: true, noDuplicates: true }), expected: { noAcknowledgedLoss: 'kept', noDuplicates: 'kept' },
    why: 'acks=all; a producer that never retries never sends a record twice: a lost answer fails the call, the record is written once' },
  { config: config('acks0', {}, { acks: 0 }, { noAcknowledgedLoss: true, perKeyOrder: true }), expected: { noAcknowledgedLoss: 'ruledOut', perKeyOrder: 'kept' },
    why: 'acks=0 acknowledges nothing, so "no acknowledged loss" promises nothing: ruled out (records vanish at a leader change); its sends go one after the other on one connection, in order' },
  { config: config('idempotent-4-calls', { idempotent: true }, { acks: 'all', callsInFlight: 4 }, { noDuplicates: true, perKeyOrder: true }), expected: { noDuplicates: 'ruledOut', perKeyOrder: 'ruledOut' },
    why: 'kafkajs retries each call on its own, so a later call overtakes a retried one even when idempotent; and a call queued behind a lost answer takes its sequence numbers (written twice)' },
  { config: config('default-retries', { idempotent: true }, { acks: 'all' }, ALL), expected: { noAcknowledgedLoss: 'ruledOut', noDuplicates: 'kept', perKeyOrder: 'kept' },
    why: `no retry option: kafkajs's production default (5 retries from 300 ms) rides out a failover, but ${GIVE_UP}; idempotent, one call at a time` },
  { config: config('many-retries-5-in-flight', { idempotent: false, maxInFlightRequests: 5, retry: { retries: 50, initialRetryTime: 100 } }, { acks: 'all' }, { noAcknowledgedLoss: true, perKeyOrder: true }), expected: { noAcknowledgedLoss: 'kept', perKeyOrder: 'kept' },
    why: 'maxInFlightRequests 5 without idempotence reorders only requests in flight together; one send call at a time has one request per partition in flight, so its retries cannot be overtaken' },
  { config: config('batched-gzip', { idempotent: true }, { acks: 'all', compression: 'gzip', recordsPerCall: 50 }, ALL), expected: { noAcknowledgedLoss: 'ruledOut', noDuplicates: 'kept', perKeyOrder: 'kept' },
    why: `a call of 50 records is one batch per partition, retried whole and deduplicated whole; compression changes the bytes, not the guarantees; ${GIVE_UP}` },
  { config: config('transactional', { idempotent: true, transactionalId: 'payments-tx' }, { acks: 'all', recordsPerCall: 10 }, ALL), expected: { noAcknowledgedLoss: 'ruledOut', noDuplicates: 'kept', perKeyOrder: 'kept' },
    why: `each call commits or aborts as one; a restarted producer with the same transactional.id fences the dead one and aborts its open transaction, so a resend is written once; but the abort of a given-up call does not give kafkajs new sequence numbers: ${GIVE_UP}` },
  { config: config('no-retries-4-calls', { idempotent: false, maxInFlightRequests: 5, retry: { retries: 0 } }, { acks: 'all', callsInFlight: 4 }, ALL), expected: { noAcknowledgedLoss: 'kept', noDuplicates: 'kept', perKeyOrder: 'kept' },
    why: 'calls in flight together go on one connection to the leader, which appends them in order; without retries no record is sent twice or later than its successors' },
  { config: config('acks1-4-calls-retrying', { idempotent: false, maxInFlightRequests: 5, retry: { retries: 5, initialRetryTime: 100 } }, { acks: 1, callsInFlight: 4, recordsPerCall: 2 }, { noDuplicates: true, perKeyOrder: true }), expected: { noDuplicates: 'ruledOut', perKeyOrder: 'ruledOut' },
    why: 'retries without idempotence write a record again after a lost answer, and a retried call lands after later calls of its keys' },
]

