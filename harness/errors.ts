/**
 * Typed errors of the harness. Each message says what, where, what was expected, what was
 * found, and (where there is one) the fix.
 */
export class HarnessError extends Error {
  override name = 'HarnessError'
}

/** A tool the runtime needs is missing or too old. */
export class RuntimeRequirementError extends HarnessError {
  override name = 'RuntimeRequirementError'
  constructor(
    readonly tool: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${tool}: ${problem}. Fix: ${fix}`)
  }
}

/** A bounded wait ran out: says what never happened, for how long, and what was last seen. */
export class WaitTimeoutError extends HarnessError {
  override name = 'WaitTimeoutError'
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
    readonly lastObserved: string,
  ) {
    super(`${what} did not happen within ${timeoutMs} ms; last observed: ${lastObserved}`)
  }
}

/** A cluster process died or failed to start; carries the tail of its log. */
export class ProcessFailedError extends HarnessError {
  override name = 'ProcessFailedError'
  constructor(
    readonly process: string,
    readonly logFile: string,
    readonly logTail: string,
    hint = '',
  ) {
    super(`${process} failed${hint ? `: ${hint}` : ''}\n  log: ${logFile}\n  last lines:\n${indent(logTail)}`)
  }
}

/**
 * The run's owner (the process holding its lifeline) is gone, so nothing may be started for the
 * run any more: whatever is started after its owner died would have nobody to stop it.
 */
export class OwnerGoneError extends HarnessError {
  override name = 'OwnerGoneError'
  constructor(
    readonly lifeline: string,
    readonly action: string,
  ) {
    super(`cannot ${action}: the run's owner is gone (no process holds its lifeline ${lifeline} open); nothing was started`)
  }
}

/**
 * A story's precondition did not hold (the fault did not land where the story needs it, the
 * warm-up was not acknowledged, the ISR shrank too early), so its counts would not be by
 * construction. Not a verdict: the run says nothing about the producer.
 */
export class PreconditionError extends HarnessError {
  override name = 'PreconditionError'
  constructor(what: string, fix = 'run the story again on a healed cluster; if it repeats, the cluster is too slow for the story\'s waits (see docs/running.md)') {
    super(`story precondition failed: ${what}. Fix: ${fix}`)
  }
}

/** Throws PreconditionError unless `cond`. */
export function precondition(cond: boolean, what: string): asserts cond {
  if (!cond) throw new PreconditionError(what)
}

/** Bad configuration given by the user; names the field and the rule. */
export class ConfigError extends HarnessError {
  override name = 'ConfigError'
  constructor(
    readonly field: string,
    readonly rule: string,
    readonly actual?: unknown,
  ) {
    super(`${field}: ${rule}${actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`}`)
  }
}

export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n')
}
