/**
 * Starts a cluster owned by this process and keeps it until this process dies, its parent is
 * gone, or it is told to stop (SIGINT/SIGTERM/SIGHUP). Prints `READY <run folder>` once every
 * broker is registered; the run folder is kept and says how the run ended (`ended`). Used by the
 * lifecycle tests and handy for exploring by hand:
 *   npx tsx scripts/own-cluster.ts [--nodes N]
 */
import { specFromEnv, startCluster } from '../harness/cluster/index.js'

const i = process.argv.indexOf('--nodes')
const env = specFromEnv()
const nodes = i > 0 ? Number(process.argv[i + 1]) : (env.nodes ?? 3)
const owned = await startCluster({ ...env, nodes, keepRunDir: true }, (l) => console.error(`[cluster] ${l}`))
console.log(`bootstrap ${owned.cluster.bootstrap.join(',')}`)
console.log(`toxiproxy ${owned.cluster.descriptor.toxiproxyApi}`)
console.log(`READY ${owned.cluster.descriptor.runDir}`)
// Stay alive: the lifeline keeps the cluster up exactly as long as this process lives.
setInterval(() => {}, 1 << 30)
