/**
 * Where the active controller is decides what a one-way cut or a bridge does (a broker heartbeats
 * to the active controller alone, and a voter fetches from it alone), so the stories that need it
 * off the lanes' leader put it there first: if the leader's node is the active controller, it is
 * isolated until the other two elect one of themselves, then healed, and the story waits until
 * it follows the new controller and its broker is unfenced again.
 */
import { waitFor, type Cluster } from '../../harness/cluster/index.js'
import { isolateFully, withFault } from '../../harness/faults/index.js'
import { activeController, QuorumLog } from './quorum.js'

/** The active controller, once it is not `node`; moves it off `node` if it was there. */
export async function controllerAwayFrom(cluster: Cluster, node: number): Promise<number> {
  const now = activeController(cluster)
  if (now.node !== node) return now.node
  const quorum = new QuorumLog(cluster)
  const elected = await withFault(cluster, isolateFully(node), () =>
    waitFor(
      `a controller other than node ${node} elected at an epoch above ${now.epoch}`,
      () => {
        const e = quorum.events().find((q) => q.kind === 'leader' && q.node !== node && (q.epoch ?? 0) > now.epoch)
        if (!e) throw new Error(`quorum events so far: ${JSON.stringify(quorum.events())}`)
        return e.node
      },
      { timeoutMs: 30_000, maxIntervalMs: 100 },
    ),
  )
  await waitFor(
    `node ${node} to follow controller ${elected} again, and its broker to be unfenced`,
    async () => {
      if (!quorum.events().some((q) => q.node === node && q.kind === 'follower' && q.leader === elected)) throw new Error(`node ${node} follows no controller ${elected} yet`)
      if (!(await cluster.brokers()).includes(node)) throw new Error(`broker ${node} fenced`)
    },
    { timeoutMs: 30_000, maxIntervalMs: 100 },
  )
  return elected
}
