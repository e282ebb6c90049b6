/**
 * What an exploration leaves under reports/explore/: the report as JSON, its page (timeline,
 * attributions, findings), one replay file per finding (its minimal schedule and the lane's
 * config, self-contained), and the section the durability report embeds (harness/report's
 * `sections/`). Replay files are read back here too.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { ConfigError } from '../errors.js'
import { parseGateConfig, readConfigJson, inFile, type Claim, type GateConfig } from '../gate/config.js'
import { reportsDir } from '../report/index.js'
import { describeAttribution } from './attribute.js'
import type { ExploreReport, Finding } from './explore.js'
import { originsOf, strongestFirst } from './shrink.js'
import { describePlanned, parseSchedule, type Schedule } from './schedule.js'
import { exploreHtml, exploreSection, replayCommand, shrinkLines } from './timeline.js'

/** A replay file: a schedule and the configs of its lanes, as data. */
export interface Replay {
  schedule: Schedule
  configs: GateConfig[]
  /** The claim it was shrunk for. */
  target?: { lane: string; claim: Claim }
}

/** A config as a profile-format object parseGateConfig reads back to the same config. */
function configJson(c: GateConfig): unknown {
  return { name: c.name, ...(c.description ? { description: c.description } : {}), client: c.client, producer: c.producer, claims: c.claims }
}

export function replayJson(r: Replay): string {
  return JSON.stringify({ schedule: r.schedule, configs: r.configs.map(configJson), ...(r.target ? { target: r.target } : {}) }, null, 2)
}

export function parseReplay(raw: unknown, where: string): Replay {
  const o = raw as { schedule?: unknown; configs?: unknown; target?: Replay['target'] } | null
  if (!o || typeof o !== 'object' || !Array.isArray(o.configs) || o.configs.length === 0) throw new ConfigError(where, 'must be a replay file as explore writes it: { schedule, configs: [at least one config] }')
  const configs = o.configs.map((c, i) => inFile(`${where}: configs[${i}]`, () => parseGateConfig(c)))
  return { schedule: parseSchedule(o.schedule, `${where}: schedule`), configs, ...(o.target ? { target: o.target } : {}) }
}

export const loadReplay = (file: string): Replay => parseReplay(readConfigJson(file), file)

export interface WrittenExploration {
  json: string
  html: string
  replays: Map<Finding, string>
}

/** Writes the report, its page, the replay files and the durability report's section; returns the paths. */
export function writeExploration(r: ExploreReport, configs: readonly GateConfig[], dir = join(reportsDir(), 'explore')): WrittenExploration {
  mkdirSync(dir, { recursive: true })
  const base = `seed-${r.seed}`
  const replays = new Map<Finding, string>()
  for (const f of r.findings) {
    const schedule = f.shrunk?.minimal ?? strongestFirst(originsOf(r.rounds, f.rounds))[0]?.schedule
    const config = configs.find((c) => c.name === f.lane)
    if (!schedule || !config) continue
    const file = join(dir, `${base}-${f.lane}-${f.claim}.replay.json`)
    writeFileSync(file, replayJson({ schedule, configs: [config], target: { lane: f.lane, claim: f.claim } }))
    replays.set(f, relative(process.cwd(), file))
  }
  const json = join(dir, `${base}.json`)
  const html = join(dir, `${base}.html`)
  writeFileSync(json, JSON.stringify(r, null, 2))
  writeFileSync(html, exploreHtml(r, replays))
  const sections = join(reportsDir(), 'sections')
  mkdirSync(sections, { recursive: true })
  writeFileSync(join(sections, `explore-${base}.html`), exploreSection(r, replays))
  return { json, html, replays }
}

/** The findings as text: each broken claim, its attribution, its minimal schedule (JSON and replay command) and its reproduction rate. */
export function findingsText(r: ExploreReport, replays: ReadonlyMap<Finding, string> = new Map()): string {
  if (r.findings.length === 0) return `seed ${r.seed}: every claim kept over ${r.rounds.length} round(s)${r.aborted ? ' (stopped early)' : ''}`
  return r.findings
    .map((f) => {
      // The faults the records are linked to, in the round the shrink started from (else the first).
      const at = f.shrunk?.origin.round ?? f.round
      const att = r.rounds[at]?.lanes.find((l) => l.lane === f.lane)?.attribution.map(describeAttribution) ?? []
      const s = f.shrunk
      const lines = [
        `${f.lane} broke ${f.claim}: ${f.anomaly} ${f.count} in round ${f.round + 1}`,
        ...(f.ruledOut ? [`  (its options already rule this claim out: ${f.ruledOut})`] : []),
        ...att.map((a) => `  attributed (round ${at + 1}): ${a}`),
        ...shrinkLines(f).map((l) => `  ${l}`),
        ...(s && !s.notReproduced ? [...s.minimal.faults.map((p) => `    ${describePlanned(p)}`), `  minimal schedule: ${JSON.stringify(s.minimal)}`] : []),
        ...(f.reproduced ? [`  reproduced ${f.reproduced.times}/${f.reproduced.of}`] : []),
        ...(replays.get(f) ? [`  replay: ${replayCommand(replays.get(f) as string)}`] : []),
      ]
      return lines.join('\n')
    })
    .join('\n')
}
