/**
 * vitest matchers on a Verdict. A failing matcher's message names the class, its definition, the
 * exact count and the examples (id, key, partition@offset, send times), so the test output alone
 * says what went wrong.
 */
import { DEFINITIONS, describeEvidence, type AnomalyName, type Verdict } from '../reconcile/index.js'

interface MatcherResult {
  pass: boolean
  message: () => string
}

interface MatcherContext {
  isNot: boolean
}

function isVerdict(v: unknown): v is Verdict {
  return typeof v === 'object' && v !== null && 'anomalies' in v && 'totals' in v && 'violations' in v
}

function notAVerdict(received: unknown): MatcherResult {
  return { pass: false, message: () => `expected a Verdict from reconcile(), received ${typeof received}: ${String(received)}` }
}

function header(v: Verdict): string {
  const t = v.totals
  return `topic ${v.topic ?? '(unnamed)'}: sent ${t.sent}, acknowledged ${t.acknowledged}, failed ${t.failed}, unknown ${t.unknown}, read ${t.read}`
}

/** Expects `name`'s count to be `expected` (0 for the "no …" matchers). */
function countIs(ctx: MatcherContext, received: unknown, name: AnomalyName, expected: number): MatcherResult {
  if (!isVerdict(received)) return notAVerdict(received)
  const actual = received.anomalies[name].count
  const pass = actual === expected
  return {
    pass,
    message: () => {
      const want = ctx.isNot ? `not ${expected}` : `${expected}`
      const lines = [`expected ${name} (${DEFINITIONS[name]}) to be ${want}, but it is ${actual}`, header(received)]
      lines.push(...describeEvidence(received, name))
      return lines.join('\n')
    },
  }
}

export const verdictMatchers = {
  toHaveNoLostAcks(this: MatcherContext, received: unknown) {
    return countIs(this, received, 'lost', 0)
  },
  toHaveNoDuplicates(this: MatcherContext, received: unknown) {
    return countIs(this, received, 'duplicated', 0)
  },
  toHaveNoReordering(this: MatcherContext, received: unknown) {
    return countIs(this, received, 'reordered', 0)
  },
  toKeepSendOrder(this: MatcherContext, received: unknown) {
    return countIs(this, received, 'outOfSendOrder', 0)
  },
  toHaveLost(this: MatcherContext, received: unknown, n: number) {
    return countIs(this, received, 'lost', n)
  },
  toHaveDuplicated(this: MatcherContext, received: unknown, n: number) {
    return countIs(this, received, 'duplicated', n)
  },
  toHaveOverwritten(this: MatcherContext, received: unknown, n: number) {
    return countIs(this, received, 'overwritten', n)
  },
  toBeClean(this: MatcherContext, received: unknown): MatcherResult {
    if (!isVerdict(received)) return notAVerdict(received)
    return {
      pass: received.ok,
      message: () => {
        if (received.ok) return `expected violations, but the verdict is clean\n${header(received)}`
        const lines = [`expected a clean verdict, but found violations: ${received.violations.join(', ')}`, header(received)]
        for (const name of received.violations) {
          lines.push(`${name}: ${received.anomalies[name].count} (${DEFINITIONS[name]})`, ...describeEvidence(received, name))
        }
        return lines.join('\n')
      },
    }
  },
}

/** The matchers' types, for `declare module 'vitest'`. */
export interface VerdictMatchers<R = unknown> {
  /** No acknowledged record is absent from the log. */
  toHaveNoLostAcks(): R
  /** No id appears at more than one log position. */
  toHaveNoDuplicates(): R
  /** No same-key pair was read back against the order its acks imply. */
  toHaveNoReordering(): R
  /**
   * Every key's records are read back in the order they were handed to send(), calls in flight
   * together included (no `outOfSendOrder` pair), e.g. `expect(verdict).toKeepSendOrder()`.
   */
  toKeepSendOrder(): R
  /** Exactly `n` acknowledged records are absent from the log. */
  toHaveLost(n: number): R
  /** Exactly `n` extra copies in the log. */
  toHaveDuplicated(n: number): R
  /** Exactly `n` acknowledged positions no longer hold their record. */
  toHaveOverwritten(n: number): R
  /** No violations: nothing lost, duplicated, overwritten, reordered, out of send order or phantom. */
  toBeClean(): R
}
