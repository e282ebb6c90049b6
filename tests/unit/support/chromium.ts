import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { RuntimeRequirementError } from '../../../harness/errors.js'

const run = promisify(execFile)

/** Headless Chromium: CHROMIUM_PATH, else the usual Debian/Ubuntu names. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'].filter((c): c is string => !!c)
  const found = candidates.find((c) => existsSync(c))
  if (!found) throw new RuntimeRequirementError('chromium', `not found (looked at ${candidates.join(', ')})`, 'apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium/Chrome binary')
  return found
}

// Quiet, offline, and root-safe (CI runs as root): no sandbox, no background networking.
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars']

/** Renders a local HTML file and returns the DOM after its scripts ran; optionally a screenshot. */
export async function renderPage(file: string, opts: { screenshot?: string; width?: number; height?: number } = {}): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), 'kd-chromium-'))
  try {
    const base = [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${opts.width ?? 1200},${opts.height ?? 2400}`]
    const { stdout } = await run(chromiumPath(), [...base, '--dump-dom', `file://${file}`], { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 })
    if (opts.screenshot) await run(chromiumPath(), [...base, `--screenshot=${opts.screenshot}`, `file://${file}`], { timeout: 60_000 })
    return stdout
  } finally {
    rmSync(profile, { recursive: true, force: true })
  }
}
