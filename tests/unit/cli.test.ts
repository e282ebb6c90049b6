import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, test } from 'vitest'
import { HELP, parseArgs } from '../../harness/cli/args.js'
import { EXIT, exitCodeOf, gateExitCode, vitestExitCode } from '../../harness/cli/exit.js'
import { ConfigError, RuntimeRequirementError, WaitTimeoutError } from '../../harness/errors.js'
import { follow } from '../../harness/cli/suite.js'
import { BATTERY, scenariosNamed } from '../../harness/gate/battery.js'
import { PACKAGE_ROOT, publicEntries } from '../../harness/runtime/package.js'
import { durabilityProject, PRESET_FILES } from '../../harness/vitest/preset.js'

/** The ConfigError a bad command line gives: its field and rule (what the user reads, exit 2). */
const refused = (argv: string[]) => {
  try {
    parseArgs(argv)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as ConfigError).message
  }
  throw new Error(`parsed: ${argv.join(' ')}`)
}

describe('kafka-durability: the command line', () => {
  test('gate: configs, --compare and --scenarios in either form, --verbose; npm\'s leading -- ignored', () => {
    expect(parseArgs(['gate', 'a.json', 'b.json'])).toEqual({ kind: 'gate', configs: ['a.json', 'b.json'], verbose: false })
    expect(parseArgs(['--', 'gate', '--compare', 'kafkajs,java', 'a.json'])).toEqual({ kind: 'gate', configs: ['a.json'], compare: 'kafkajs,java', verbose: false })
    expect(parseArgs(['gate', '--scenarios=leader-kill, lost-answer', '--verbose', 'a.json'])).toEqual({ kind: 'gate', configs: ['a.json'], scenarios: ['leader-kill', 'lost-answer'], verbose: true })
  })

  test('run: one area or all (the default)', () => {
    expect(parseArgs(['run'])).toEqual({ kind: 'run', areas: ['acks', 'idempotency', 'partitioning'] })
    expect(parseArgs(['run', 'all'])).toEqual(parseArgs(['run']))
    expect(parseArgs(['run', 'idempotency'])).toEqual({ kind: 'run', areas: ['idempotency'] })
  })

  test('cluster up, report, doctor, --version', () => {
    expect(parseArgs(['cluster', 'up'])).toEqual({ kind: 'cluster-up' })
    expect(parseArgs(['cluster', 'up', '--nodes', '1'])).toEqual({ kind: 'cluster-up', nodes: 1 })
    expect(parseArgs(['cluster', 'up', '--nodes=5'])).toEqual({ kind: 'cluster-up', nodes: 5 })
    expect(parseArgs(['report'])).toEqual({ kind: 'report', open: false })
    expect(parseArgs(['report', 'out', '--open'])).toEqual({ kind: 'report', dir: 'out', open: true })
    expect(parseArgs(['doctor'])).toEqual({ kind: 'doctor' })
    expect(parseArgs(['explore', '--seed', '7', '--minutes', '2'])).toEqual({ kind: 'explore', args: ['--seed', '7', '--minutes', '2'] })
    expect(parseArgs(['--version'])).toEqual({ kind: 'version' })
  })

  test('explore refuses a bad option with exit 2 before it starts anything', async () => {
    const { cli } = await import('../../harness/cli/cli.js')
    expect(await cli(['explore', '--seed', '7', '--frobnicate', '1'])).toBe(EXIT.invalidInput)
    expect(await cli(['explore', '--minutes', '1'])).toBe(EXIT.invalidInput)
  })

  test('--help on the program and on each command, whatever else is given', () => {
    expect(parseArgs([])).toEqual({ kind: 'help' })
    expect(parseArgs(['--help'])).toEqual({ kind: 'help' })
    expect(parseArgs(['help', 'gate'])).toEqual({ kind: 'help', topic: 'gate' })
    for (const topic of ['gate', 'run', 'cluster', 'report', 'doctor', 'explore'] as const) {
      expect(parseArgs([topic, '--help'])).toEqual({ kind: 'help', topic })
      expect(HELP[topic]).toMatch(new RegExp(`^usage: kafka-durability ${topic}`))
      expect(HELP[topic]).toMatch(/exit codes: .*2 invalid input/s)
    }
    expect(parseArgs(['gate', 'a.json', '-h'])).toEqual({ kind: 'help', topic: 'gate' })
  })

  test('bad input is a ConfigError naming the argument and the fix (exit 2)', () => {
    expect(refused(['deploy'])).toMatch(/^command: must be one of gate, run, cluster, report, doctor, explore .*got "deploy"/)
    expect(refused(['gate'])).toMatch(/^gate <config.json>: needs at least one producer config file/)
    expect(refused(['gate', '--compare'])).toMatch(/^--compare: needs a value/)
    expect(refused(['gate', '--scenarios', ',', 'a.json'])).toMatch(/^--scenarios: needs a comma-separated list/)
    expect(refused(['gate', '--fast', 'a.json'])).toMatch(/^gate --fast: is not an option of 'gate'; see kafka-durability gate --help/)
    expect(refused(['run', 'acks', 'idempotency'])).toMatch(/^run: takes one area/)
    expect(refused(['run', 'durability'])).toMatch(/^run <area>: must be one of acks, idempotency, partitioning or all/)
    expect(refused(['cluster'])).toMatch(/^cluster: takes the subcommand 'up'/)
    expect(refused(['cluster', 'up', '--nodes', 'three'])).toMatch(/^--nodes: must be an integer from 1 to 9 .*got "three"/)
    expect(refused(['cluster', 'up', '--nodes', '0'])).toMatch(/^--nodes: must be an integer/)
    expect(refused(['report', 'a', 'b'])).toMatch(/^report: takes one folder/)
    expect(refused(['doctor', '--fix'])).toMatch(/^doctor --fix: is not an option of 'doctor'/)
  })

  test('--scenarios names scenarios of the battery by id, in the battery\'s order; an unknown id lists the known ones', () => {
    expect(scenariosNamed(undefined)).toBe(BATTERY)
    expect(scenariosNamed(['lost-answer', 'leader-kill']).map((s) => s.name)).toEqual(['leader kill under load', 'response lost after the append'])
    expect(new Set(BATTERY.map((s) => s.id)).size).toBe(BATTERY.length)
    expect(() => scenariosNamed(['leader-kil'])).toThrow(/^scenarios: must be ids of the battery's scenarios: leader-kill, replication-cut-kill, lost-answer, connection-reset, producer-restart, power-loss-all \(got "leader-kil"\)/)
  })
})

describe('exit codes: 0 kept, 1 broken, 2 invalid input, 3 environment', () => {
  const claim = (status: string) => ({ claim: 'noDuplicates', status }) as never
  test('an error: bad input 2, a missing prerequisite or anything else the harness could not get past 3', () => {
    expect(exitCodeOf(new ConfigError('producer.acks', 'must be 0, 1, -1 or "all"', 2))).toBe(2)
    expect(exitCodeOf(new RuntimeRequirementError('java', 'not found on PATH', 'install a JDK 17+'))).toBe(3)
    expect(exitCodeOf(new WaitTimeoutError('the leader to move', 1000, 'still node 1'))).toBe(3)
    expect(exitCodeOf(new Error('boom'))).toBe(3)
  })
  test('the gate: 0 only when every claim is kept and no client refused; an unknown claim is 3, before any broken one', () => {
    expect(gateExitCode([{ passed: true, claims: [claim('kept')] }], 0)).toBe(EXIT.kept)
    expect(gateExitCode([{ passed: true, claims: [claim('kept')] }, { passed: false, claims: [claim('broken')] }], 0)).toBe(EXIT.broken)
    expect(gateExitCode([{ passed: false, claims: [claim('notExercised')] }], 0)).toBe(EXIT.broken)
    expect(gateExitCode([{ passed: true, claims: [claim('kept')] }], 1)).toBe(EXIT.broken)
    expect(gateExitCode([{ passed: false, claims: [claim('broken'), claim('unknown')] }], 0)).toBe(EXIT.environment)
  })
  test('a vitest run: 0 and 1 as they are, a signal passed on, anything else the environment', () => {
    expect([0, 1, 130, 143, 2, 3].map(vitestExitCode)).toEqual([0, 1, 130, 143, 3, 3])
  })
})

describe('the package: exports, the preset, the repo\'s own imports of it', () => {
  const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string>; exports: Record<string, unknown>; files: string[]; private?: boolean }

  test('every public entry has its source module, and tsconfig.json maps it there (as vitest.config.ts does)', () => {
    const entries = publicEntries()
    expect(entries.map((e) => e.specifier)).toEqual(expect.arrayContaining(['kafka-durability/cluster', 'kafka-durability/fixture', 'kafka-durability/engines', 'kafka-durability/faults', 'kafka-durability/workload', 'kafka-durability/reconcile', 'kafka-durability/matchers', 'kafka-durability/report', 'kafka-durability/gate', 'kafka-durability/vitest']))
    for (const e of entries) expect(existsSync(join(PACKAGE_ROOT, e.source)), e.source).toBe(true)
    const tsconfig = ts.parseConfigFileTextToJson('tsconfig.json', readFileSync(join(PACKAGE_ROOT, 'tsconfig.json'), 'utf8')).config as { compilerOptions: { paths: Record<string, string[]> } }
    expect(tsconfig.compilerOptions.paths).toEqual(Object.fromEntries(entries.map((e) => [e.specifier, [`./${e.source}`]])))
  })

  test('the bin is the built harness/cli/bin.ts; the package is publishable and ships its build and the schema', () => {
    expect(pkg.bin).toEqual({ 'kafka-durability': './dist/harness/cli/bin.js' })
    expect(existsSync(join(PACKAGE_ROOT, 'harness/cli/bin.ts'))).toBe(true)
    expect(pkg.private).toBeUndefined()
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'schema/']))
  })

  test('the preset: the cluster project by path (files that exist), one file at a time, a failover\'s time; bad options refused', () => {
    const p = durabilityProject()
    expect(p.test).toMatchObject({ name: 'durability', include: ['tests/durability/**/*.test.ts'], pool: 'forks', poolOptions: { forks: { singleFork: true } }, testTimeout: 180_000, hookTimeout: 180_000 })
    for (const f of [PRESET_FILES.globalSetup, ...PRESET_FILES.setupFiles]) expect(existsSync(f), f).toBe(true)
    expect(durabilityProject({ name: 'it', include: ['it/**/*.test.ts'], timeoutMs: 60_000 }).test).toMatchObject({ name: 'it', include: ['it/**/*.test.ts'], testTimeout: 60_000 })
    expect(() => durabilityProject({ include: [] })).toThrow(/durabilityProject\(\{ include \}\): must name at least one glob/)
    expect(() => durabilityProject({ timeoutMs: 0 })).toThrow(/timeoutMs \}\): must be a positive integer/)
  })
})

describe("the gate's progress: vitest's output file followed line by line", () => {
  test('every complete line once, in order, split reads joined; the last partial line at the end', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kd-follow-')), 'gate-vitest.log')
    writeFileSync(file, '')
    const lines: string[] = []
    const stop = follow(file, (l) => lines.push(l))
    appendFileSync(file, '[cluster] up\n[gate] scenario 1 of 2 (1 lanes) st')
    appendFileSync(file, 'art: leader kill under load; 0 s\n')
    appendFileSync(file, 'tail without newline')
    stop()
    expect(lines).toEqual(['[cluster] up', '[gate] scenario 1 of 2 (1 lanes) start: leader kill under load; 0 s', 'tail without newline'])
  })
})
