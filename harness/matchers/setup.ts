/** vitest setupFile: registers the Verdict matchers and their types. */
import { expect } from 'vitest'
import { verdictMatchers, type VerdictMatchers } from './matchers.js'

expect.extend(verdictMatchers)

/** Re-exported so that a module's types that name it (the preset's) carry the augmentation below to a team's compiler. */
export type { VerdictMatchers }

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  interface Assertion<T = any> extends VerdictMatchers<T> {}
  interface AsymmetricMatchersContaining extends VerdictMatchers {}
}
