/** Verdicts as text: one line per class, one line per example. */
import { DEFINITIONS, VIOLATIONS, type AnomalyName } from './definitions.js'
import type { Anomalies, Position, SendRef, StoredRef, Verdict } from './types.js'

const at = (p: Position): string => `p${p.partition}@${p.offset}`
const where = (ps: readonly Position[]): string => (ps.length === 0 ? 'nowhere' : `at ${ps.map(at).join(', ')}`)
const holding = (h: StoredRef | null): string => (h === null ? 'nothing' : `id=${h.id ?? '(none)'}`)

function seconds(t: number, origin: number): string {
  const s = (t - origin) / 1000
  return `${s < 0 ? '-' : '+'}${Math.abs(s).toFixed(3)}s`
}

function send(r: SendRef, origin: number): string {
  const seq = r.seq === undefined ? '' : ` seq=${r.seq}`
  const ack = r.ack === null ? '' : ` ack ${at(r.ack)}`
  const reason = r.reason === undefined ? '' : ` (${r.reason})`
  return `id=${r.id} key=${r.key}${seq} ${r.outcome}${ack}${reason} sent ${seconds(r.sendStart, origin)}..${seconds(r.sendEnd, origin)}`
}

type Renderers = { [K in AnomalyName]: (e: Anomalies[K]['evidence'][number], origin: number) => string }

const RENDER: Renderers = {
  lost: (e, o) => `${send(e, o)}; that position holds ${holding(e.holder)}`,
  duplicated: (e, o) => `${send(e, o)}; ${where(e.positions)}`,
  overwritten: (e, o) => `${send(e, o)}; ${at(e.ack)} holds ${holding(e.holder)}; id now ${where(e.nowAt)}`,
  reordered: (e, o) =>
    `key=${e.key} p${e.partition}: id=${e.ackedFirst.id} acknowledged ${seconds(e.ackedFirst.sendEnd, o)} read at @${e.ackedFirst.readAt}` +
    `, after id=${e.readFirst.id} sent ${seconds(e.readFirst.sendStart, o)} read at @${e.readFirst.readAt}`,
  phantom: (e) => `${at(e)} id=${e.id ?? '(none)'} key=${e.key ?? '(none)'}`,
  keySplit: (e) => `key=${e.key} in ${e.partitions.map((p) => `p${p.partition} (${p.records})`).join(', ')}`,
  failedButWritten: (e, o) => `${send(e, o)}; ${where(e.positions)}`,
  unknownWritten: (e, o) => `${send(e, o)}; ${where(e.positions)}`,
  unknownAbsent: (e, o) => send(e, o),
}

/** The examples of one class, one per line, with a "showing k of n" line when capped. */
export function describeEvidence<K extends AnomalyName>(verdict: Verdict, name: K, indent = '  '): string[] {
  const cls = verdict.anomalies[name]
  const render = RENDER[name] as (e: unknown, origin: number) => string
  const lines = cls.evidence.map((e) => indent + render(e, verdict.startedAt))
  if (cls.evidence.length < cls.count) lines.push(`${indent}(showing ${cls.evidence.length} of ${cls.count})`)
  return lines
}

const ORDER: readonly AnomalyName[] = [...VIOLATIONS, 'keySplit', 'failedButWritten', 'unknownWritten', 'unknownAbsent']

/** A readable multi-line summary of a verdict. */
export function describeVerdict(v: Verdict): string {
  const t = v.totals
  const head = v.ok ? 'OK' : `NOT OK (violations: ${v.violations.join(', ')})`
  const lines = [
    `verdict for topic ${v.topic ?? '(unnamed)'}: ${head}`,
    `  sent ${t.sent}, acknowledged ${t.acknowledged}, failed ${t.failed}, unknown ${t.unknown}, read ${t.read}`,
  ]
  for (const name of ORDER) {
    const cls = v.anomalies[name]
    const extra =
      name === 'duplicated' ? ` (${v.anomalies.duplicated.ids} ids)` :
      name === 'overwritten' && cls.count > 0
        ? ` (also lost ${v.anomalies.overwritten.alsoLost}, moved ${v.anomalies.overwritten.moved}; reused ${v.anomalies.overwritten.reused}, vacant ${v.anomalies.overwritten.vacant})`
        : ''
    lines.push(`  ${name.padEnd(17)} ${String(cls.count).padStart(7)}${extra}  ${DEFINITIONS[name]}`)
    lines.push(...describeEvidence(v, name, '      '))
  }
  return lines.join('\n')
}
