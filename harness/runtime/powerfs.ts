/**
 * powerfs (native/powerfs/, docs/power-loss.md): our FUSE filesystem that forgets, on a power cut,
 * every write not yet fsynced. Built with `go build` against github.com/hanwen/go-fuse/v2 from the
 * Go module proxy into <cache>/bin/powerfs at `npm run setup`, keyed by its sources and the Go
 * version: a second run with the same key does nothing.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { RuntimeRequirementError } from '../errors.js'
import { failure, filesUnder, keyOfFiles, readKey, toolVersion } from './clients.js'
import { cacheDir } from './versions.js'

const run = promisify(execFile)
const POWERFS_SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'native', 'powerfs')

/** Where the built powerfs lives. */
export function powerfsBinary(): string {
  return join(cacheDir(), 'bin', 'powerfs')
}

/** Builds powerfs unless the cache holds the build of these sources already; returns its path. */
export async function ensurePowerfs(log: (line: string) => void = () => {}): Promise<string> {
  const bin = powerfsBinary()
  const goVersion = await toolVersion('go', ['env', 'GOVERSION'], 'install Go 1.22+ (https://go.dev/doc/install); powerfs is built from native/powerfs with the Go module proxy once, then cached')
  const files = filesUnder(POWERFS_SRC).filter((f) => f.endsWith('.go') || f === 'go.mod' || f === 'go.sum')
  const key = keyOfFiles(POWERFS_SRC, files, [goVersion, process.platform, process.arch])
  if (readKey(`${bin}.key`) === key && existsSync(bin)) return bin
  log(`building powerfs (native/powerfs, go-fuse) with ${goVersion} into ${bin}`)
  mkdirSync(dirname(bin), { recursive: true })
  const tmp = `${bin}.partial`
  try {
    await run('go', ['build', '-trimpath', '-o', tmp, '.'], { cwd: POWERFS_SRC, env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-mod=readonly' }, maxBuffer: 16 * 1024 * 1024 })
  } catch (e) {
    throw new RuntimeRequirementError('go', `go build of native/powerfs failed:\n${failure(e)}`, 'check that the Go module proxy is reachable (GOPROXY), or fix the sources the message names')
  }
  renameSync(tmp, bin)
  writeFileSync(`${bin}.key`, `${key}\n`)
  return bin
}
