import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { ClusterSpec } from './config.js'
import { Lifeline } from './process.js'

/**
 * A run folder, `<runsDir>/<time>-<owner pid>/`, holds besides the cluster's files:
 *  - `lifeline`: the FIFO its owner holds open (process.ts); everything of the run dies with it;
 *  - `owner`: who owns the run, one JSON line: {"pid", "command", "started"};
 *  - `ended`: how the run ended, one JSON line (the Ending below), written once, by whoever sees
 *    the end first: the owner when it stops the run, or, when the owner died without a word
 *    (SIGKILL, a crash), a tether (tether.pl) or the containers reaper, which see its lifeline close.
 */
export interface Ending {
  reason: EndingReason
  /** ISO time. */
  at: string
  /** Who wrote it: "owner (pid N)", "the tether of java (pid N)", "reaper (pid N)". */
  by: string
  detail?: string
}

/**
 * - completed: the owner stopped the run at its normal end (vitest: every test passed);
 * - failed: the run ran to its end with failures (detail says which);
 * - SIGINT, SIGTERM, SIGHUP: the owner got the signal and ended the run;
 * - parent vanished: the process that started the owner is gone; the owner ended the run;
 * - exited: the owner exited without stopping the run (detail: its exit code); its lifeline did;
 * - start failed: the cluster did not come up (detail: why);
 * - owner vanished: the lifeline closed with no ending recorded (written by a tether or the reaper).
 */
export type EndingReason = 'completed' | 'failed' | 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'parent vanished' | 'exited' | 'start failed' | 'owner vanished'

export interface OpenRun {
  runDir: string
  /** The run's id: its folder's name. */
  runId: string
  lifeline: Lifeline
}

/** Makes this process the owner of a new run: its folder, the lifeline held, the `owner` file. */
export function openRun(spec: Pick<ClusterSpec, 'runsDir'>): OpenRun {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const runId = `${stamp}-${process.pid}`
  const runDir = resolve(spec.runsDir, runId)
  mkdirSync(runDir, { recursive: true })
  const lifeline = Lifeline.hold(join(runDir, 'lifeline'))
  writeFileSync(join(runDir, 'owner'), `${JSON.stringify({ pid: process.pid, command: process.argv.join(' '), started: new Date().toISOString() })}\n`)
  return { runDir, runId, lifeline }
}

/** Records how the run ended unless an ending is recorded already; true if this call wrote it. */
export function recordEnding(runDir: string, ending: Omit<Ending, 'at' | 'by'> & { by?: string }): boolean {
  const line = JSON.stringify({ reason: ending.reason, at: new Date().toISOString(), by: ending.by ?? `owner (pid ${process.pid})`, ...(ending.detail ? { detail: ending.detail } : {}) })
  try {
    writeFileSync(join(runDir, 'ended'), `${line}\n`, { flag: 'wx' })
    return true
  } catch {
    return false // recorded already, or the folder is gone
  }
}

/** The recorded ending of a run, if any. */
export function readEnding(runDir: string): Ending | undefined {
  try {
    return JSON.parse(readFileSync(join(runDir, 'ended'), 'utf8')) as Ending
  } catch {
    return undefined
  }
}

/** How often an owner checks that its parent is still there. */
const PARENT_CHECK_MS = 250

/**
 * Calls `onGone` once this process's parent is gone (this process then has a new parent: init or
 * a subreaper). Linux tells a process nothing when its parent dies (PR_SET_PDEATHSIG is out of
 * Node's reach), so the parent pid is checked four times a second; the check does not keep the
 * process running. This is how a run ends when whatever started it is gone: `npx` or `sh -c`
 * killed by a SIGTERM that they do not pass on, a gate or bench process SIGKILLed. A process
 * started by init has nothing to follow. Returns a function that stops following.
 */
export function followParent(onGone: (why: string) => void): () => void {
  const parent = process.ppid
  if (parent <= 1) return () => {}
  const timer = setInterval(() => {
    if (process.ppid === parent) return
    clearInterval(timer)
    onGone(`its parent process (pid ${parent}) is gone`)
  }, PARENT_CHECK_MS)
  timer.unref()
  return () => clearInterval(timer)
}
