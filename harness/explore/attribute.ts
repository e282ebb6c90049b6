/**
 * Anomalies attributed to faults: each anomalous record (lost, duplicated, out of send order,
 * overwritten) placed on the run's timeline by its send, and linked to the fault windows it fell
 * in (sent while the fault was in force), follows (sent soon after it healed: a retry, a resend)
 * or precedes (acknowledged shortly before the fault struck: a fault that can undo an
 * acknowledgement, such as the loss of a leader whose followers had not fetched it yet).
 * Pure: (verdict, windows) in, data out.
 */
import type { Verdict } from '../reconcile/index.js'

/** How close before a fault an acknowledgement, or after a heal a send, is still linked to it: replica.lag.time.max.ms of the cluster. */
export const LINK_HORIZON_MS = 5_000

export type Relation = 'during' | 'after' | 'before'
export const ATTRIBUTED = ['lost', 'duplicated', 'outOfSendOrder', 'overwritten'] as const
export type AttributedAnomaly = (typeof ATTRIBUTED)[number]

/** A fault's window on the timeline, by its planned id. */
export interface WindowRef {
  id: string
  appliedAt: number
  healedAt: number
}

/** One anomalous record on the timeline. */
export interface AnomalyPoint {
  anomaly: AttributedAnomaly
  id: string
  key: string
  sendStart: number
  sendEnd: number
  links: { fault: string; relation: Relation }[]
}

/** Per anomaly class of a lane: how many records, and per fault how many of them link to it (and how). */
export interface Attribution {
  anomaly: AttributedAnomaly
  count: number
  /** Placed records (the verdict keeps up to its evidence limit). */
  placed: number
  byFault: { fault: string; during: number; after: number; before: number }[]
  /** Placed records linked to no fault window. */
  unlinked: number
}

export function linksOf(sendStart: number, sendEnd: number, windows: readonly WindowRef[], horizonMs = LINK_HORIZON_MS): AnomalyPoint['links'] {
  const links: AnomalyPoint['links'] = []
  for (const w of windows) {
    if (sendStart <= w.healedAt && sendEnd >= w.appliedAt) links.push({ fault: w.id, relation: 'during' })
    else if (sendStart > w.healedAt && sendStart - w.healedAt <= horizonMs) links.push({ fault: w.id, relation: 'after' })
    else if (sendEnd < w.appliedAt && w.appliedAt - sendEnd <= horizonMs) links.push({ fault: w.id, relation: 'before' })
  }
  return links
}

/** Every attributed anomaly's records of a verdict, placed and linked. */
export function placeAnomalies(verdict: Verdict, windows: readonly WindowRef[]): AnomalyPoint[] {
  const a = verdict.anomalies
  const refs: { anomaly: AttributedAnomaly; r: { id: string; key: string; sendStart: number; sendEnd: number } }[] = [
    ...a.lost.evidence.map((r) => ({ anomaly: 'lost' as const, r })),
    ...a.duplicated.evidence.map((r) => ({ anomaly: 'duplicated' as const, r })),
    ...a.outOfSendOrder.evidence.map((e) => ({ anomaly: 'outOfSendOrder' as const, r: e.readFirst })),
    ...a.overwritten.evidence.map((r) => ({ anomaly: 'overwritten' as const, r })),
  ]
  return refs.map(({ anomaly, r }) => ({ anomaly, id: r.id, key: r.key, sendStart: r.sendStart, sendEnd: r.sendEnd, links: linksOf(r.sendStart, r.sendEnd, windows) }))
}

/** The placed records summed per anomaly class and fault. */
export function attribute(verdict: Verdict, points: readonly AnomalyPoint[]): Attribution[] {
  return ATTRIBUTED.filter((anomaly) => verdict.anomalies[anomaly].count > 0).map((anomaly) => {
    const mine = points.filter((p) => p.anomaly === anomaly)
    const byFault = new Map<string, { fault: string; during: number; after: number; before: number }>()
    for (const p of mine) {
      for (const l of p.links) {
        const row = byFault.get(l.fault) ?? { fault: l.fault, during: 0, after: 0, before: 0 }
        row[l.relation]++
        byFault.set(l.fault, row)
      }
    }
    return { anomaly, count: verdict.anomalies[anomaly].count, placed: mine.length, byFault: [...byFault.values()], unlinked: mine.filter((p) => p.links.length === 0).length }
  })
}

/** One line per attribution, e.g. "lost 42: f3 42 acknowledged before it; f2 12 during". */
export function describeAttribution(a: Attribution): string {
  const parts = a.byFault.map((f) =>
    [f.during ? `${f.during} sent during it` : '', f.after ? `${f.after} sent after it healed` : '', f.before ? `${f.before} acknowledged just before it` : ''].filter(Boolean).map((t) => `${f.fault}: ${t}`).join(', '),
  )
  return `${a.anomaly} ${a.count}${a.placed < a.count ? ` (${a.placed} placed)` : ''}: ${[...parts, ...(a.unlinked ? [`${a.unlinked} linked to no fault`] : [])].join('; ') || 'none placed'}`
}
