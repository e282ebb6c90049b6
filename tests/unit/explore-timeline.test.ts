import { describe, expect, test } from 'vitest'
import type { ExploreReport } from '../../harness/explore/explore.js'
import { findingsText } from '../../harness/explore/files.js'
import type { RoundResult } from '../../harness/explore/run.js'
import { drawSchedule } from '../../harness/explore/schedule.js'
import { shrinkStrongest } from '../../harness/explore/shrink.js'
import { exploreHtml } from '../../harness/explore/timeline.js'

const t0 = 1_000_000
const schedule = drawSchedule(2604, 24_000)
const counts = { absent: 1, lost: 1, duplicated: 0, overwritten: 1, reordered: 0, outOfSendOrder: 0, phantom: 0, keySplit: 0, failedButWritten: 0, unknownWritten: 0, unknownAbsent: 0 }
const round: RoundResult = {
  schedule,
  t0,
  endedAt: t0 + 26_000,
  faults: schedule.faults.map((planned, i) =>
    i === 2 ? { planned, skipped: 'HarnessError: no follower to aim at' } : { planned, node: 1, window: { name: planned.kind, description: `${planned.id} on node 1`, appliedAt: t0 + planned.atMs, healedAt: t0 + planned.atMs + planned.forMs } },
  ),
  lanes: [
    {
      lane: 'acks1',
      acks: 1,
      totals: { sent: 3, acknowledged: 3, failed: 0, unknown: 0, read: 2 },
      counts,
      timeline: { t0, binMs: 1_000, bins: [{ ok: 2, failed: 0, unknown: 0 }, { ok: 1, failed: 0, unknown: 0 }], lost: [], duplicated: [] },
      points: [{ anomaly: 'lost', id: 'r-2', key: 'order-1', sendStart: t0 + 4_000, sendEnd: t0 + 4_010, links: [{ fault: 'f2', relation: 'before' }] }],
      attribution: [{ anomaly: 'lost', count: 1, placed: 1, byFault: [{ fault: 'f2', during: 0, after: 0, before: 1 }], unlinked: 0 }],
    },
  ],
  breaks: [{ lane: 'acks1', claim: 'noAcknowledgedLoss', anomaly: 'lost', count: 1 }],
  aborted: false,
}
const report: ExploreReport = { seed: 2604, configs: ['acks1'], startedAt: t0, endedAt: t0 + 30_000, rounds: [round], findings: [{ lane: 'acks1', claim: 'noAcknowledgedLoss', anomaly: 'lost', round: 0, count: 1, rounds: [{ round: 0, count: 1 }] }], aborted: false }

describe('explore: the run timeline', () => {
  test('a fault row per planned fault (a bar when applied, "skipped" when not), a band per lane, a mark per anomalous record naming its faults', () => {
    const html = exploreHtml(report, new Map([[report.findings[0] as NonNullable<(typeof report.findings)[0]>, 'reports/explore/r.json']]))
    expect(html.match(/fill="#f3c26b"/g)).toHaveLength(schedule.faults.length - 1)
    expect(html).toContain('f3 skipped')
    expect(html).toContain('lost: r-2 (key order-1); linked to f2 (before)')
    expect(html).toContain('npm run explore -- --replay reports/explore/r.json')
    expect(html).toContain('lost 1: f2: 1 acknowledged just before it')
  })
})

describe('explore: the findings say which round the shrink started from', () => {
  test('every round that broke the claim, the strongest given up, the one shrunk from, the reruns of the budget', async () => {
    const rounds = [round, { ...round, schedule: { ...schedule, round: 1 } }]
    const f1 = schedule.faults[0]?.id
    const shrunk = await shrinkStrongest([{ round: 0, count: 1, schedule }, { round: 1, count: 9, schedule: rounds[1]?.schedule as typeof schedule }], async (s) => s.round === 0 && s.faults.some((f) => f.id === f1), { maxRuns: 30 })
    const finding = { lane: 'acks1', claim: 'noAcknowledgedLoss' as const, anomaly: 'lost' as const, round: 0, count: 1, rounds: [{ round: 0, count: 1 }, { round: 1, count: 9 }], shrunk }
    const text = findingsText({ ...report, rounds, findings: [finding] })
    expect(text).toContain('broken in 2 round(s), 10 record(s) in all: round 1 (1), round 2 (9)')
    expect(text).toContain('round 2 (9) given up: rerun whole, it kept the claim')
    expect(text).toMatch(/shrunk from round 1 \(lost 1, the strongest that reproduced\) in \d+ of at most 30 reruns, 1 of them checks of a whole round: \d+ faults to 1 \(no fault can be removed\)/)
    expect(exploreHtml({ ...report, rounds, findings: [finding] })).toContain('round 2 (9) given up')
  })
})
