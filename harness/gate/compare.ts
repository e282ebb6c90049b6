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
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return clients.map((client) => ({ base: '?', client, refused: 'the config is not a JSON object' }))
  const base = String((raw as { name?: unknown }).name ?? '')
  return clients.map((client) => {
    try {
      return { base, client, config: parseGateConfig({ ...raw, client, name: `${base}@${client}` }) }
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      return { base, client, refused: e.message }
    }
  })
}

/**
 * A config file on each client. A config invalid whatever the client (no name, no claims, a
 * misspelt field) is a ConfigError naming the file, as for a plain gate.
 */
export function loadCompared(file: string, clients: readonly ClientName[]): ComparedLane[] {
  const raw = readConfigJson(file)
  const lanes = onClients(raw, clients)
  // invalid on every client for the same reason: the config's fault, not a client's
  if (lanes.every((l) => l.refused !== undefined && l.refused === lanes[0]!.refused)) inFile(file, () => parseGateConfig({ ...(raw as object), client: clients[0] }))
  return lanes
}

/**
 * Writes each gated lane's config where the battery reads configs from (DURABILITY_CONFIG), as
 * the config file's JSON with its client and name set; returns the files.
 */
export function writeLaneConfigs(file: string, lanes: readonly ComparedLane[], dir: string): string[] {
  mkdirSync(dir, { recursive: true })
  const raw = readConfigJson(file) as object
  return lanes.flatMap((l) => {
    if (!l.config) return []
    const out = join(dir, `${basename(file, '.json')}@${l.client}.json`)
    writeFileSync(out, `${JSON.stringify({ ...raw, client: l.client, name: l.config.name }, null, 2)}\n`)
    return [out]
  })
}

/** Claims down, clients across, per config: where a migration keeps or loses a guarantee. */
export function compareTableText(lanes: readonly ComparedLane[], verdicts: readonly ConfigVerdict[]): string {
  const clients = [...new Set(lanes.map((l) => l.client))]
  const bases = [...new Set(lanes.map((l) => l.base))]
  const head = ['config', 'claim', ...clients]
  const rows = bases.flatMap((base) => {
    const of = (client: ClientName) => lanes.find((l) => l.base === base && l.client === client)
    const gate = ['', 'gate', ...clients.map((c) => {
      const lane = of(c)
      if (lane?.refused !== undefined) return 'REFUSED'
      const v = verdicts.find((x) => x.config === lane?.config?.name)
      return v === undefined ? 'NOT RUN' : v.passed ? 'PASS' : 'FAIL'
    })]
    const claims = CLAIMS.map((claim) => ['', claim, ...clients.map((c) => {
      const lane = of(c)
      if (lane?.refused !== undefined) return 'REFUSED'
      const v = verdicts.find((x) => x.config === lane?.config?.name)
      return v === undefined ? 'NOT RUN' : cell(v.claims.find((x) => x.claim === claim))
    })])
    return [[base, ...gate.slice(1)], ...claims]
  })
  const refusals = lanes.filter((l) => l.refused !== undefined).map((l) => `${l.base}@${l.client} REFUSED: ${l.refused}`)
  return [...alignedLines(head, rows), ...(refusals.length ? ['', ...refusals] : [])].join('\n')
}
