/**
 * Runs the package's own test files (the gate's battery, the stories of an area) with vitest as a
 * child this process owns (a signal here reaches it; it ends if this process dies), on the CLI's
 * vitest config (harness/vitest/cli.config.ts), from the caller's folder.
 */
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs'
import { dirname } from 'node:path'
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
   * When set, vitest writes its output to this file instead of the terminal, and each of its lines
   * is given to `onLine` as it comes (for progress); `echo` also prints every line. A file, not a
   * pipe: were this process killed, vitest would go on writing (and end its run as its owner
   * should, its parent gone) instead of dying of a broken pipe.
   */
  log?: { file: string; onLine: (line: string) => void; echo: boolean }
}

/** Follows a growing file: every 250 ms, and once more at the end, its new complete lines. */
export function follow(file: string, onLine: (line: string) => void): () => void {
  const fd = openSync(file, 'r')
  const buf = Buffer.alloc(64 * 1024)
  let partial = ''
  const read = () => {
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) {
      const lines = (partial + buf.toString('utf8', 0, n)).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) onLine(line)
    }
  }
  const timer = setInterval(read, 250)
  return () => {
    clearInterval(timer)
    read()
    if (partial) onLine(partial)
    closeSync(fd)
  }
}

/** Resolves with vitest's exit code (128+n when a signal ended it). */
export async function runSuite(opts: SuiteOptions): Promise<number> {
  const env = { ...process.env, ...opts.env }
  const [command, args] = vitestCommand(['run', '--config', CLI_CONFIG, ...opts.filters])
  const log = opts.log
  if (log === undefined) return runOwned(command, args, { env })
  mkdirSync(dirname(log.file), { recursive: true })
  const out = openSync(log.file, 'w')
  const stop = follow(log.file, (line) => {
    if (log.echo) console.log(line)
    log.onLine(line)
  })
  try {
    return await runOwned(command, args, { env, stdio: ['ignore', out, out] })
  } finally {
    closeSync(out)
    stop()
  }
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
