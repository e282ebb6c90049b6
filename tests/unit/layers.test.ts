import { describe, expect, test } from 'vitest'
import { harnessExports } from './support/exports.js'

/**
 * harness/ holds engines, tests/ holds stories (docs/architecture.md). A function, class or
 * constant that harness/ exports and nothing in harness/ uses, while exactly one file of tests/
 * imports it, is part of that one story or test: it belongs beside it in tests/. One that nothing
 * imports at all is dead code. Types are left out (an engine's API names them wherever it is used).
 */
const ALLOWED: Record<string, string> = {
  // Folders whose exports are engines whoever uses them.
  'harness/faults/': 'the catalogue of what the harness can do to a cluster: a fault is an engine even while one story uses it',
  'harness/payments/': 'the payments domain (payment-service, billing, the timeline) is a module of its own; its stories are in tests/idempotency/stories/',
  // One export each.
  'harness/gate/report.ts#saveGateVerdicts': "the gate's output: tests/gate/gate.test.ts is the gate's runner (npm run gate runs it), and cli.ts reads what it saved",
  'harness/gate/verdict.ts#claimStatuses': "the gate's verdicts as its runner, tests/gate/gate.test.ts, asserts them",
  'harness/gate/verdict.ts#describeConfigVerdict': "the gate's verdicts as its runner, tests/gate/gate.test.ts, prints them",
  'harness/vitest/global-setup.ts#setup': 'vitest loads it by path (vitest.config.ts globalSetup)',
  // In folders another line of work owns (issue 13): listed for them to move or delete.
  'harness/cluster/containers/wiring.ts#propertyOfKafkaEnv': 'harness/cluster/ is owned by the per-client-listeners work; only tests/unit/compose.test.ts uses it',
  'harness/reconcile/describe.ts#describeVerdict': 'harness/reconcile/ is owned by the reconcile-speed work; only tests/unit/reconcile.test.ts uses it',
}

const allowed = (id: string): boolean => Object.keys(ALLOWED).some((k) => (k.endsWith('/') ? id.startsWith(k) : id === k))
const values = harnessExports().filter((e) => e.value && !e.usedHere)

describe('harness/ holds engines, tests/ holds stories', () => {
  test('no harness export is used by exactly one file of tests/ and nothing else (that is a story: move it beside its test)', () => {
    const stories = values.filter((e) => e.users.size === 1 && [...e.users][0]?.startsWith('tests/') && !allowed(e.id)).map((e) => `${e.id} <- ${[...e.users][0]}`)
    expect(stories).toEqual([])
  })

  test('no harness export is used by nothing (dead code: delete it)', () => {
    expect(values.filter((e) => e.users.size === 0 && !allowed(e.id)).map((e) => e.id)).toEqual([])
  })

  test('the rule sees through indexes and finds a story where there is one', () => {
    const byId = new Map(harnessExports().map((e) => [e.id, e]))
    // killNode is re-exported by harness/faults/index.ts; its users import the index.
    expect([...(byId.get('harness/faults/node-faults.ts#killNode')?.users ?? [])]).toEqual(expect.arrayContaining(['tests/acks/stories/leader-killed-under-load.ts', 'tests/gate/stories/replication-cut-then-kill.ts']))
    // Every allow-list entry still names something (a stale entry would hide the next story).
    for (const key of Object.keys(ALLOWED)) expect([...byId.keys()].some((id) => (key.endsWith('/') ? id.startsWith(key) : id === key)), key).toBe(true)
  })
})
