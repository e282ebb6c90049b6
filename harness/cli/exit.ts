/**
 * The exit codes of `kafka-durability` and `npm run gate`, part of the semver promise
 * (CHANGELOG.md): 0 kept, 1 broken, 2 invalid input, 3 environment.
 */
import { ConfigError } from '../errors.js'
import type { ConfigVerdict } from '../gate/verdict.js'

export const EXIT = {
  /** Every claim kept, every test passed (or a command did what was asked). */
  kept: 0,
  /** A claim broken or ruled out by the config's options, exercised by no scenario, or refused by a client; a test failed. */
  broken: 1,
  /** A bad argument or config: nothing ran. */
  invalidInput: 2,
  /** A prerequisite is missing, or the harness could not judge (a scenario could not run, no verdict was written). */
  environment: 3,
} as const
export type ExitCode = (typeof EXIT)[keyof typeof EXIT]

/** The exit code of an error that stopped a command: bad input is 2, anything else the harness could not get past is 3. */
export function exitCodeOf(e: unknown): ExitCode {
  return e instanceof ConfigError ? EXIT.invalidInput : EXIT.environment
}

/** The gate's exit code from its verdicts: 3 when some claim could not be judged, else 0 only when every config kept every claim and no client refused one. */
export function gateExitCode(verdicts: readonly Pick<ConfigVerdict, 'passed' | 'claims'>[], refused: number): ExitCode {
  if (verdicts.some((v) => v.claims.some((c) => c.status === 'unknown'))) return EXIT.environment
  return verdicts.every((v) => v.passed) && refused === 0 ? EXIT.kept : EXIT.broken
}

/**
 * The exit code of a vitest run that the CLI started (`run`): its own 0 and 1 (a test failed);
 * a signal's 128+n passed on as it is; anything else (vitest could not start, a bad config) is
 * the environment's.
 */
export function vitestExitCode(code: number): number {
  if (code === 0) return EXIT.kept
  if (code === 1) return EXIT.broken
  if (code > 128) return code
  return EXIT.environment
}
