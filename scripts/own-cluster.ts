/**
 * Starts a cluster owned by this process and keeps it until this process dies, its parent is
 * gone, or it is told to stop (SIGINT/SIGTERM/SIGHUP). Prints `READY <run folder>` once every
 * broker is registered; the run folder is kept and says how the run ended (`ended`). Used by the
 * lifecycle tests and handy for exploring by hand (`kafka-durability cluster up` is the same):
 *   npm run own-cluster -- [--nodes N]
 */
import { clusterUp } from '../harness/cli/cli.js'

const i = process.argv.indexOf('--nodes')
await clusterUp(i > 0 ? Number(process.argv[i + 1]) : undefined)
