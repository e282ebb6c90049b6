/**
 * kafkajs, pinned: the retry count of an idempotent producer given no retry option.
 * src/producer/index.js means to default it to Number.MAX_SAFE_INTEGER (`retry || { retries:
 * idempotent ? MAX_SAFE_INTEGER : 5 }`), but src/index.js always passes an object (`{
 * ...clusterRetry, ...retry }`), so the branch never runs and the retrier's defaults apply: 5
 * retries, or 15 when NODE_ENV=test (src/retry/index.js picks defaults.test.js), which is how
 * vitest runs.
 *
 * The producer sends one record (order-1) to a leader its line refuses (every attempt:
 * ECONNREFUSED, nothing reaches the broker); the call fails after kafkajs's retries, and the
 * ledger entry carries how many.
 */
import { laneSession, warm, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { cutLine } from '../../../harness/faults/index.js'

export async function retriesWhenNoneGiven(lab: Lab, profiles: readonly Profile[]): Promise<Outcome> {
  const side = await lab.lanes({ scenario: 'kafkajs: retries when none are configured', profiles, partitions: 1 })
  const line = await lab.line('retry-count')
  const sessions = side.lanes.map((lane) => laneSession(lab, lane, line))
  await warm(sessions)
  await side.withFault(cutLine(line, side.leader), () => Promise.all(sessions.map((s) => s.send([{ key: 'order-1' }]))))
  return side.settle(await Promise.all(sessions.map(async (s) => ({ ledger: await s.close() }))))
}
