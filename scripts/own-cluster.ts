/**
 * Starts a cluster owned by this process and keeps it until this process dies, its parent is
 * gone, or it is told to stop (SIGINT/SIGTERM/SIGHUP). Prints `READY <run folder>` once every
 * broker is registered; the run folder is kept and says how the run ended (`ended`). Used by the
 * lifecycle tests and handy for exploring by hand:
 *   npm run own-cluster -- [--nodes N]
 */
import { startCluster } from '../harness/cluster/index.js'

const i = process.argv.indexOf('--nodes')
const owned = await startCluster({ ...(i > 0 ? { nodes: Number(process.argv[i + 1]) } : {}), keepRunDir: true }, (l) => console.error(`[cluster] ${l}`))
console.log(`bootstrap ${owned.cluster.bootstrap.join(',')}`)
console.log(`toxiproxy ${owned.cluster.descriptor.toxiproxyApi}`)
console.log(`READY ${owned.cluster.descriptor.runDir}`)
// Stay alive: the lifeline keeps the cluster up exactly as long as this process lives.
setInterval(() => {}, 1 << 30)
