import { beforeAll, describe, expect, test } from 'vitest'
import { explore, type ExploreReport, type Finding } from '../../harness/explore/explore.js'
import { findingsText, writeExploration } from '../../harness/explore/files.js'
import { NODE_DOWN } from '../../harness/explore/schedule.js'
import { loadGateConfig, parseGateConfig, readConfigJson } from '../../harness/gate/config.js'
import { ResultsCollector } from '../../harness/report/index.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * Known truths as a control: a short seeded exploration (one 24-s round of seed 2604: a
 * replication cut with the leader SIGKILLed inside it, a client-line cut, answers dropped, another
 * replication cut) over three lanes. The acks=1 lane must be found losing acknowledged records
 * and the shrinker must reduce that to a leader loss while followers lag; the non-idempotent
 * retrying lane must be found duplicating; the safe idempotent acks=all lane must stay clean.
 * The safe lane retries past every fault the rules allow: examples/configs/safe.json, with
 * kafkajs's 5 production retries, can give a call up and lose the next record (the gate rules that
 * claim out by its options; docs/exploration.md shows this seed finding it). EXPLORE_SEED tries
 * another seed (docs/exploration.md: which others hold).
 */
const SEED = Number(process.env.EXPLORE_SEED ?? 2604)
const safe = readConfigJson('examples/configs/safe.json') as { producer: Record<string, unknown> }
const configs = [
  loadGateConfig('examples/configs/acks1.json'),
  loadGateConfig('examples/configs/non-idempotent.json'),
  parseGateConfig({ ...safe, name: 'safe-retrying', producer: { ...safe.producer, retry: { retries: 100 } } }),
]
const results = new ResultsCollector('explore')
let report: ExploreReport
const finding = (lane: string): Finding | undefined => report.findings.find((f) => f.lane === lane)
const laneOf = (lane: string) => report.rounds[0]?.lanes.find((l) => l.lane === lane)

beforeAll(async () => {
  report = await explore(cluster(), {
    seed: SEED,
    minutes: 0.4,
    roundMs: 24_000,
    configs,
    shrinkOnly: [{ lane: 'acks1', claim: 'noAcknowledgedLoss' }],
    shrinkRuns: 4,
    // The shrinker's own reruns include the minimal schedule's: no separate repeat (CI time).
    repeat: 0,
    results,
    onProgress: (p) => console.log(`[explore] ${p.fault ? `  ${p.fault.planned.id} ${p.fault.window?.description ?? p.fault.skipped}` : p.what}`),
  })
  results.save()
  console.log(findingsText(report, writeExploration(report, configs).replays))
}, 400_000)

describe(`explore: seed ${SEED}, a 24-s schedule over acks1, non-idempotent and safe-retrying`, () => {
  test('the acks=1 lane loses acknowledged records, linked to the leader loss they were acknowledged just before or during', () => {
    expect(finding('acks1')).toMatchObject({ claim: 'noAcknowledgedLoss', anomaly: 'lost' })
    const lost = laneOf('acks1')?.attribution.find((a) => a.anomaly === 'lost')
    const leaderLoss = report.rounds[0]?.faults.filter((f) => NODE_DOWN.includes(f.planned.kind) && f.planned.role === 'leader').map((f) => f.planned.id)
    expect(lost?.byFault.filter((b) => leaderLoss?.includes(b.fault) && b.before + b.during > 0)).not.toEqual([])
  })

  test('the shrinker reduces the loss to a leader loss while followers lag: no fault of it can be removed, and its rerun lost records too', () => {
    const minimal = finding('acks1')?.shrunk?.minimal.faults ?? []
    expect(minimal.filter((f) => NODE_DOWN.includes(f.kind) && f.role === 'leader')).toHaveLength(1)
    const lag = (f: (typeof minimal)[number]) => f.kind === 'cut-replication' || ((f.kind === 'latency' || f.kind === 'bandwidth') && f.path === 'replication')
    expect(minimal.filter((f) => !NODE_DOWN.includes(f.kind)).every(lag)).toBe(true)
    expect(minimal.length).toBeLessThan(report.rounds[0]?.schedule.faults.length ?? 0)
    expect(finding('acks1')?.shrunk?.oneMinimal).toBe(true)
    const rerun = finding('acks1')?.shrunk?.steps.filter((s) => s.faults.join() === minimal.map((f) => `${f.id}:${f.forMs}`).join())
    expect(rerun?.map((s) => s.reproduced)).toContain(true)
  })

  test('the non-idempotent retrying lane duplicates, each duplicate linked to a fault', () => {
    expect(finding('non-idempotent')).toMatchObject({ claim: 'noDuplicates', anomaly: 'duplicated' })
    expect(laneOf('non-idempotent')?.attribution.find((a) => a.anomaly === 'duplicated')?.unlinked).toBe(0)
  })

  test('the safe idempotent acks=all lane stays clean', () => {
    expect(finding('safe-retrying')).toBeUndefined()
    expect(laneOf('safe-retrying')?.counts).toMatchObject({ lost: 0, duplicated: 0, outOfSendOrder: 0 })
    expect(laneOf('safe-retrying')?.unreconciled).toBeUndefined()
  })
})
