import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import { publicEntries } from './harness/runtime/package.js'
import { FOLLOW_MAIN } from './harness/vitest/preset.js'

/** Loaded into each test worker first: it stops when its main process is gone (see the file). */
export { FOLLOW_MAIN }

// Three projects:
//  - unit:      pure code (reconciler, ledger, config validation); no cluster is booted.
//  - cluster:   everything that needs the real 3-broker cluster; one cluster is booted for the
//               whole run by the globalSetup and test files run one at a time, since faults are
//               cluster-wide.
//  - lifecycle: runs of their own (small clusters, the suite's commands) ended in each way a run
//               ends, with nothing of them left after; no shared cluster.
export default defineConfig({
  // `kafka-durability/<entry>` in the repo's own files (examples/team-repo, typechecked here) is the source module behind that entry.
  resolve: { alias: publicEntries().map((e) => ({ find: new RegExp(`^${e.specifier}$`), replacement: resolve(import.meta.dirname, e.source) })) },
  test: {
    globals: true,
    // Faults are cluster-wide and two cores are shared with three JVMs: one file at a time.
    fileParallelism: false,
    poolOptions: { forks: { execArgv: FOLLOW_MAIN } },
    // JUnit XML for CI systems; the durability report itself is written by the globalSetup.
    reporters: ['default', ['junit', { outputFile: 'reports/junit.xml' }], ['json', { outputFile: 'reports/vitest.json' }]],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          setupFiles: ['harness/matchers/setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/unit/**', 'tests/lifecycle/**'],
          globalSetup: ['harness/vitest/global-setup.ts'],
          setupFiles: ['harness/matchers/setup.ts', 'harness/vitest/cluster-setup.ts'],
          pool: 'forks',
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'lifecycle',
          include: ['tests/lifecycle/*.test.ts'],
          pool: 'forks',
          testTimeout: 300_000,
          // Concurrent tests (the endings on containers) go two at a time: two cores.
          maxConcurrency: 2,
        },
      },
    ],
  },
})
