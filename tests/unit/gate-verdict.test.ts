import { describe, expect, test } from 'vitest'
import { BATTERY, gatedBy, profileOf, ranOtherwise, scenarioRuns } from '../../harness/gate/battery.js'
import { parseGateConfig, type Claim } from '../../harness/gate/config.js'
import { verdictTableMarkdown, verdictTableText } from '../../harness/gate/table.js'
import { judgeConfig, judgeScenario, type ScenarioRun } from '../../harness/gate/verdict.js'
import type { FaultWindow } from '../../harness/faults/index.js'
import { reconcile } from '../../harness/reconcile/index.js'
import type { LaneResult, LaneStep } from '../../harness/engines/index.js'
import type { LedgerEntry, LogRecord } from '../../harness/workload/index.js'
import { ack, entry, failed, ledgerOf, logOf, rec, unknown } from './support/history.js'

/** A fault in force from t=100 to t=200. */
const FAULT: FaultWindow = { name: 'kill', description: 'SIGKILL node 1', appliedAt: 100, inForceAt: 110, healedAt: 200 }

function lane(entries: LedgerEntry[], records: LogRecord[], more: { acks?: -1 | 0 | 1; steps?: LaneStep[]; writtenUnanswered?: number; unreconciled?: string } = {}): LaneResult {
  const ledger = ledgerOf(entries)
  const log = logOf(records)
  const verdict = reconcile(ledger, log)
  const acks = more.acks ?? -1
  return {
    acks, variant: 'c', topic: 't', profile: { variant: 'c', producer: { acks } },
    steps: more.steps ?? [], facts: more.writtenUnanswered === undefined ? {} : { writtenUnanswered: more.writtenUnanswered },
    ...(more.unreconciled ? { unreconciled: more.unreconciled } : {}),
    ledger, log, verdict, absent: 0, row: {} as LaneResult['row'],
  }
}
const run = (l: LaneResult, extra: Partial<ScenarioRun> = {}): ScenarioRun => ({ scenario: 's', lane: l, faults: [FAULT], ...extra })

// a acknowledged before the fault, b sent through it; both written
const beforeAndThrough = [ack('a', 0, 0, { start: 0 }), ack('b', 0, 1, { start: 150, n: 1, seq: 1 })]
const bothWritten = [rec(0, 0, 'a'), rec(0, 1, 'b')]

describe('the gate judges one claim in one scenario', () => {
  test('an acknowledged record absent: broken, with the count and the evidence line', () => {
    const v = judgeScenario('noAcknowledgedLoss', run(lane(beforeAndThrough, [rec(0, 1, 'b')])))
    expect(v).toMatchObject({ status: 'broken', anomaly: 'lost', count: 1, faults: 'SIGKILL node 1' })
    expect(v.evidence?.[0]).toMatch(/^id=a key=k seq=0 ok ack p0@0 sent .*; that position holds nothing$/)
  })

  test('acknowledged before the fault, sent through it, nothing lost: kept, saying how the fault hit', () => {
    expect(judgeScenario('noAcknowledgedLoss', run(lane(beforeAndThrough, bothWritten)))).toMatchObject({ status: 'kept', reason: '1 records acknowledged before the fault, 1 sent through it' })
  })

  test('nothing sent while the fault was in force: not exercised, with the steps that never happened', () => {
    const steps: LaneStep[] = [{ what: 'all 2 send slots waiting', met: false, observed: 'not within 30000 ms; last observed: 0 in flight' }]
    const v = judgeScenario('noAcknowledgedLoss', run(lane([ack('a', 0, 0, { start: 0 })], [rec(0, 0, 'a')], { steps })))
    expect(v.status).toBe('notExercised')
    expect(v.reason).toBe('no send was in flight while the fault was in force; all 2 send slots waiting: never happened (not within 30000 ms; last observed: 0 in flight)')
  })

  test('a step that does not apply is said so', () => {
    const steps: LaneStep[] = [{ what: 'its producer to retry into the resets', met: false, notApplicable: 'this producer never retries' }]
    const v = judgeScenario('noDuplicates', run(lane(beforeAndThrough, bothWritten, { steps })))
    expect(v).toMatchObject({ status: 'notExercised', reason: 'no record was written without the producer learning so; its producer to retry into the resets: does not apply: this producer never retries' })
  })

  test('noDuplicates is exercised by records written without their answer, or written though failed', () => {
    expect(judgeScenario('noDuplicates', run(lane(beforeAndThrough, bothWritten, { writtenUnanswered: 3 })))).toMatchObject({ status: 'kept' })
    const failedButWritten = [...beforeAndThrough, failed('c', { start: 160, n: 2 })]
    expect(judgeScenario('noDuplicates', run(lane(failedButWritten, [...bothWritten, rec(0, 2, 'c')])))).toMatchObject({ status: 'kept', reason: '1 records written though the producer was told they failed or never learned their outcome' })
    expect(judgeScenario('noDuplicates', run(lane(beforeAndThrough, [...bothWritten, rec(0, 2, 'b')], { writtenUnanswered: 3 })))).toMatchObject({ status: 'broken', anomaly: 'duplicated', count: 1 })
  })

  test('perKeyOrder is exercised when a later send of a key is written after an earlier one was disturbed', () => {
    const retried = [ack('a', 0, 0, { start: 0, attempts: 2 }), ack('b', 0, 1, { start: 20, n: 1, seq: 1 })]
    expect(judgeScenario('perKeyOrder', run(lane(retried, bothWritten), { faults: [] }))).toMatchObject({ status: 'kept' })
    const undisturbed = [ack('a', 0, 0, { start: 0 }), ack('b', 0, 1, { start: 20, n: 1, seq: 1 })]
    expect(judgeScenario('perKeyOrder', run(lane(undisturbed, bothWritten), { faults: [] }))).toMatchObject({ status: 'notExercised' })
    const otherKey = [ack('a', 0, 0, { start: 0, attempts: 2 }), ack('b', 0, 1, { start: 20, n: 1, key: 'other' })]
    expect(judgeScenario('perKeyOrder', run(lane(otherKey, [rec(0, 0, 'a'), rec(0, 1, 'b', 'other')]), { faults: [] }))).toMatchObject({ status: 'notExercised' })
  })

  test('acks=0 acknowledges nothing: records sent and absent are its loss', () => {
    const sent = [unknown('a', { start: 0 }), unknown('b', { start: 150, n: 1 })]
    const v = judgeScenario('noAcknowledgedLoss', run(lane(sent, [rec(0, 0, 'a')], { acks: 0 })))
    expect(v).toMatchObject({ status: 'broken', anomaly: 'unknownAbsent', count: 1 })
    expect(judgeScenario('noAcknowledgedLoss', run(lane(sent, [rec(0, 0, 'a'), rec(0, 1, 'b')], { acks: 0 })))).toMatchObject({ status: 'kept' })
  })

  test('a lane that could not be reconciled, or a scenario that could not run: unknown, never kept', () => {
    expect(judgeScenario('noAcknowledgedLoss', run(lane(beforeAndThrough, bothWritten, { unreconciled: 'could not be read back: timeout' })))).toMatchObject({ status: 'unknown' })
    expect(judgeScenario('noAcknowledgedLoss', { scenario: 's', error: 'WaitTimeoutError: no new leader' })).toMatchObject({ status: 'unknown', reason: 'the scenario could not run: WaitTimeoutError: no new leader' })
  })

  test('an exempt claim is not judged in that scenario: what it shows there is expected whatever the config', () => {
    const exempt = { noDuplicates: 'idempotence is per producer session' }
    expect(judgeScenario('noDuplicates', run(lane(beforeAndThrough, bothWritten, { writtenUnanswered: 3 }), { exempt }))).toMatchObject({ status: 'notExercised', reason: 'exempt here: idempotence is per producer session' })
    const twice = lane(beforeAndThrough, [...bothWritten, rec(0, 2, 'a')], { writtenUnanswered: 3 })
    expect(judgeScenario('noDuplicates', run(twice, { exempt }))).toMatchObject({ status: 'notExercised', reason: 'exempt here: idempotence is per producer session (1 duplicated here, as expected)' })
  })
})

describe('the gate judges a config over the battery', () => {
  const safe = parseGateConfig({ name: 'c', producer: { idempotent: true, retry: { retries: Number.MAX_SAFE_INTEGER } }, send: { acks: 'all' }, claims: { noAcknowledgedLoss: true, noDuplicates: true } })
  const kept = run(lane(beforeAndThrough, bothWritten, { writtenUnanswered: 1 }))
  const quiet = run(lane([ack('a', 0, 0, { start: 0 })], [rec(0, 0, 'a')]))
  const statuses = (v: ReturnType<typeof judgeConfig>) => Object.fromEntries(v.claims.map((c) => [c.claim, c.status])) as Record<Claim, string>

  test('kept in one scenario that exercised it and broken in none: passes', () => {
    const v = judgeConfig(safe, [kept, quiet])
    expect(statuses(v)).toEqual({ noAcknowledgedLoss: 'kept', noDuplicates: 'kept' })
    expect(v.passed).toBe(true)
  })

  test('exercised by no scenario: fails, saying so', () => {
    const v = judgeConfig(safe, [quiet])
    expect(v.passed).toBe(false)
    expect(v.claims[0]).toMatchObject({ status: 'notExercised', reason: 'no scenario exercised it: s: no send was in flight while the fault was in force' })
  })

  test('broken in one scenario, kept in others: fails with the breach (the largest, when several)', () => {
    const v = judgeConfig(safe, [kept, run(lane(beforeAndThrough, [rec(0, 1, 'b')]), { scenario: 'kill' })])
    expect(v.claims[0]).toMatchObject({ status: 'broken', reason: '1 lost under "kill"' })
    expect(v.passed).toBe(false)
    const both = [ack('a', 0, 0, { start: 0 }), ack('b', 0, 1, { start: 10, n: 1 }), ack('c', 0, 2, { start: 150, n: 2 })]
    const worse = judgeConfig(safe, [run(lane(beforeAndThrough, [rec(0, 1, 'b')]), { scenario: 'kill' }), run(lane(both, [rec(0, 2, 'c')]), { scenario: 'cut' })])
    expect(worse.claims[0]).toMatchObject({ status: 'broken', reason: '2 lost under "cut"' })
  })

  test('a scenario that could not run makes the claim unknown, even if kept elsewhere', () => {
    const v = judgeConfig(safe, [kept, { scenario: 'crashed', error: 'boom' }])
    expect(v.claims.map((c) => c.status)).toEqual(['unknown', 'unknown'])
    expect(v.passed).toBe(false)
  })

  test('a claim the options rule out fails even when every scenario kept it', () => {
    const acks1 = parseGateConfig({ name: 'c', send: { acks: 1 }, claims: { noAcknowledgedLoss: true } })
    const v = judgeConfig(acks1, [kept])
    expect(v.claims[0]).toMatchObject({ status: 'ruledOut' })
    expect(v.claims[0]?.reason).toMatch(/contradicts send\.acks=1/)
    expect(v.passed).toBe(false)
  })

  test('the table shows every config and claim, and why each cell that is not kept is not', () => {
    const vs = [judgeConfig(safe, [kept]), judgeConfig(parseGateConfig({ name: 'd', send: { acks: 1 }, claims: { noAcknowledgedLoss: true } }), [run(lane(beforeAndThrough, [rec(0, 1, 'b')]), { scenario: 'kill' })])]
    const text = verdictTableText(vs)
    expect(text.split('\n').slice(0, 4)).toEqual([
      'config  gate  noAcknowledgedLoss               noDuplicates  perKeyOrder',
      '------  ----  -------------------------------  ------------  -----------',
      'c       PASS  kept (1/1)                       kept (1/1)    -',
      'd       FAIL  RULED OUT; shown: 1 lost (kill)  -             -',
    ])
    expect(text).toMatch(/^d \/ noAcknowledgedLoss: contradicts send\.acks=1: .* Shown under "kill": 1 lost\. First evidence: id=a key=k seq=0 ok ack p0@0/m)
    expect(verdictTableMarkdown(vs)).toMatch(/^## Gate: 1 of 2 configs kept their claims\n\n\| config \| gate \| noAcknowledgedLoss \| noDuplicates \| perKeyOrder \|/)
  })
})

describe('the failure domain a config claims', () => {
  const base = { client: 'java', producer: { acks: 'all', idempotent: true }, claims: { noAcknowledgedLoss: true } }
  const node = parseGateConfig({ name: 'node', ...base })
  const replicas = parseGateConfig({ name: 'replicas', ...base, failureDomain: 'all-replicas', topicConfig: { 'flush.messages': 1 } })
  const powerLoss = BATTERY.find((s) => s.id === 'power-loss-all')!

  test("defaults to 'node'; 'all-replicas' and topicConfig are read as given, anything else refused naming the field", () => {
    expect([node.failureDomain, node.topicConfig]).toEqual(['node', {}])
    expect([replicas.failureDomain, replicas.topicConfig]).toEqual(['all-replicas', { 'flush.messages': 1 }])
    expect(() => parseGateConfig({ name: 'x', ...base, failureDomain: 'rack' })).toThrow(/failureDomain: must be one of node or all-replicas .*rack/)
    expect(() => parseGateConfig({ name: 'x', ...base, topicConfig: { 'flush.messages': 0 } })).toThrow('topicConfig.flush.messages: must be a positive integer (got 0)')
    expect(() => parseGateConfig({ name: 'x', ...base, topicConfig: { 'flush.ms': 10 } })).toThrow(/topicConfig.flush.ms: unknown option.*flush.messages/)
  })

  test('the power-loss scenario gates only the configs claiming all replicas; every other scenario gates every config', () => {
    expect(gatedBy(powerLoss, [node, replicas])).toEqual([replicas])
    for (const s of BATTERY.filter((x) => x !== powerLoss)) expect(gatedBy(s, [node, replicas])).toEqual([node, replicas])
  })

  test("a config is judged only on the scenarios that gate it: the power loss's failure does not touch a 'node' config", () => {
    const run = { scenarios: [{ scenario: powerLoss, error: 'HarnessError: powerfs needs the native provider' }] }
    expect(scenarioRuns(run, node)).toEqual([])
    const judged = judgeConfig(replicas, scenarioRuns(run, replicas)).claims[0]!
    expect(judged.status).toBe('unknown')
    expect(judged.reason).toMatch(/power loss of every replica: the scenario could not run: HarnessError: powerfs needs the native provider/)
  })
})

describe("a lane is judged as its config only if it ran as its config", () => {
  const java = parseGateConfig({ name: 'ledger', client: 'java', producer: { acks: 'all', idempotent: true }, claims: { noAcknowledgedLoss: true } })
  const ran = (client: string, producer: object) => ({ client, profile: producer })

  test("the ledger's client and producer profile are the config's: judged", () => {
    expect(ranOtherwise(java, ran('java', { ...profileOf(java).producer }))).toBeUndefined()
    // a transactional.id is the scenario's own; key order does not matter
    const reordered = Object.fromEntries(Object.entries({ ...profileOf(java).producer, transactionalId: 'gate-1' }).reverse())
    expect(ranOtherwise(java, ran('java', reordered))).toBeUndefined()
  })

  test('another client, or a field the story changed, is a harness error naming it, for every session of a restart', () => {
    expect(ranOtherwise(java, ran('kafkajs', profileOf(java).producer))).toMatch(/the lane of ledger ran on the client "kafkajs", not its config's "java"/)
    expect(ranOtherwise(java, ran('java', { ...profileOf(java).producer, idempotent: false }))).toMatch(/ran with producer idempotent=false, not its config's true/)
    const merged = { merged: [ran('java', profileOf(java).producer), ran('kafkajs', profileOf(java).producer)] }
    expect(ranOtherwise(java, merged)).toMatch(/ran on the client "kafkajs"/)
  })

  test('the scenario then judges nothing for that config: its claims are unknown, with the reason', () => {
    const scenario = BATTERY[0]!
    const mislabelled = { ...lane([ack('a', 0, 0)], [rec(0, 0, 'a')]), variant: 'ledger' }
    mislabelled.ledger = { ...mislabelled.ledger, settings: ran('kafkajs', profileOf(java).producer) }
    const outcome = { variant: () => mislabelled, faults: [FAULT] } as unknown as NonNullable<Parameters<typeof scenarioRuns>[0]['scenarios'][number]['outcome']>
    const [r] = scenarioRuns({ scenarios: [{ scenario, outcome }] }, java)
    expect(r!.lane).toBeUndefined()
    expect(r!.error).toMatch(/^HarnessError: the lane of ledger ran on the client "kafkajs"/)
    const judged = judgeConfig(java, [r!]).claims[0]!
    expect(judged.status).toBe('unknown')
  })
})
