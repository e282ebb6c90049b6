import { afterAll, describe, test } from 'vitest'
import { providerFromEnv, type EndingReason } from '../../harness/cluster/index.js'
import { Run, endRun, row, sendAt } from './support/run.js'

/**
 * Nothing outlives its owner: a real run (`npx vitest run` of a fixture test on a one-node
 * cluster, in a process group of its own) is ended in each way a run ends, then nothing of it may
 * be left (no process, container, network, namespace, mount or firewall rule) and its run folder
 * must say how it ended. The time from the ending until nothing was left is printed, not asserted.
 */
const provider = providerFromEnv()
const FIXTURE = ['vitest', 'run', '--config', 'tests/lifecycle/fixtures/vitest.config.ts']

interface Way {
  name: string
  /** The fixture's mode: pass and fail wait to be let go; hold stays in its test. */
  mode: 'pass' | 'fail' | 'hold'
  /** Ends the run; returns the time the ending began. */
  end: (run: Run) => Promise<number> | number
  ended: EndingReason
  /** When to end it: with the fixture test in progress (the default), or as soon as the cluster is up. */
  at?: 'in-test' | 'cluster up'
}

/** The normal endings begin when the fixture's test body ends. */
const letGo = async (run: Run) => {
  run.release()
  return (await run.until('the fixture test to end its body', () => run.mark('test-done') ?? fail('no test-done mark yet'))).at
}

const WAYS: Way[] = [
  { name: 'normal end', mode: 'pass', end: letGo, ended: 'completed' },
  { name: 'a failing test', mode: 'fail', end: letGo, ended: 'failed' },
  { name: 'SIGINT to the process group', mode: 'hold', end: (r) => sendAt(-r.pgid, 'SIGINT'), ended: 'SIGINT' },
  { name: 'SIGINT to the main process only', mode: 'hold', end: (r) => sendAt(r.owner(), 'SIGINT'), ended: 'SIGINT' },
  // npx passes a SIGTERM to its `sh -c`, which dies of it without passing it on; vitest follows its parent.
  { name: 'SIGTERM to the top process', mode: 'hold', end: (r) => sendAt(r.pgid, 'SIGTERM'), ended: 'parent vanished' },
  { name: 'SIGKILL to the main process', mode: 'hold', end: (r) => sendAt(r.owner(), 'SIGKILL'), ended: 'owner vanished' },
  // vitest's main process exits on the unhandled rejection that the lost worker causes, without its teardown.
  { name: 'SIGKILL to a worker', mode: 'hold', end: (r) => sendAt(r.mark('in-test')?.pid ?? fail('no worker pid'), 'SIGKILL'), ended: 'exited' },
  // The worker may not have reached its test file yet: it must stop all the same (follow-main.mjs).
  { name: 'SIGKILL to the main process as the worker starts', mode: 'hold', end: (r) => sendAt(r.owner(), 'SIGKILL'), ended: 'owner vanished', at: 'cluster up' },
]

/**
 * LIFECYCLE_ENDINGS=<name>,<name>: only those endings; the others are skipped, saying so (unset or
 * empty: all).
 * scripts/containers-ci.sh runs on containers the four whose teardown differs by provider: the
 * owner's stop() (normal end; on a signal, with a node killed), the reaper when the owner vanished
 * (SIGKILL to the main process), the reaper after an owner that exited without stopping (SIGKILL to
 * a worker). The others differ only in how the ending reaches the owner, the same code natively.
 */
const named = process.env.LIFECYCLE_ENDINGS?.split(',').map((n) => n.trim()).filter(Boolean) ?? []
const only = named.length ? named : undefined
const unknown = only?.filter((n) => !WAYS.some((w) => w.name === n)) ?? []
if (unknown.length) throw new Error(`LIFECYCLE_ENDINGS names endings there are not: ${unknown.join(', ')} (there are: ${WAYS.map((w) => w.name).join(', ')})`)

function fail(why: string): never {
  throw new Error(why)
}

/**
 * On containers the runs go two at a time (the lifecycle project's maxConcurrency): each run is
 * its own process group, temporary folder and run label, and the engine gives every container its
 * host ports. Natively one at a time: a native run picks free ports and binds them only as its
 * processes start, so a run starting meanwhile could pick the same ones.
 */
const endingTest = provider === 'containers' ? test.concurrent : test

describe(`lifecycle (${provider}): however a run ends, nothing of it is left`, () => {
  const table: string[] = []
  afterAll(() => console.log(`\n[lifecycle] ${provider}: ending → nothing of the run left\n${table.sort().map((r) => r.slice(3)).join('\n')}`))

  for (const way of WAYS.filter((w) => only && !only.includes(w.name))) test.skip(`${way.name} (skipped: LIFECYCLE_ENDINGS leaves it out)`, () => {})

  endingTest.for(WAYS.filter((w) => !only || only.includes(w.name)))('$name', async (way, { expect }) => {
    const run = Run.start('npx', FIXTURE, { KAFKA_DURABILITY_NODES: '1', KD_FIXTURE_MODE: way.mode }, provider)
    const ready = way.at === 'cluster up' ? { what: 'the cluster to be up', probe: () => run.clusterUp() } : { what: 'the fixture test to be in progress', probe: () => run.mark('in-test') ?? fail('no in-test mark yet') }
    const ended = await endRun(run, ready, way.end)
    table.push(`${String(WAYS.indexOf(way)).padStart(2, '0')} ${row(way.name, ended)}`)
    expect(ended.ending?.reason, `ended file; output:\n${run.output()}`).toBe(way.ended)
  })
})
