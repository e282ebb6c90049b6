/**
 * The run's timeline as HTML (SVG drawn here, no script): per round, one row per fault window
 * (what it was, the node it hit), one band per lane with its sends over time (acknowledged,
 * failed, unknown), its anomalous records marked at their send, each mark's tooltip naming the
 * fault windows it is linked to; then each lane's attribution, the findings with their minimal
 * schedules, and the replay commands. Pure: data in, text out.
 */
import { describeAttribution } from './attribute.js'
import type { ExploreReport, Finding } from './explore.js'
import type { RoundResult } from './run.js'
import { describePlanned } from './schedule.js'

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
const MARK: Record<string, string> = { lost: '#d64545', duplicated: '#8e44ad', outOfSendOrder: '#e67e22', overwritten: '#7f4f24' }
/** Marks of an overwritten record (also lost) and of an out-of-order one go on a second row, below lost and duplicated. */
const MARK_ROW: Record<string, number> = { lost: 0, duplicated: 0, outOfSendOrder: 10, overwritten: 10 }

/** One round's picture: fault rows, then a band per lane. */
export function roundSvg(r: RoundResult): string {
  const from = Math.min(r.t0, ...r.lanes.map((l) => l.timeline.t0))
  const to = Math.max(r.endedAt, from + 1)
  const W = 1000
  const L = 170
  const x = (t: number) => (L + ((t - from) / (to - from)) * (W - L - 10)).toFixed(1)
  const rows: string[] = []
  let y = 20
  rows.push(`<text x="${L}" y="12">0 s</text><text x="${W - 60}" y="12">${((to - from) / 1000).toFixed(0)} s</text>`)
  for (const f of r.faults) {
    const w = f.window
    const text = esc(f.skipped ? `${f.planned.id} skipped` : `${f.planned.id} ${f.planned.kind} ${f.planned.role}${f.node === undefined ? '' : ` (node ${f.node})`}`)
    rows.push(`<text x="4" y="${y + 11}">${text}</text>`)
    if (w) rows.push(`<rect x="${x(w.appliedAt)}" y="${y}" width="${Math.max(2, Number(x(w.healedAt ?? w.appliedAt)) - Number(x(w.appliedAt))).toFixed(1)}" height="14" fill="#f3c26b"><title>${esc(`${w.description}${f.skipped ? `; ${f.skipped}` : ''}`)}</title></rect>`)
    y += 18
  }
  for (const lane of r.lanes) {
    y += 8
    const band = 40
    const tl = lane.timeline
    const max = Math.max(1, ...tl.bins.map((b) => b.ok + b.failed + b.unknown))
    rows.push(`<text x="4" y="${y + 24}">${esc(lane.lane)}</text>`)
    tl.bins.forEach((b, i) => {
      const bx = Number(x(tl.t0 + i * tl.binMs))
      const bw = Math.max(1, Number(x(tl.t0 + (i + 1) * tl.binMs)) - bx)
      let top = y + band
      for (const [k, colour] of [['ok', '#3a9d4a'], ['unknown', '#b8b8b8'], ['failed', '#d64545']] as const) {
        const h = (b[k] / max) * band
        if (h > 0) rows.push(`<rect x="${bx.toFixed(1)}" y="${(top - h).toFixed(1)}" width="${bw.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"/>`)
        top -= h
      }
    })
    for (const p of lane.points) {
      const links = p.links.map((l) => `${l.fault} (${l.relation})`).join(', ') || 'no fault'
      rows.push(`<path d="M${x(p.sendEnd)} ${y + band + 2 + (MARK_ROW[p.anomaly] ?? 0)} l-4 8 h8 z" fill="${MARK[p.anomaly]}" opacity="0.7"><title>${esc(`${p.anomaly}: ${p.id} (key ${p.key}); linked to ${links}`)}</title></path>`)
    }
    y += band + 22
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y + 10}" viewBox="0 0 ${W} ${y + 10}" font-family="system-ui,sans-serif" font-size="11">${rows.join('')}</svg>`
}

/** The replay command of a minimal schedule written to `file`. */
export function replayCommand(file: string): string {
  return `npm run explore -- --replay ${file}`
}

/**
 * What the shrink of a finding did, a sentence a line: the rounds that broke the claim, the one it
 * started from and those given up, its reruns and how it ended. Minimal schedule's faults not included.
 */
export function shrinkLines(f: Finding): string[] {
  const total = f.rounds.reduce((t, r) => t + r.count, 0)
  const lines = [`broken in ${f.rounds.length} round(s), ${total} record(s) in all: ${f.rounds.map((r) => `round ${r.round + 1} (${r.count})`).join(', ')}`]
  const s = f.shrunk
  if (!s) return lines
  for (const a of s.abandoned) lines.push(`round ${a.round + 1} (${a.count}) given up: rerun whole, it kept the claim`)
  const checks = s.steps.filter((x) => x.phase === 'check').length
  const ran = `${s.steps.length} of at most ${s.maxRuns} reruns${checks ? `, ${checks} of them checks of a whole round` : ''}`
  if (s.notReproduced) lines.push(`not shrunk: no rerun broke the claim again (${ran}); the strongest round, ${s.origin.round + 1}, stands as the schedule`)
  else lines.push(`shrunk from round ${s.origin.round + 1} (${f.anomaly} ${s.origin.count}, the strongest that reproduced) in ${ran}: ${s.from.faults.length} faults to ${s.minimal.faults.length}${s.oneMinimal ? ' (no fault can be removed)' : ' (run budget spent before ddmin finished)'}`)
  return lines
}

function findingHtml(f: Finding, replayFile?: string): string {
  const s = f.shrunk
  return `<li><b>${esc(f.lane)}</b> broke <b>${esc(f.claim)}</b> (${esc(f.anomaly)} ${f.count}, round ${f.round + 1})${f.ruledOut ? ` <i>ruled out by its options: ${esc(f.ruledOut)}</i>` : ''}<br>${shrinkLines(f).map(esc).join('<br>')}${
    s && !s.notReproduced ? `<ul>${s.minimal.faults.map((p) => `<li>${esc(describePlanned(p))}</li>`).join('')}</ul>` : ''
  }${f.reproduced ? `reproduced ${f.reproduced.times}/${f.reproduced.of}` : ''}${replayFile ? `<br><code>${esc(replayCommand(replayFile))}</code>` : ''}</li>`
}

/** The section of the run: every round's picture and attributions, and the findings. Embeddable in another page. */
export function exploreSection(r: ExploreReport, replayFiles: ReadonlyMap<Finding, string> = new Map()): string {
  const rounds = r.rounds
    .map(
      (round) => `<h3>Round ${round.schedule.round + 1}: ${round.schedule.faults.length} faults over ${(round.schedule.durationMs / 1000).toFixed(0)} s${round.aborted ? ' (stopped early)' : ''}</h3>
${roundSvg(round)}
<ul>${round.lanes.map((l) => `<li>${esc(l.lane)}: sent ${l.totals.sent}, acknowledged ${l.totals.acknowledged}; ${l.attribution.map((a) => esc(describeAttribution(a))).join('; ') || 'no anomaly'}${l.unreconciled ? ` <b>${esc(l.unreconciled)}</b>` : ''}</li>`).join('')}</ul>`,
    )
    .join('\n')
  return `<section id="explore-${r.seed}"><h2>Exploration, seed ${r.seed}${r.aborted ? ' (stopped by Ctrl-C)' : ''}</h2>
<p>Lanes: ${esc(r.configs.join(', '))}. Yellow: fault in force; bands: sends per time bin (green acknowledged, grey unknown, red failed); marks: anomalous records at their send (red lost, purple duplicated, orange out of send order, brown overwritten); hover for the faults they are linked to.</p>
<h3>Findings</h3><ul>${r.findings.map((f) => findingHtml(f, replayFiles.get(f))).join('') || '<li>every claim kept</li>'}</ul>
${rounds}</section>`
}

/** A page of its own for the exploration. */
export function exploreHtml(r: ExploreReport, replayFiles?: ReadonlyMap<Finding, string>): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Exploration, seed ${r.seed}</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1100px}code{background:#f4f4f4;padding:1px 4px}</style></head><body>
${exploreSection(r, replayFiles)}
</body></html>`
}
