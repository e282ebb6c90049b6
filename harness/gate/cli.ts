/**
 * npm run gate -- [--compare kafkajs,confluent] [--scenarios ids] <config.json> [more.json ...]
 *
 * `kafka-durability gate` from the repo: harness/cli/gate.ts says what it does and its exit codes
 * (0 kept, 1 broken or refused, 2 invalid input, 3 environment).
 */
import { cli } from '../cli/cli.js'

process.exit(await cli(['gate', ...process.argv.slice(2).filter((a, i) => !(a === '--' && i === 0))]))
