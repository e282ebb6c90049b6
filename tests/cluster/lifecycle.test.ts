import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { waitFor } from '../../harness/cluster/index.js'
import { isAlive as alive } from '../../harness/cluster/process.js'

/**
 * The cluster must not outlive its owner, even when the owner is SIGKILLed and has no chance to
 * clean up. This starts a second, one-node cluster owned by a child process, SIGKILLs that
 * child, and waits for the broker and Toxiproxy to be gone.
 */
describe('lifecycle: nothing outlives the owner', () => {
  test('SIGKILL of the owning process takes down its broker+controller and Toxiproxy', async () => {
    const owner = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '../../scripts/own-cluster.ts'), '--nodes', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    owner.stdout.on('data', (d) => (out += String(d)))
    owner.stderr.on('data', (d) => (out += String(d)))
    const runDir = await waitFor(
      'the owner process to report its cluster up',
      () => {
        if (owner.exitCode !== null) throw new Error(`owner exited with ${owner.exitCode}: ${out}`)
        const m = /READY (\S+)/.exec(out)
        if (!m?.[1]) throw new Error(`output so far: ${out.slice(-300) || '(none)'}`)
        return m[1]
      },
      { timeoutMs: 120_000 },
    )
    const pids = [join(runDir, 'node-1', 'pid'), join(runDir, 'toxiproxy.pid')].map((f) => Number(readFileSync(f, 'utf8')))
    for (const pid of pids) expect(alive(pid)).toBe(true)

    owner.kill('SIGKILL')
    await waitFor(
      `broker and Toxiproxy (pids ${pids.join(', ')}) to exit after their owner was SIGKILLed`,
      () => {
        const left = pids.filter(alive)
        if (left.length) throw new Error(`still alive: ${left.join(', ')}`)
      },
      { timeoutMs: 15_000 },
    )
  })
})

