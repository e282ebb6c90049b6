import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, test } from 'vitest'
import { waitFor } from '../../harness/cluster/index.js'
import { Lifeline, isAlive, ownerAlive, spawnTethered, waitExit, watchOwner } from '../../harness/cluster/process.js'
import { readEnding, recordEnding } from '../../harness/cluster/run.js'
import { OwnerGoneError } from '../../harness/errors.js'

/** The lifeline and the tether with a plain `sleep` as the tethered process: no cluster. */
describe('lifeline and tether', () => {
  let dir = ''
  const fifo = () => {
    dir = mkdtempSync(join(tmpdir(), 'kd-lifeline-'))
    return join(dir, 'lifeline')
  }
  const sleeper = (lifeline: string) => spawnTethered({ lifeline, pidFile: join(dir, 'pid'), logFile: join(dir, 'log'), command: 'sleep', args: ['600'] })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  test('the owner is alive exactly while it holds the lifeline', () => {
    const path = fifo()
    const held = Lifeline.hold(path)
    expect(ownerAlive(path)).toBe(true)
    held.cut()
    expect(ownerAlive(path)).toBe(false)
    expect(ownerAlive(join(dir, 'no-such-fifo'))).toBe(false)
  })

  test('a watch fires at once when the owner is gone already, and when it goes', async () => {
    const path = fifo()
    execFileSync('mkfifo', [path])
    let gone = 0
    watchOwner(path, () => gone++)
    expect(gone).toBe(1)
    const held = Lifeline.hold(path)
    watchOwner(path, () => gone++)
    expect(gone).toBe(1)
    held.cut()
    await waitFor('the watch to see the owner gone', () => expect(gone).toBe(2), { timeoutMs: 2_000 })
  })

  test('nothing is started once the owner is gone', async () => {
    const path = fifo()
    Lifeline.hold(path).cut()
    await expect(sleeper(path)).rejects.toBeInstanceOf(OwnerGoneError)
  })

  test("a tethered process dies with its owner's lifeline, and the run folder says the owner vanished", async () => {
    const path = fifo()
    const held = Lifeline.hold(path)
    const pid = await sleeper(path)
    expect(isAlive(pid)).toBe(true)
    held.cut()
    await waitExit(pid, 'the tethered sleep', 1_000)
    await waitFor('the ending to be recorded', () => expect(readEnding(dir)?.reason).toBe('owner vanished'), { timeoutMs: 2_000 })
  })

  test('an ending recorded by the owner is kept', async () => {
    const path = fifo()
    const held = Lifeline.hold(path)
    const pid = await sleeper(path)
    expect(recordEnding(dir, { reason: 'SIGTERM' })).toBe(true)
    held.cut()
    await waitExit(pid, 'the tethered sleep', 1_000)
    expect(recordEnding(dir, { reason: 'completed' })).toBe(false)
    expect(readEnding(dir)?.reason).toBe('SIGTERM')
  })
})
