/**
 * npm run explore -- --seed S --minutes M [--config a.json ...] [--max-down N] [--repeat R]
 *                    [--shrink-runs N] [--round-seconds S]
 * npm run explore -- --replay reports/explore/seed-S-<lane>-<claim>.replay.json [--repeat R]
 *
 * `kafka-durability explore` from the repo: command.ts says what it does and its exit codes.
 */
import { cli } from '../cli/cli.js'

process.exit(await cli(['explore', ...process.argv.slice(2).filter((a, i) => !(a === '--' && i === 0))]))
