/**
 * The migration check: one config gated on several clients side by side,
 * `npm run gate -- --compare kafkajs,confluent config.json`.
 *
 * Each client gets the config as written, under the name `<name>@<client>`, and gates it on that
 * client: the client's own production defaults fill what the config leaves out, its adapter
 * refuses by field what the client cannot honour (that client's column says REFUSED and why), and
 * its known contradictions rule claims out. Every client's lane runs under the same faults, in
 * the same battery run.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import { adapterFor, type ClientName } from '../clients/registry.js'
import { ConfigError } from '../errors.js'
import { alignedLines } from '../report/text.js'
import { CLAIMS, inFile, parseGateConfig, readConfigJson, type GateConfig } from './config.js'
import { cell } from './table.js'
import type { ConfigVerdict } from './verdict.js'

/** One config on one client: gated, or refused by the client's adapter (the field and why). */
export interface ComparedLane {
  /** The config's own name. */
  base: string
  /** The config as its file has it (JSON). */
  raw: object
  client: ClientName
  config?: GateConfig
  refused?: string
}

/** The clients of `--compare a,b`: known names (a ConfigError with the closest name otherwise), each once, at least two. */
export function parseClientList(text: string | undefined): ClientName[] {
  const names = (text ?? '').split(',').map((n) => n.trim()).filter(Boolean)
  if (names.length < 2) throw new ConfigError('--compare', 'takes two or more clients, comma-separated, e.g. --compare kafkajs,confluent', text ?? null)
  const clients = names.map((n) => adapterFor(n, '--compare').name as ClientName)
  const repeated = clients.find((c, i) => clients.indexOf(c) !== i)
  if (repeated) throw new ConfigError('--compare', `names ${repeated} twice: name each client once`, text)
  return clients
}

/** The config (parsed JSON) on each client; its `client` field, if any, is replaced. */
export function onClients(raw: unknown, clients: readonly ClientName[]): ComparedLane[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError('config', 'must be a JSON object')
  const base = String((raw as { name?: unknown }).name ?? '')
  return clients.map((client) => {
    try {
      return { base, raw, client, config: parseGateConfig({ ...raw, client, name: `${base}@${client}` }) }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      return { base, raw, client, refused: e.message }
    }
  })
}

/**
 * A config file on each client. A config invalid whatever the client (no name, no claims, a
 * misspelt field) is a ConfigError naming the file, as for a plain gate.
 */
export function loadCompared(file: string, clients: readonly ClientName[]): ComparedLane[] {
  const lanes = inFile(file, () => onClients(readConfigJson(file), clients))
  // invalid on every client for the same reason: the config's fault, not a client's
  const first = lanes[0]!
  if (lanes.every((l) => l.refused !== undefined && l.refused === first.refused)) inFile(file, () => parseGateConfig({ ...first.raw, client: first.client }))
  return lanes
}

/**
 * Writes each gated lane's config where the battery reads configs from (DURABILITY_CONFIG), as
 * the config file's JSON with its client and name set; returns the files.
 */
export function writeLaneConfigs(file: string, lanes: readonly ComparedLane[], dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  return lanes.flatMap((l) => {
    if (!l.config) return []
    const out = join(dir, `${basename(file, '.json')}@${l.client}.json`)
    writeFileSync(out, `${JSON.stringify({ ...l.raw, client: l.client, name: l.config.name }, null, 2)}\n`)
    return [out]
  })
}

/** Claims down, clients across, per config: where a migration keeps or loses a guarantee. */
export function compareTableText(lanes: readonly ComparedLane[], verdicts: readonly ConfigVerdict[]): string {
  const clients = [...new Set(lanes.map((l) => l.client))]
  const bases = [...new Set(lanes.map((l) => l.base))]
  const head = ['config', 'claim', ...clients]
  const rows = bases.flatMap((base) => {
    /** Per client, what `show` says of its verdict; REFUSED or NOT RUN where there is none. */
    const across = (show: (v: ConfigVerdict) => string) => clients.map((c) => {
      const lane = lanes.find((l) => l.base === base && l.client === c)
      if (lane?.refused !== undefined) return 'REFUSED'
      const v = verdicts.find((x) => x.config === lane?.config?.name)
      return v === undefined ? 'NOT RUN' : show(v)
    })
    return [
      [base, 'gate', ...across((v) => (v.passed ? 'PASS' : 'FAIL'))],
      ...CLAIMS.map((claim) => ['', claim, ...across((v) => cell(v.claims.find((x) => x.claim === claim)))]),
    ]
  })
  const refusals = lanes.filter((l) => l.refused !== undefined).map((l) => `${l.base}@${l.client} REFUSED: ${l.refused}`)
  return [...alignedLines(head, rows), ...(refusals.length ? ['', ...refusals] : [])].join('\n')
}
