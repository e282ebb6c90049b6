import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { providerFromEnv, waitFor } from '../../harness/cluster/index.js'
import { Lifeline, readPid, signal } from '../../harness/cluster/process.js'
import { dropUnsynced, mountDisk, powerfsData, powerfsMounts, unmountDisks, type PowerCutReport, type PowerfsData } from '../../harness/cluster/powerfs.js'
import { ensurePowerfs } from '../../harness/runtime/powerfs.js'

/**
 * powerfs's model on files of our own, no Kafka: after a power cut each file has its content and
 * size as of its last fsync; folder changes are kept; its guard unmounts it when powerfs dies.
 */
describe.skipIf(providerFromEnv() !== 'native')('powerfs: a power cut keeps exactly what was fsynced (native provider only: a FUSE mount)', () => {
  const root = mkdtempSync(join(tmpdir(), 'kd-powerfs-'))
  const lifeline = Lifeline.hold(join(root, 'lifeline'))
  let data: PowerfsData
  let cut: PowerCutReport | undefined
  const others: PowerfsData[] = []
  const disk = () => join(root, 'node-1', 'disk')
  const m = (f: string) => join(root, 'node-1', 'data', f)
  const write = (f: string, text: string, opts: { fsync?: boolean; flag?: string; at?: number } = {}) => {
    const fd = openSync(m(f), opts.flag ?? 'w')
    writeSync(fd, text, opts.at)
    if (opts.fsync) fsyncSync(fd)
    closeSync(fd)
  }
  beforeAll(async () => {
    data = powerfsData(await ensurePowerfs(), [{ id: 1, dir: join(root, 'node-1') }])
    mkdirSync(disk(), { recursive: true })
    writeFileSync(join(disk(), 'on-disk.txt'), 'before the mount')
    mkdirSync(m(''), { recursive: true })
    await mountDisk(lifeline.path, data, 1)
    write('never-synced.log', 'gone')
    write('synced-then-appended.log', 'kept|', { fsync: true })
    write('synced-then-appended.log', 'gone', { flag: 'a' })
    write('on-disk.txt', 'OVERWRITTEN', { flag: 'r+', at: 0 })
    write('synced-then-shrunk.log', 'kept whole', { fsync: true })
    truncateSync(m('synced-then-shrunk.log'), 4)
    write('checkpoint.tmp', 'renamed', { fsync: true })
    renameSync(m('checkpoint.tmp'), m('checkpoint'))
    ;[cut] = await dropUnsynced(data, [1])
  })
  afterAll(async () => {
    for (const d of [data, ...others]) if (d) await unmountDisks(d)
    lifeline.cut()
    rmSync(root, { recursive: true, force: true })
  })

  test('the disk keeps what was fsynced, before the mount or since, and drops every write after', () => {
    const onDisk = (f: string) => readFileSync(join(disk(), f), 'utf8')
    expect(['never-synced.log', 'synced-then-appended.log', 'on-disk.txt', 'synced-then-shrunk.log', 'checkpoint'].map(onDisk)).toEqual(['', 'kept|', 'before the mount', 'kept whole', 'renamed'])
  })

  test('the cut reports each file it gave back, with what was written since its fsync', () => {
    expect(cut?.files.map((f) => [f.path, f.durableBytes, f.writtenSinceFsync])).toEqual([
      ['never-synced.log', 0, 4],
      ['on-disk.txt', 16, 11],
      ['synced-then-appended.log', 5, 4],
      ['synced-then-shrunk.log', 10, 0],
    ])
    expect(powerfsMounts()).not.toContain(m('').replace(/\/$/, ''))
  })

  test('the run\'s owner gone (its lifeline closed): powerfs is killed by its tether and its guard detaches the mount', async () => {
    const owner = Lifeline.hold(join(root, 'lifeline-2'))
    const other = powerfsData(data.binary, [{ id: 2, dir: join(root, 'node-2') }])
    others.push(other)
    const k = other.disks[0]
    if (!k) throw new Error('no disk')
    mkdirSync(k.backing, { recursive: true })
    mkdirSync(k.mount, { recursive: true })
    await mountDisk(owner.path, other, 2)
    owner.cut()
    await waitFor('the guard to detach the mount once the lifeline closed', () => {
      if (powerfsMounts().includes(k.mount)) throw new Error('still mounted')
    }, { timeoutMs: 10_000 })
  })

  test('powerfs SIGKILLed: its guard detaches the mount', async () => {
    await mountDisk(lifeline.path, data, 1)
    signal(readPid(data.disks[0]?.pidFile ?? ''), 'SIGKILL')
    await waitFor('the guard to detach the mount of a SIGKILLed powerfs', () => {
      if (powerfsMounts().includes(data.disks[0]?.mount ?? '')) throw new Error('still mounted')
    }, { timeoutMs: 10_000 })
  })
})
