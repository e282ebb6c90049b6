/** Verdicts as text: one line per class, one line per example. */
import { DEFINITIONS, VIOLATIONS, type AnomalyName } from './definitions.js'
import type { Anomalies, Position, SendOrderRef, SendRef, StoredRef, Verdict } from './types.js'

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

/** 1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st. */
function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13
  const suffix = teen ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'
  return `${n}${suffix}`
}

/** An order example's record: which of its key's records it was sent as, its call, outcome, send start, and where it is read. */
function sentAs(r: SendOrderRef, origin: number): string {
  const call = r.call === undefined ? '' : `call ${r.call}, `
  return `id=${r.id} sent ${ordinal(r.nthOfKey)} (${call}${r.outcome}, ${seconds(r.sendStart, origin)}) read at @${r.readAt}`
}

type Renderers = { [K in AnomalyName]: (e: Anomalies[K]['evidence'][number], origin: number) => string }

const RENDER: Renderers = {
  lost: (e, o) => `${send(e, o)}; that position holds ${holding(e.holder)}`,
  duplicated: (e, o) => `${send(e, o)}; ${where(e.positions)}`,
  overwritten: (e, o) => `${send(e, o)}; ${at(e.ack)} holds ${holding(e.holder)}; id now ${where(e.nowAt)}`,
  reordered: (e, o) =>
    `key=${e.key} p${e.partition}: id=${e.ackedFirst.id} acknowledged ${seconds(e.ackedFirst.sendEnd, o)} read at @${e.ackedFirst.readAt}` +
    `, after id=${e.readFirst.id} sent ${seconds(e.readFirst.sendStart, o)} read at @${e.readFirst.readAt}`,
  outOfSendOrder: (e, o) => `key=${e.key} p${e.partition}: ${sentAs(e.sentFirst, o)}, after ${sentAs(e.readFirst, o)}`,
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
