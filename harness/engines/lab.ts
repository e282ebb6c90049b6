/**
 * The lab every story runs in: the cluster, the matrix the rows go to, whether lanes are judged
 * (the gate) or must hold (a test's story), and what must be torn down after the story whether it
 * passed or not (client lines, producer sessions, child processes, consumers).
 *
 * A story is a function of (lab, profiles): it opens its lanes here, one per profile, drives them
 * with an engine (steady load, burst, lost answer) and returns the Outcome. A test calls it with
 * the profiles its claims are about and asserts on their lanes; the gate's battery calls the same
 * function with one profile per config under test, in a judged lab.
 */
import type { Cluster } from '../cluster/index.js'
import { ClientLine } from '../faults/index.js'
import type { ResultsCollector } from '../report/index.js'
import { SideBySide, type LaneScenario, type Outcome, type Profile } from './lanes.js'
import { freshName } from './topics.js'

export interface LabOptions {
  /** The matrix's suite for the rows, and the prefix of every topic ('acks', 'idempotency', 'gate'). */
  suite: string
  /**
   * Judged lanes (the gate): a lane whose wait runs out is recorded as an unmet step and the story
   * goes on for every lane; a lane that cannot be read back is recorded as unreconciled. Without
   * it (a test's story), either fails the story.
   */
  judged?: boolean
  /** Where every settled lane's row goes. */
  results?: ResultsCollector
}

/** A story: lanes for the profiles, driven through its faults, read back and reconciled. */
export type Story<O extends Outcome = Outcome> = (lab: Lab, profiles: readonly Profile[]) => Promise<O>

export class Lab {
  private readonly teardown: Array<() => Promise<unknown>> = []

  constructor(
    readonly cluster: Cluster,
    private readonly options: LabOptions,
  ) {}

  get suite(): string {
    return this.options.suite
  }
  get judged(): boolean {
    return this.options.judged ?? false
  }
  get results(): ResultsCollector | undefined {
    return this.options.results
  }

  /** One lane per profile, every lane's fresh topic led by the same node. */
  lanes(s: LaneScenario): Promise<SideBySide> {
    return SideBySide.open(this, s)
  }

  /** A client line of its own (see harness/faults/client-line.ts); closed at teardown. */
  async line(name: string): Promise<ClientLine> {
    const line = await ClientLine.open(this.cluster, freshName(name))
    this.onTeardown(() => line.close())
    return line
  }

  onTeardown(fn: () => Promise<unknown>): void {
    this.teardown.push(fn)
  }

  /** Runs every teardown step, last first; never throws. */
  async tearDown(): Promise<void> {
    for (const fn of this.teardown.splice(0).reverse()) await fn().catch(() => undefined)
  }
}

/** Runs `story` over `profiles` in a lab of its own, torn down as the story ends, passed or not. */
export async function runStory<O extends Outcome>(cluster: Cluster, options: LabOptions, story: Story<O>, profiles: readonly Profile[]): Promise<O> {
  const lab = new Lab(cluster, options)
  try {
    return await story(lab, profiles)
  } finally {
    await lab.tearDown()
  }
}

/**
 * Runs a story once, however many tests read its outcome (the tests of one story each assert one
 * lane's claim on the same run).
 */
export function once<T>(run: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined
  return () => (result ??= run())
}
