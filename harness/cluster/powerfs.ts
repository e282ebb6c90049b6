/**
 * Each node's data dir on powerfs (native/powerfs, docs/power-loss.md): a FUSE passthrough that
 * keeps every write not yet fsynced undoable and, on a power cut, drops them. Native provider
 * only (`startCluster({ powerfs: true })`):
 *
 *  - after storage is formatted, `<node>/data` (log.dirs) becomes `<node>/disk`, the backing
 *    folder: what formatting wrote is on the disk; an empty `<node>/data` is the mount point;
 *  - a node's disk is mounted before its JVM starts (NativeControl.start), by a powerfs process
 *    tethered to the run's lifeline like every other process; its guard detaches the mount when
 *    powerfs or the run's owner dies;
 *  - a power cut (`powerCut`) freezes the nodes (SIGSTOP: nothing more leaves them), has each
 *    powerfs drop what was not fsynced and exit (its report says what it dropped), then SIGKILLs
 *    the JVMs: the nodes are off;
 *  - at teardown every powerfs is stopped and each mount point is unmounted (`fusermount -uz`)
 *    if anything is left mounted.
 */
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { ProcessFailedError } from '../errors.js'
import { pidOf } from './native.js'
import { isAlive, signal, spawnTethered, tail, waitExit } from './process.js'
import type { NodeDescriptor } from './types.js'
import { AbortError, waitFor } from './wait.js'

const run = promisify(execFile)

/** How powerfs mounts show in /proc/mounts (native/powerfs FSTYPE). */
export const POWERFS_FSTYPE = 'fuse.powerfs'

/** One node's disk: the backing folder, the mount point (its log.dirs) and powerfs's files. */
export interface PowerfsDisk {
  id: number
  backing: string
  mount: string
  pidFile: string
  logFile: string
  /** Where powerfs writes what a power cut dropped (JSON, PowerCutReport). */
  report: string
}

/** What the descriptor keeps of powerfs (NativeData.powerfs). */
export interface PowerfsData {
  binary: string
  disks: PowerfsDisk[]
}

/** A file a power cut gave back its fsynced content (native/powerfs droppedFile). */
export interface DroppedFile {
  /** Relative to the node's data dir, e.g. "t-0/00000000000000000000.log". */
  path: string
  durableBytes: number
  bytesAtCut: number
  writtenSinceFsync: number
  pagesRestored: number
  volatileForMs: number
}

/** What one node's powerfs dropped at a power cut. */
export interface PowerCutReport {
  node: number
  cutAt: string
  cutAtMs: number
  mountedForMs: number
  files: DroppedFile[]
  /** Bytes written to those files since their last fsync: all dropped. */
  bytesWritten: number
  /** Bytes of size the files lost (preallocated index files count whole). */
  bytesDropped: number
  pagesRestored: number
  /** fsyncs the node made while its disk was mounted, and of which files (first 500). */
  fsyncs: number
  fsyncedFiles: Record<string, number>
}

export function powerfsData(binary: string, nodes: readonly Pick<NodeDescriptor, 'id' | 'dir'>[]): PowerfsData {
  return {
    binary,
    disks: nodes.map((n) => ({
      id: n.id,
      backing: join(n.dir, 'disk'),
      mount: join(n.dir, 'data'),
      pidFile: join(n.dir, 'powerfs.pid'),
      logFile: join(n.dir, 'powerfs.log'),
      report: join(n.dir, 'power-cut.json'),
    })),
  }
}

function disk(data: PowerfsData, id: number): PowerfsDisk {
  const d = data.disks.find((x) => x.id === id)
  if (!d) throw new Error(`no powerfs disk for node ${id}; disks are for nodes ${data.disks.map((x) => x.id).join(', ')}`)
  return d
}

/** After formatting: what was written to each node's data dir becomes its disk. */
export function prepareDisks(data: PowerfsData): void {
  for (const d of data.disks) {
    renameSync(d.mount, d.backing)
    mkdirSync(d.mount)
  }
}

/** Mount points of powerfs mounts now (from /proc/self/mountinfo). */
export function powerfsMounts(): string[] {
  const out: string[] = []
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ')
    if (!left || !right) continue
    if (right.split(' ')[0] !== POWERFS_FSTYPE) continue
    const mountPoint = left.split(' ')[4]
    if (mountPoint) out.push(mountPoint.replace(/\\(\d{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
  }
  return out
}

/** Mounts node `id`'s disk, tethered to `lifeline`, unless it is mounted; resolves once the mount is there. */
export async function mountDisk(lifeline: string, data: PowerfsData, id: number): Promise<void> {
  const k = disk(data, id)
  if (powerfsMounts().includes(k.mount) && pidOf(k.pidFile) !== undefined) return
  rmSync(k.report, { force: true })
  const pid = await spawnTethered({
    lifeline,
    pidFile: k.pidFile,
    logFile: k.logFile,
    command: data.binary,
    args: ['-backing', k.backing, '-mount', k.mount, '-report', k.report, '-lifeline', lifeline],
  })
  await waitFor(`powerfs of node ${id} (pid ${pid}) to mount ${k.backing} on ${k.mount}`, () => {
    if (!isAlive(pid)) throw new AbortError(new ProcessFailedError(`powerfs of node ${id} (pid ${pid})`, k.logFile, tail(k.logFile), 'it exited before mounting'))
    if (!powerfsMounts().includes(k.mount)) throw new Error(`${k.mount} is not a ${POWERFS_FSTYPE} mount yet`)
  }, { timeoutMs: 10_000 })
}

/**
 * The power cut of powerfs's side: each node's powerfs drops every write not yet fsynced, writes
 * its report and exits (its mount detached). Resolves with the reports once every powerfs is gone.
 */
export async function dropUnsynced(data: PowerfsData, ids: readonly number[]): Promise<PowerCutReport[]> {
  const running = ids.map((id) => {
    const k = disk(data, id)
    const pid = pidOf(k.pidFile)
    if (pid === undefined) throw new Error(`cannot cut the power of node ${id}: its powerfs is not running (is its disk mounted? ${k.logFile})`)
    return { id, k, pid }
  })
  for (const { pid } of running) signal(pid, 'SIGUSR1')
  return Promise.all(
    running.map(async ({ id, k, pid }) => {
      await waitExit(pid, `powerfs of node ${id} after the power cut`, 30_000)
      if (!existsSync(k.report)) throw new ProcessFailedError(`powerfs of node ${id}`, k.logFile, tail(k.logFile), `it wrote no power-cut report to ${k.report}`)
      const report = { node: id, ...(JSON.parse(readFileSync(k.report, 'utf8')) as Omit<PowerCutReport, 'node'>) }
      renameSync(k.report, join(dirname(k.report), `power-cut-${report.cutAtMs}.json`))
      return { ...report, files: report.files ?? [] }
    }),
  )
}

/**
 * Teardown: stops every powerfs (SIGTERM: it detaches its mount and exits without dropping
 * anything), then unmounts whatever is still mounted (`fusermount -uz`, or `umount -l`).
 */
export async function unmountDisks(data: PowerfsData): Promise<void> {
  const pids = data.disks.map((k) => pidOf(k.pidFile)).filter((p): p is number => p !== undefined)
  for (const pid of pids) signal(pid, 'SIGTERM')
  await Promise.all(pids.map((pid) => waitExit(pid, 'powerfs at teardown', 10_000).catch(() => signal(pid, 'SIGKILL'))))
  const mounted = new Set(powerfsMounts())
  for (const k of data.disks.filter((x) => mounted.has(x.mount))) await lazyUnmount(k.mount)
}

/** Detaches a FUSE mount: fusermount3 -uz, fusermount -uz, or umount -l, whichever works. */
export async function lazyUnmount(mount: string): Promise<void> {
  for (const [cmd, args] of [['fusermount3', ['-uz', mount]], ['fusermount', ['-uz', mount]], ['umount', ['-l', mount]]] as const) {
    try {
      await run(cmd, [...args])
      return
    } catch {
      // the next one
    }
  }
  if (powerfsMounts().includes(mount)) throw new Error(`cannot unmount ${mount}: fusermount3 -uz, fusermount -uz and umount -l all failed. Fix: run \`umount -l ${mount}\` as root`)
}
