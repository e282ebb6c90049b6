/**
 * Runs the package's own test files (the gate's battery, the stories of an area) with vitest as a
 * child this process owns (a signal here reaches it; it ends if this process dies), on the CLI's
 * vitest config (harness/vitest/cli.config.ts), from the caller's folder.
 */
import { createWriteStream, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { runOwned, vitestCommand } from '../cluster/index.js'
import { ensureRuntime } from '../runtime/install.js'
import { moduleFile } from '../runtime/package.js'

/** The CLI's vitest config file, as this package holds it. */
export const CLI_CONFIG = moduleFile('harness/vitest/cli.config')

export interface SuiteOptions {
  /** vitest file filters: 'tests/gate/', 'tests/acks/', ... */
  filters: string[]
  env?: NodeJS.ProcessEnv
  /**
   * When set, vitest's output goes to this file instead of the terminal, and each of its lines is
   * given to `onLine` as it comes (for progress); `echo` also prints every line.
   */
  log?: { file: string; onLine: (line: string) => void; echo: boolean }
}

/** Resolves with vitest's exit code (128+n when a signal ended it). */
export async function runSuite(opts: SuiteOptions): Promise<number> {
  const env = { ...process.env, ...opts.env }
  const [command, args] = vitestCommand(['run', '--config', CLI_CONFIG, ...opts.filters])
  const log = opts.log
  if (log === undefined) return runOwned(command, args, { env })
  mkdirSync(dirname(log.file), { recursive: true })
  const sink = createWriteStream(log.file)
  let reading: Promise<void>[] = []
  const code = await runOwned(command, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    onChild: (child) => {
      reading = [child.stdout, child.stderr].map(async (stream) => {
        if (!stream) return
        for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
          sink.write(`${line}\n`)
          if (log.echo) console.log(line)
          log.onLine(line)
        }
      })
    },
  })
  await Promise.all(reading)
  await new Promise((resolve) => sink.end(resolve))
  return code
}

/**
 * What a native run needs (Java, Kafka's jars, Toxiproxy), fetched and cached on first use, before
 * vitest starts: a missing prerequisite is then a RuntimeRequirementError naming its fix (exit 3),
 * not a failed globalSetup. The containers provider needs none of it.
 */
export async function preflight(log: (line: string) => void): Promise<void> {
  if ((process.env.KAFKA_DURABILITY_PROVIDER ?? 'native') !== 'native') return
  await ensureRuntime(log)
}
