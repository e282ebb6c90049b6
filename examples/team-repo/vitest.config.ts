import { durabilityConfig } from 'kafka-durability/vitest'

// The cluster project (tests/durability/**/*.test.ts): one cluster for the run, the verdict matchers, healed after every test, one file at a time.
export default durabilityConfig()
