/**
 * The vitest config the CLI runs (`kafka-durability gate`, `kafka-durability run`, and so
 * `npm run gate`): the preset's cluster project over the suite's own test files as this package
 * holds them (the sources in the repo, dist/ in node_modules); the CLI picks the files with
 * filters (`tests/gate/`, `tests/acks/`, ...). Reports go to the caller's folder (REPORTS_DIR or
 * ./reports), run folders to its .runs.
 */
import type { ViteUserConfig } from 'vitest/config'
import { MODULES_ROOT } from '../runtime/package.js'
import { durabilityConfig } from './preset.js'

const config = durabilityConfig({ name: 'cluster', include: ['tests/{acks,idempotency,partitioning,gate}/**/*.test.{ts,js}'] })

const cli: ViteUserConfig = { ...config, root: MODULES_ROOT, test: { ...config.test, reporters: ['default'] } }
export default cli
