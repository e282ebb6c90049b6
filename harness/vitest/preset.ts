/**
 * The vitest preset (`kafka-durability/vitest`): the cluster project in one line of a team's
 * vitest.config.ts, as the whole config:
 *
 *   export default durabilityConfig()                       // tests/durability/**\/*.test.ts
 *   export default durabilityConfig({ include: ['it/**\/*.test.ts'] }, { name: 'unit', include: ['src/**\/*.test.ts'] })
 *
 * or as one project beside a team's others:
 *
 *   export default defineConfig({ test: { projects: [durabilityProject(), 'packages/*'] } })
 *
 * The project boots one cluster for the run (globalSetup), registers the verdict matchers, heals
 * the cluster after every test, runs its files one at a time in one fork (faults are
 * cluster-wide), and gives tests and hooks the time a failover takes. durabilityConfig also loads
 * follow-main.mjs into every worker (a root option vitest does not take per project), so a worker
 * whose main process is gone stops before its test file even starts. Paths point into this
 * package, so they work from node_modules and from the repo alike.
 */
import { dirname, extname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { TestProjectInlineConfiguration, ViteUserConfig } from 'vitest/config'
import { ConfigError } from '../errors.js'

// Type-only: a team's vitest.config.ts that imports the preset gets the matchers' types on `expect` (setup.ts augments vitest).
export type { VerdictMatchers } from '../matchers/setup.js'

const here = dirname(fileURLToPath(import.meta.url))
const ext = extname(fileURLToPath(import.meta.url))
const file = (path: string) => join(here, `${path}${ext}`)

/** Loaded into each test worker first: it stops when its main process is gone (follow-main.mjs). */
export const FOLLOW_MAIN: string[] = ['--import', pathToFileURL(join(here, 'follow-main.mjs')).href]

/** What the preset sets up, by path: the globalSetup that owns the cluster, and the set-up files of every test file. */
export const PRESET_FILES = {
  globalSetup: file('global-setup'),
  setupFiles: [file('../matchers/setup'), file('cluster-setup')],
} as const

export interface DurabilityProjectOptions {
  /** The project's name (`vitest run --project <name>`). Default 'durability'. */
  name?: string
  /** Test files, as vitest globs from the root. Default ['tests/durability/**\/*.test.ts']. */
  include?: string[]
  exclude?: string[]
  /** Per test and per hook, in ms. Default 180 000: a leader failover and its heal fit in it with room. */
  timeoutMs?: number
}

/**
 * The cluster project: one cluster for the run, matchers registered, healed after every test,
 * one file at a time. Put it in `test.projects` beside a team's other projects.
 */
export function durabilityProject(options: DurabilityProjectOptions = {}): TestProjectInlineConfiguration {
  const { name = 'durability', include = ['tests/durability/**/*.test.ts'], exclude, timeoutMs = 180_000 } = options
  if (include.length === 0) throw new ConfigError('durabilityProject({ include })', 'must name at least one glob of test files', '[]')
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new ConfigError('durabilityProject({ timeoutMs })', 'must be a positive integer of milliseconds', timeoutMs)
  return {
    test: {
      name,
      include,
      ...(exclude ? { exclude } : {}),
      globalSetup: [PRESET_FILES.globalSetup],
      setupFiles: [...PRESET_FILES.setupFiles],
      // Faults are cluster-wide: the project's files run one after the other, in one fork.
      pool: 'forks',
      poolOptions: { forks: { singleFork: true } },
      testTimeout: timeoutMs,
      hookTimeout: timeoutMs,
    },
  }
}

/** A team's whole vitest config: the cluster project, any other projects of its own, and follow-main in every worker. */
export function durabilityConfig(options: DurabilityProjectOptions = {}, ...others: TestProjectInlineConfiguration[]): ViteUserConfig {
  return {
    test: {
      poolOptions: { forks: { execArgv: FOLLOW_MAIN } },
      projects: [durabilityProject(options), ...others],
    },
  }
}
