import { afterAll, describe, expect, test } from 'vitest'
import { providerFromEnv, type EndingReason } from '../../harness/cluster/index.js'
import { Run, endRun, row, sendAt } from './support/run.js'

/**
 * The suite's long-lived commands leave nothing either, however they are stopped: each is started
 * as a user or CI would (`npm run …`, in a process group of its own), ended once its cluster is up,
 * then nothing of its run may be left and the run folder must say how it ended. Two ways each:
 * SIGTERM to the top process (npm: it must reach the run's owner), and SIGKILL to the process that
 * started the run's owner (the owner must notice its parent is gone). Both are ways in which the
 * run's owner itself gets no Ctrl-C; the seven endings of a vitest run are in endings.test.ts.
 */
const provider = providerFromEnv()

interface Command {
  name: string
  args: string[]
  env?: Record<string, string>
  /** For SIGTERM to the top; for SIGKILL to the owner's parent. */
  ended: { term: EndingReason; kill: EndingReason }
  /** Why the test cannot run yet, if it cannot. */
  pending?: string
}

/**
 * The commands run on a one-node cluster (config.ts specFromEnv): the boot is what a test here
 * waits for (one node: 6 s a test, three: 13-16 s, in one run). Each is ended as soon as its node is up; none would end by
 * itself for a long while on one node (measured for the gate: still running 2 min after its node
 * was up; bench's first RF=3 topic is retried for 30 s, DEADLINES.leader, before its section fails).
 */
const ONE_NODE = { KAFKA_DURABILITY_NODES: '1' }

const COMMANDS: Command[] = [
  // npm runs `exec node …`: the owner is npm's child, and npm is the owner's parent.
  { name: 'own-cluster', args: ['run', 'own-cluster', '--', '--nodes', '1'], ended: { term: 'SIGTERM', kill: 'parent vanished' } },
  // Two sections: the bench process runs each in a child (runOwned) that owns the cluster.
  { name: 'bench', args: ['run', 'bench', '--', 'cluster', 'workload'], env: { ...ONE_NODE, BENCH_RUNS: '1' }, ended: { term: 'SIGTERM', kill: 'parent vanished' } },
  // `… && exec vitest run …`: vitest's main process is npm's child.
  { name: 'durability', args: ['run', 'durability'], env: ONE_NODE, ended: { term: 'SIGTERM', kill: 'parent vanished' } },
  // The gate CLI runs vitest in a child (runOwned).
  {
    name: 'gate',
    args: ['run', 'gate', '--', 'examples/configs/safe.json'],
    env: ONE_NODE,
    ended: { term: 'SIGTERM', kill: 'parent vanished' },
  },
]

const WAYS = [
  { name: 'SIGTERM to the top process', key: 'term', end: (r: Run) => sendAt(r.pgid, 'SIGTERM') },
  { name: "SIGKILL to the owner's parent", key: 'kill', end: (r: Run) => sendAt(r.ownersParent(), 'SIGKILL') },
] as const

const CASES = COMMANDS.flatMap((command) => WAYS.map((way) => ({ command, way, label: `${command.name}: ${way.name}` })))

describe(`lifecycle (${provider}): the long-lived commands leave nothing`, () => {
  const table: string[] = []
  afterAll(() => console.log(`\n[lifecycle] ${provider}: command, ending → nothing of the run left\n${table.join('\n')}`))

  for (const c of CASES.filter((x) => x.command.pending)) test.skip(`${c.label} (pending: ${c.command.pending})`, () => {})

  test.each(CASES.filter((x) => !x.command.pending))('$label', async ({ command, way, label }) => {
    const run = Run.start('npm', command.args, command.env ?? {}, provider)
    const ended = await endRun(run, { what: `the cluster of ${command.name} to be up`, probe: () => run.clusterUp() }, way.end)
    table.push(row(label, ended))
    expect(ended.ending?.reason, `ended file; output:\n${run.output()}`).toBe(command.ended[way.key])
  })
})
