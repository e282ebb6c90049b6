/** The composition: ledger + log → Verdict. Pure: no I/O, no clock, same input → same output. */
import { VIOLATIONS } from './definitions.js'
import { findDuplicated } from './duplicated.js'
import { DEFAULT_EVIDENCE_LIMIT } from './evidence.js'
import { buildFacts } from './facts.js'
import { findFailedButWritten } from './failed-but-written.js'
import { findKeySplits } from './key-split.js'
import { findLost } from './lost.js'
import { findOverwritten } from './overwritten.js'
import { findPhantoms } from './phantom.js'
import { findReordered } from './reordered.js'
import { findOutOfSendOrder } from './send-order.js'
import type { Anomalies, LedgerLike, LogLike, ReconcileOptions, Verdict } from './types.js'
import { findUnknownOutcomes } from './unknown.js'

/**
 * Compares what the producer was told (the ledger) with what the log holds, and classifies every
 * difference (definitions.ts). Throws only on malformed input: an id twice in the ledger, two
 * records at one log position, or a ledger and log of different topics.
 */
export function reconcile(ledger: LedgerLike, log: LogLike, options: ReconcileOptions = {}): Verdict {
  if (ledger.topic !== undefined && log.topic !== undefined && ledger.topic !== log.topic) {
    throw new Error(`reconcile: ledger of topic ${ledger.topic} against a log of topic ${log.topic}`)
  }
  const limit = options.evidenceLimit ?? DEFAULT_EVIDENCE_LIMIT
  const f = buildFacts(ledger, log)

  const anomalies: Anomalies = {
    lost: findLost(f, limit),
    duplicated: findDuplicated(f, limit),
    overwritten: findOverwritten(f, limit),
    reordered: findReordered(f, limit),
    outOfSendOrder: findOutOfSendOrder(f, limit),
    phantom: findPhantoms(f, limit),
    keySplit: findKeySplits(f, limit),
    failedButWritten: findFailedButWritten(f, limit),
    ...findUnknownOutcomes(f, limit),
  }

  const { acknowledged, failed } = f
  const violations = VIOLATIONS.filter((name) => anomalies[name].count > 0)
  return {
    topic: ledger.topic ?? log.topic ?? null,
    startedAt: ledger.startedAt ?? (f.earliest === Infinity ? 0 : f.earliest),
    totals: { sent: f.n, acknowledged, failed, unknown: f.n - acknowledged - failed, read: f.m },
    anomalies,
    violations,
    ok: violations.length === 0,
  }
}
