/**
 * A fault schedule is data: which fault, aimed at which role (the lanes' leader, one of its
 * followers, the active KRaft controller), when (ms after the load is warm) and for how long. It
 * is drawn from a seed by a small PRNG of its own, so the same seed always gives the same schedule
 * (JSON round-trips it), and it obeys rules that keep the cluster recoverable: at most `maxDown`
 * nodes down at once (killed, shut down or paused), at most `maxAtOnce` faults in force at once,
 * never two of one kind at once, every fault healed before the schedule ends.
 *
 * Whether a drawn schedule breaks a claim may still vary with timing: that is why a shrunk
 * schedule is repeated and its reproduction rate reported (shrink.ts).
 */
import { ConfigError } from '../errors.js'
import { prng } from './prng.js'

/**
 * SIGKILL, SIGTERM and restart, SIGSTOP/SIGCONT a node; cut the replication path in front of the
 * leader (followers cannot fetch); cut, reset or drop the answers of the lanes' client line to the
 * leader; latency or a bandwidth limit on the leader's client or replication path.
 */
export const FAULT_KINDS = ['kill', 'stop', 'pause', 'cut-replication', 'cut-client', 'reset-peer', 'drop-answers', 'latency', 'bandwidth'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]
/** Kinds that take a node down (it stops serving and is fenced): counted against maxDown. */
export const NODE_DOWN: readonly FaultKind[] = ['kill', 'stop', 'pause']
export type Role = 'leader' | 'follower' | 'controller'
export const ROLES: readonly Role[] = ['leader', 'follower', 'controller']
export type ProxyPath = 'client' | 'replication'

export interface PlannedFault {
  /** Stable within its schedule: f1, f2, ... in draw order (kept by shrinking). */
  id: string
  kind: FaultKind
  /** Whom it hits, resolved to a node when it is applied. */
  role: Role
  /** latency / bandwidth: which of the node's paths. */
  path?: ProxyPath
  /** Applied this long after the load is warm. */
  atMs: number
  /** Healed this long after it was applied. */
  forMs: number
  latencyMs?: number
  rateKBps?: number
}

export interface ScheduleRules {
  /** Nodes down at once (kill, stop, pause), at most. */
  maxDown: number
  /** Faults in force at once, at most. */
  maxAtOnce: number
  /** No fault starts earlier than this. */
  leadMs: number
  /** Every fault is healed at least this long before the schedule ends. */
  tailMs: number
  /** Time between two faults' starts: [min, max] (drawn uniformly). */
  gapMs: [number, number]
  /** A fault's duration: [min, max] (drawn uniformly; shrinking may go below min, never below SHORTEST_MS). */
  forMs: [number, number]
  kinds: readonly FaultKind[]
}

export interface Schedule {
  /** The seed it was drawn from, and which round of that seed's exploration. */
  seed: number
  round: number
  durationMs: number
  rules: ScheduleRules
  faults: PlannedFault[]
}

/** The shortest window shrinking makes. */
export const SHORTEST_MS = 500

export const DEFAULT_RULES: ScheduleRules = {
  maxDown: 1,
  maxAtOnce: 2,
  leadMs: 2_000,
  tailMs: 1_000,
  gapMs: [2_000, 7_000],
  forMs: [1_500, 6_000],
  kinds: FAULT_KINDS,
}

/** The seed of round `round` of an exploration seeded `seed`. */
export function roundSeed(seed: number, round: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(round + 1, 0x85ebca6b)) >>> 0
}

const overlaps = (a: PlannedFault, b: PlannedFault): boolean => a.atMs < b.atMs + b.forMs && b.atMs < a.atMs + a.forMs

/** Each broken rule, as a sentence naming the fault; empty when the schedule obeys its rules. */
export function ruleViolations(s: Schedule): string[] {
  const r = s.rules
  const out: string[] = []
  const ids = new Set<string>()
  for (const f of s.faults) {
    if (ids.has(f.id)) out.push(`${f.id}: id used twice`)
    ids.add(f.id)
    if (!FAULT_KINDS.includes(f.kind)) out.push(`${f.id}: unknown kind '${f.kind}' (one of ${FAULT_KINDS.join(', ')})`)
    else if (!r.kinds.includes(f.kind)) out.push(`${f.id}: kind '${f.kind}' is not among the rules' kinds`)
    if (!ROLES.includes(f.role)) out.push(`${f.id}: unknown role '${f.role}' (one of ${ROLES.join(', ')})`)
    if (!(f.forMs >= SHORTEST_MS && f.forMs <= r.forMs[1])) out.push(`${f.id}: lasts ${f.forMs} ms, outside [${SHORTEST_MS}, ${r.forMs[1]}]`)
    if (f.atMs < r.leadMs) out.push(`${f.id}: starts at ${f.atMs} ms, before the lead of ${r.leadMs} ms`)
    if (f.atMs + f.forMs > s.durationMs - r.tailMs) out.push(`${f.id}: heals at ${f.atMs + f.forMs} ms, after ${s.durationMs - r.tailMs} ms (duration less tail)`)
    const during = s.faults.filter((g) => g !== f && g.atMs <= f.atMs && overlaps(f, g))
    if (during.length + 1 > r.maxAtOnce) out.push(`${f.id}: ${during.length + 1} faults in force at once (at most ${r.maxAtOnce})`)
    if (NODE_DOWN.includes(f.kind) && during.filter((g) => NODE_DOWN.includes(g.kind)).length + 1 > r.maxDown) out.push(`${f.id}: more than ${r.maxDown} node(s) down at once`)
    const same = during.find((g) => g.kind === f.kind)
    if (same) out.push(`${f.id}: overlaps ${same.id}, of the same kind '${f.kind}'`)
  }
  return out
}

const pick = <T>(rnd: () => number, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
const between = (rnd: () => number, [lo, hi]: readonly [number, number], step = 100): number => lo + Math.round((rnd() * (hi - lo)) / step) * step

/** One fault of `kind` at `atMs`, its role, path and strength drawn. */
function drawFault(rnd: () => number, id: string, kind: FaultKind, atMs: number, rules: ScheduleRules): PlannedFault {
  const forMs = between(rnd, rules.forMs)
  const f: PlannedFault = { id, kind, role: 'leader', atMs, forMs }
  // Node faults hit any role; the network faults sit in front of the lanes' leader, where the lanes' traffic is.
  if (NODE_DOWN.includes(kind)) f.role = pick(rnd, ['leader', 'leader', 'follower', 'controller'] as const)
  if (kind === 'latency') Object.assign(f, { path: pick(rnd, ['client', 'replication'] as const), latencyMs: between(rnd, [200, 2_000]) })
  if (kind === 'bandwidth') Object.assign(f, { path: pick(rnd, ['client', 'replication'] as const), rateKBps: between(rnd, [4, 64], 4) })
  return f
}

/**
 * Draws a schedule of `durationMs` from `seed`: faults spaced by a drawn gap, each of a drawn
 * kind, role and duration; a fault the rules would refuse at its slot (too many at once, a second
 * node down, two of a kind) is drawn again as another kind, up to 8 times, else the slot stays empty.
 */
export function drawSchedule(seed: number, durationMs: number, rules: ScheduleRules = DEFAULT_RULES, round = 0): Schedule {
  checkRules(rules, durationMs)
  const rnd = prng(roundSeed(seed, round))
  const s: Schedule = { seed, round, durationMs, rules, faults: [] }
  let at = rules.leadMs
  let n = 0
  for (;;) {
    if (at + rules.forMs[0] > durationMs - rules.tailMs) break
    for (let attempt = 0; attempt < 8; attempt++) {
      const f = drawFault(rnd, `f${n + 1}`, pick(rnd, rules.kinds), at, rules)
      f.forMs = Math.min(f.forMs, durationMs - rules.tailMs - at)
      if (f.forMs < rules.forMs[0]) break
      if (ruleViolations({ ...s, faults: [...s.faults, f] }).length === 0) {
        s.faults.push(f)
        n++
        break
      }
    }
    at += between(rnd, rules.gapMs)
  }
  return s
}

/** The rules themselves must allow a schedule: fails with a ConfigError naming the field. */
export function checkRules(r: ScheduleRules, durationMs: number): void {
  const int = (v: number, field: string, min: number) => {
    if (!(Number.isInteger(v) && v >= min)) throw new ConfigError(field, `must be an integer >= ${min}`, v)
  }
  int(durationMs, 'duration (ms)', 1_000)
  int(r.maxDown, 'maxDown', 0)
  int(r.maxAtOnce, 'maxAtOnce', 1)
  for (const [field, [lo, hi]] of [['gapMs', r.gapMs], ['forMs', r.forMs]] as const) {
    int(lo, `${field}[0]`, 100)
    int(hi, `${field}[1]`, lo)
  }
  if (r.kinds.length === 0) throw new ConfigError('kinds', `must name at least one of ${FAULT_KINDS.join(', ')}`, r.kinds)
  for (const k of r.kinds) if (!FAULT_KINDS.includes(k)) throw new ConfigError('kinds', `each must be one of ${FAULT_KINDS.join(', ')}`, k)
}

/** One line for a planned fault, e.g. "f3 @12.4s for 3.0s: SIGKILL the leader". */
export function describePlanned(f: PlannedFault): string {
  const what: Record<FaultKind, string> = {
    kill: `SIGKILL the ${f.role}`,
    stop: `SIGTERM the ${f.role}, restart it`,
    pause: `SIGSTOP the ${f.role}, SIGCONT it`,
    'cut-replication': `cut the replication path of the ${f.role} (followers cannot fetch)`,
    'cut-client': `cut the lanes' client line to the ${f.role}`,
    'reset-peer': `reset the lanes' connections to the ${f.role}`,
    'drop-answers': `drop the ${f.role}'s answers to the lanes`,
    latency: `${f.latencyMs} ms latency on the ${f.role}'s ${f.path} path`,
    bandwidth: `${f.rateKBps} KB/s on the ${f.role}'s ${f.path} path`,
  }
  return `${f.id} @${(f.atMs / 1000).toFixed(1)}s for ${(f.forMs / 1000).toFixed(1)}s: ${what[f.kind]}`
}

/** A schedule read back from JSON (a replay file): its shape checked and its rules obeyed, or a ConfigError naming what is wrong. */
export function parseSchedule(raw: unknown, where = 'schedule'): Schedule {
  const o = raw as Partial<Schedule> | null
  if (!o || typeof o !== 'object' || !Array.isArray(o.faults) || typeof o.durationMs !== 'number' || !o.rules || typeof o.seed !== 'number') {
    throw new ConfigError(where, 'must be a schedule as explore writes it: { seed, round, durationMs, rules, faults: [...] } (see docs/exploration.md)', raw === null ? null : typeof raw)
  }
  const s: Schedule = { seed: o.seed, round: o.round ?? 0, durationMs: o.durationMs, rules: { ...DEFAULT_RULES, ...o.rules }, faults: o.faults }
  checkRules(s.rules, s.durationMs)
  const bad = ruleViolations(s)
  if (bad.length) throw new ConfigError(where, `breaks its rules: ${bad.join('; ')}; fix the fault or the rules`)
  return s
}
