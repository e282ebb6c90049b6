/**
 * The command line of `kafka-durability`, parsed into a command (plain data) or a ConfigError
 * naming the bad argument and the fix (exit 2). Pure: no I/O, so tests/unit/cli.test.ts holds
 * every form to it.
 */
import { ConfigError } from '../errors.js'

export const AREAS = ['acks', 'idempotency', 'partitioning'] as const
export type Area = (typeof AREAS)[number]

export type Command =
  | { kind: 'help'; topic?: CommandName }
  | { kind: 'version' }
  | { kind: 'gate'; configs: string[]; compare?: string; scenarios?: string[]; verbose: boolean }
  | { kind: 'run'; areas: Area[] }
  | { kind: 'cluster-up'; nodes?: number }
  | { kind: 'report'; dir?: string; open: boolean }
  | { kind: 'doctor' }
  | { kind: 'explore'; args: string[] }

export type CommandName = 'gate' | 'run' | 'cluster' | 'report' | 'doctor' | 'explore'
const NAMES: readonly CommandName[] = ['gate', 'run', 'cluster', 'report', 'doctor', 'explore']

const EXIT_CODES = `exit codes: 0 kept (every claim held, every test passed), 1 broken (a claim broken or ruled out, a test failed),
            2 invalid input (a bad argument or config), 3 environment (a prerequisite missing, or the harness could not judge)`

export const HELP: Record<CommandName | 'main', string> = {
  main: `kafka-durability: fault-injection durability checks for Kafka producers, on a real 3-node KRaft cluster behind Toxiproxy

usage: kafka-durability <command> [options]

commands:
  gate <config.json...>        gate producer configs on the fault battery; prints progress and the verdict table
  run [acks|idempotency|partitioning|all]
                               run the suite's stories and assertions, and write the report (default: all)
  cluster up [--nodes N]       boot a cluster to explore by hand: prints its bootstrap and Toxiproxy API; Ctrl-C ends it
  report [dir]                 print the last durability report (default dir: ./reports, or REPORTS_DIR)
  explore --seed S --minutes M [--config a.json ...]
                               seeded random fault schedules over every config's lane, a broken claim shrunk to a
                               minimal replay (docs/exploration.md); explore --replay file.replay.json replays one
  doctor                       check the prerequisites (Node, Java, Maven or the cached Kafka, Go or the cached
                               Toxiproxy, perl, loopback ports), each with its fix

  kafka-durability <command> --help   more on one command;  --version   the package's version

${EXIT_CODES}`,
  gate: `usage: kafka-durability gate [--compare <client,client...>] [--scenarios <id,id...>] [--verbose] <config.json> [more.json ...]

Validates each config (a bad one stops here, exit 2, naming the field), prints the claims its own options
already rule out, boots a cluster and runs the fault battery with one lane per config, showing each
scenario as it starts and ends (scenario i of N, lanes, elapsed), then the verdict table (also in
reports/gate.md and, in GitHub Actions, the step summary).

  --compare a,b      gate each config on each named client side by side (lanes <name>@<client>)
  --scenarios a,b    only these scenarios of the battery, by id: leader-kill, replication-cut-kill, lost-answer,
                     connection-reset, producer-restart, power-loss-all (docs/adoption.md); the default is all of them
  --verbose          stream vitest's own output too (always kept in reports/gate-vitest.log)

${EXIT_CODES}`,
  run: `usage: kafka-durability run [acks|idempotency|partitioning|all]

Runs the stories of one area (or all three) with their assertions, vitest's output as it goes, on a
cluster booted for the run, and writes the durability report (reports/durability.md, .html, .json).

${EXIT_CODES}`,
  cluster: `usage: kafka-durability cluster up [--nodes N]

Boots a cluster (N nodes, default 3, each behind Toxiproxy) for exploring by hand and prints its
bootstrap servers and the Toxiproxy API. It lives until Ctrl-C (or SIGTERM, or until whatever started
it is gone) and leaves no process behind; its logs stay in the run folder it prints.

exit codes: 130 / 143 when Ctrl-C / SIGTERM ended it (128 + the signal), 2 invalid input, 3 environment (it could not start)`,
  report: `usage: kafka-durability report [dir] [--open]

Prints the last durability report (<dir>/durability.md; dir defaults to ./reports or REPORTS_DIR)
and where its HTML and JSON are; --open also opens the HTML with the desktop's opener (xdg-open, open).

exit codes: 0 printed, 2 invalid input, 3 no report there (run one first: kafka-durability run)`,
  explore: `usage: kafka-durability explore --seed S --minutes M [--config a.json ...] [--max-down N] [--repeat R] [--shrink-runs N] [--round-seconds S]
       kafka-durability explore --replay file.replay.json [--repeat R]

Runs every config (default: examples/configs/*.json, in a checkout) as a lane of a continuous keyed
workload on a cluster of its own, under a fault schedule drawn from the seed (the same seed, the
same schedule); reconciles each lane per round, attributes each anomaly to the fault windows it
falls in or follows, shrinks a broken claim's schedule to a minimal replay (JSON and a command) and
repeats it R times for its reproduction rate. Ctrl-C heals, reads back and reports what was found.
See docs/exploration.md.

exit codes: 0 every claim kept, 1 a claim broken, 2 invalid input, 3 the exploration could not run`,
  doctor: `usage: kafka-durability doctor

Checks what a native run needs, each with its fix: Node 20+, Java 17+, Kafka's jars cached (else
Maven to fetch them), Toxiproxy built (else Go to build it), perl (it tethers every process to its
owner), a run's worth of free ports on 127.0.0.1, the cache folder writable; and, for information, Podman or Docker (the
containers provider).

exit codes: 0 ready, 2 invalid input (an unknown option), 3 something is missing (each named with its fix)`,
}

const HELP_FLAGS = new Set(['--help', '-h'])

/** Splits `--name=value` and `--name value` (for the flags that take a value). */
function takeValue(args: string[], i: number, flag: string): [string, number] {
  const a = args[i] as string
  if (a.includes('=')) return [a.slice(a.indexOf('=') + 1), i]
  const v = args[i + 1]
  if (v === undefined || v.startsWith('--')) throw new ConfigError(flag, 'needs a value', v ?? '(nothing)')
  return [v, i + 1]
}

const list = (v: string, flag: string): string[] => {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean)
  if (items.length === 0) throw new ConfigError(flag, 'needs a comma-separated list', v)
  return items
}

function unknownFlag(command: string, a: string): never {
  throw new ConfigError(`${command} ${a}`, `is not an option of '${command}'; see kafka-durability ${command} --help`, a)
}

/** Parses the arguments after `kafka-durability` (a leading `--`, as npm passes it, is ignored). */
export function parseArgs(argv: readonly string[]): Command {
  const args = argv.filter((a, i) => !(a === '--' && i === 0))
  const [name, ...rest] = args
  if (name === undefined || HELP_FLAGS.has(name) || name === 'help') {
    const topic = rest[0]
    return topic !== undefined && (NAMES as readonly string[]).includes(topic) ? { kind: 'help', topic: topic as CommandName } : { kind: 'help' }
  }
  if (name === '--version' || name === '-v') return { kind: 'version' }
  if (!(NAMES as readonly string[]).includes(name)) {
    throw new ConfigError('command', `must be one of ${NAMES.join(', ')} (kafka-durability --help)`, name)
  }
  const command = name as CommandName
  if (rest.some((a) => HELP_FLAGS.has(a))) return { kind: 'help', topic: command }
  switch (command) {
    case 'gate':
      return parseGate(rest)
    case 'run': {
      const positional = rest
      const flag = positional.find((a) => a.startsWith('-'))
      if (flag !== undefined) unknownFlag('run', flag)
      if (positional.length > 1) throw new ConfigError('run', 'takes one area: acks, idempotency, partitioning or all', positional.join(' '))
      const area = positional[0] ?? 'all'
      if (area === 'all') return { kind: 'run', areas: [...AREAS] }
      if (!(AREAS as readonly string[]).includes(area)) throw new ConfigError('run <area>', `must be one of ${AREAS.join(', ')} or all`, area)
      return { kind: 'run', areas: [area as Area] }
    }
    case 'cluster': {
      const [sub, ...opts] = rest
      if (sub !== 'up') throw new ConfigError('cluster', "takes the subcommand 'up' (kafka-durability cluster up [--nodes N])", sub ?? '(nothing)')
      let nodes: number | undefined
      for (let i = 0; i < opts.length; i++) {
        const a = opts[i] as string
        if (a === '--nodes' || a.startsWith('--nodes=')) {
          const [v, next] = takeValue(opts, i, '--nodes')
          i = next
          nodes = Number(v)
          if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) throw new ConfigError('--nodes', 'must be an integer from 1 to 9', v)
        } else unknownFlag('cluster up', a)
      }
      return { kind: 'cluster-up', ...(nodes === undefined ? {} : { nodes }) }
    }
    case 'report': {
      const open = rest.includes('--open')
      const positional = rest.filter((a) => a !== '--open')
      const flag = positional.find((a) => a.startsWith('-'))
      if (flag !== undefined) unknownFlag('report', flag)
      if (positional.length > 1) throw new ConfigError('report', 'takes one folder', positional.join(' '))
      return { kind: 'report', open, ...(positional[0] === undefined ? {} : { dir: positional[0] }) }
    }
    case 'doctor':
      if (rest.length > 0) unknownFlag('doctor', rest[0] as string)
      return { kind: 'doctor' }
    case 'explore':
      // its own parser (harness/explore/command.ts) checks the options, naming a bad one
      return { kind: 'explore', args: rest }
  }
}

function parseGate(rest: string[]): Command {
  const configs: string[] = []
  let compare: string | undefined
  let scenarios: string[] | undefined
  let verbose = false
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string
    if (a === '--compare' || a.startsWith('--compare=')) {
      const [v, next] = takeValue(rest, i, '--compare')
      compare = v
      i = next
    } else if (a === '--scenarios' || a.startsWith('--scenarios=')) {
      const [v, next] = takeValue(rest, i, '--scenarios')
      scenarios = list(v, '--scenarios')
      i = next
    } else if (a === '--verbose') verbose = true
    else if (a.startsWith('-')) unknownFlag('gate', a)
    else configs.push(a)
  }
  if (configs.length === 0) throw new ConfigError('gate <config.json>', 'needs at least one producer config file (see docs/gate.md)', '(none)')
  return { kind: 'gate', configs, verbose, ...(compare === undefined ? {} : { compare }), ...(scenarios === undefined ? {} : { scenarios }) }
}
