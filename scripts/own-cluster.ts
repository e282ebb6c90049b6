/**
 * Starts a cluster owned by this process and keeps it until this process dies or is told to stop
 * (SIGINT/SIGTERM). Prints `READY <run folder>` once every broker is registered. Used by the
 * lifecycle test (which SIGKILLs it) and handy for exploring by hand:
 *   npx tsx scripts/own-cluster.ts [--nodes N]
 */
import { startCluster } from '../harness/cluster/index.js'

const i = process.argv.indexOf('--nodes')
const nodes = i > 0 ? Number(process.argv[i + 1]) : 3
const owned = await startCluster({ nodes, keepRunDir: false }, (l) => console.error(`[cluster] ${l}`))
console.log(`bootstrap ${owned.cluster.bootstrap.join(',')}`)
console.log(`toxiproxy ${owned.cluster.descriptor.toxiproxyApi}`)
console.log(`READY ${owned.cluster.descriptor.runDir}`)
// Stay alive: the lifeline keeps the cluster up exactly as long as this process lives.
setInterval(() => {}, 1 << 30)
