/**
 * `kafka-durability <command>`: the dispatcher behind the bin (bin.ts) and `npm run gate`
 * (harness/gate/cli.ts). Returns the exit code (exit.ts); every error is printed here with its
 * fix and mapped: bad input 2, anything the harness could not get past 3.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { spawn } from 'node:child_process'
import { startCluster } from '../cluster/index.js'
import { ConfigError } from '../errors.js'
import { exploreCommand } from '../explore/command.js'
import { reportsDir } from '../report/store.js'
import { PACKAGE_VERSION } from '../runtime/package.js'
import { HELP, parseArgs, type Area, type Command } from './args.js'
import { doctor, doctorText } from './doctor.js'
import { EXIT, exitCodeOf, vitestExitCode } from './exit.js'
import { gate } from './gate.js'
import { preflight, runSuite } from './suite.js'

/** `run <areas>`: the areas' test files with vitest's output, the report written at the end. */
async function runAreas(areas: readonly Area[]): Promise<number> {
  await preflight((l) => console.log(`[runtime] ${l}`))
  return vitestExitCode(await runSuite({ filters: areas.map((a) => `tests/${a}/`) }))
}

/**
 * `cluster up`: a cluster owned by this process until Ctrl-C, SIGTERM, SIGHUP or its parent's end
 * (startCluster stops it and exits 128+n); every process of it is tethered to this one. Prints
 * `READY <run folder>` last (scripts/own-cluster.ts and the lifecycle tests wait for it).
 */
export async function clusterUp(nodes: number | undefined): Promise<never> {
  const owned = await startCluster({ ...(nodes === undefined ? {} : { nodes }), keepRunDir: true }, (l) => console.error(`[cluster] ${l}`))
  console.log(`bootstrap ${owned.cluster.bootstrap.join(',')}`)
  console.log(`toxiproxy ${owned.cluster.descriptor.toxiproxyApi}`)
  console.error('[cluster] up until Ctrl-C; nothing of it outlives this process')
  console.log(`READY ${owned.cluster.descriptor.runDir}`)
  // Stay alive: the lifeline keeps the cluster up exactly as long as this process lives.
  return new Promise<never>(() => setInterval(() => {}, 1 << 30))
}

function report(dir: string | undefined, open: boolean): number {
  const folder = resolve(dir ?? reportsDir())
  const md = join(folder, 'durability.md')
  if (!existsSync(md)) {
    console.error(`kafka-durability: no report in ${folder} (no durability.md). Run one first: kafka-durability run [area], or name the folder: kafka-durability report <dir>`)
    return EXIT.environment
  }
  console.log(readFileSync(md, 'utf8').trimEnd())
  const html = join(folder, 'durability.html')
  console.log(`\n[report] ${md}\n[report] ${html}\n[report] ${join(folder, 'durability.json')}`)
  if (open) {
    const opener = process.platform === 'darwin' ? 'open' : 'xdg-open'
    spawn(opener, [html], { stdio: 'ignore', detached: true })
      .on('error', () => console.error(`[report] could not run ${opener}; open ${html} in a browser`))
      .unref()
  }
  return EXIT.kept
}

async function dispatch(cmd: Command): Promise<number> {
  switch (cmd.kind) {
    case 'help':
      console.log(HELP[cmd.topic ?? 'main'])
      return EXIT.kept
    case 'version':
      console.log(PACKAGE_VERSION)
      return EXIT.kept
    case 'gate':
      return gate(cmd)
    case 'run':
      return runAreas(cmd.areas)
    case 'cluster-up':
      return clusterUp(cmd.nodes)
    case 'report':
      return report(cmd.dir, cmd.open)
    case 'explore':
      return exploreCommand(cmd.args)
    case 'doctor': {
      const checks = await doctor()
      console.log(doctorText(checks))
      return checks.every((c) => c.ok || c.optional) ? EXIT.kept : EXIT.environment
    }
  }
}

/** Runs the command line `argv` (the arguments after the program's name); resolves with the exit code. */
export async function cli(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(parseArgs(argv))
  } catch (e) {
    const kind = e instanceof ConfigError ? 'invalid input' : 'cannot run'
    console.error(`kafka-durability: ${kind}: ${(e as Error).message}`)
    return exitCodeOf(e)
  }
}
