/**
 * Who reaches whom, observed: a probe placed in a node's cgroup (as that node's JVM is) opens a
 * TCP connection to another node's replication proxy, exactly as that node would to fetch from
 * it. A cut drops its SYN, so the connection is never made; the probe gives up after PROBE_MS.
 * The probe is a bash of this run, in the run's own cgroup for a moment, and exits at once.
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Cluster } from '../../harness/cluster/index.js'
import { partitionsOf } from '../../harness/cluster/index.js'
import { RuntimeRequirementError } from '../../harness/errors.js'

/** How long a probe waits for its connection: a connection on loopback takes well under a millisecond. */
export const PROBE_MS = 1_500

/** Whether a process in node `from`'s cgroup (or, with from = 'client', in none) can connect to node `to`'s replication proxy. */
function reaches(cluster: Cluster, from: number | 'client', to: number): Promise<boolean> {
  const p = partitionsOf(cluster.descriptor)
  if (!p.available) throw new RuntimeRequirementError('network partitions', p.reason, p.fix)
  const port = cluster.node(to).proxies.replication.listen.split(':').at(-1)
  const connect = `exec timeout ${PROBE_MS / 1000} bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port}'`
  const script = from === 'client' ? connect : `echo $$ > '${join(p.cgroup, `node-${from}`, 'cgroup.procs')}' && ${connect}`
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { stdio: 'ignore' })
    child.on('error', reject)
    child.on('exit', (code) => resolve(code === 0))
  })
}

/** Every ordered pair of nodes that cannot connect, as 'from→to', sorted; and the nodes a client cannot reach. */
export async function cutPairs(cluster: Cluster): Promise<{ cut: string[]; clientsCannotReach: number[] }> {
  const ids = cluster.nodeIds
  const pairs = ids.flatMap((a) => ids.filter((b) => b !== a).map((b) => [a, b] as const))
  const [nodes, clients] = await Promise.all([Promise.all(pairs.map(([a, b]) => reaches(cluster, a, b))), Promise.all(ids.map((b) => reaches(cluster, 'client', b)))])
  return {
    cut: pairs.filter((_, i) => !nodes[i]).map(([a, b]) => `${a}→${b}`).sort(),
    clientsCannotReach: ids.filter((_, i) => !clients[i]),
  }
}
