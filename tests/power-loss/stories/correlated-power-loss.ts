/**
 * The power of every replica fails at once (one rack, one zone) while producers write at a steady
 * pace. Each lane is a producer on a topic of its own with one durability setting: Kafka's
 * defaults (no flush.messages, no flush.ms: Kafka never fsyncs a partition's log between segment
 * rolls and leaves it to the page cache and to replication), or `flush.messages=1` (every append
 * fsynced on the leader and on each follower before the follower fetches again, so before the high
 * watermark, and the acknowledgement, moves past it). Every node's disk drops what was not fsynced
 * and every JVM dies; then all are powered on together, recover from their disks, elect leaders
 * among themselves, and the load goes on. With the defaults, what acks=all acknowledged is gone
 * from every replica: lost, and its offsets handed to the records written after the restart.
 * `runCorrelatedPowerLoss` is the story for a given set of profiles and settings (the gate's hook).
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { clientEndpoint } from '../../../harness/clients/index.js'
import { waitFor } from '../../../harness/cluster/index.js'
import { STEADY, startLaneLoad, steadyRate, type Lab, type Outcome, type Profile } from '../../../harness/engines/index.js'
import { powerLossAll, type PowerLoss } from '../../../harness/faults/index.js'
import type { WorkloadRun } from '../../../harness/workload/index.js'

/** A lane's topic durability: Kafka's defaults, or an fsync per append (topic config flush.messages=1). */
export type TopicDurability = 'defaults' | 'flush.messages=1'
export const TOPIC_CONFIGS: Record<TopicDurability, Record<string, string>> = { defaults: {}, 'flush.messages=1': { 'flush.messages': '1' } }

/** The lane of `profile` with topic durability `setting`: its variant name. */
export const laneName = (profile: Profile, setting: TopicDurability): string => `${profile.variant} / ${setting}`

export interface CorrelatedOutcome {
  outcome: Outcome
  fault: PowerLoss
}

/** A lane of the story: a producer profile and the configs of its topic. */
export interface DurabilityLane {
  profile: Profile
  topicConfig: Readonly<Record<string, string>>
}

/** One lane per (profile, setting), each named laneName(profile, setting). */
export function durabilityLanes(profiles: readonly Profile[], settings: readonly TopicDurability[]): DurabilityLane[] {
  return profiles.flatMap((p) => settings.map((setting) => ({ profile: { ...p, variant: laneName(p, setting) }, topicConfig: TOPIC_CONFIGS[setting] })))
}

/**
 * One power cut of every node under the lanes' steady load (the test: durabilityLanes; the gate:
 * one lane per config, its topicConfig). Needs a cluster started with powerfs.
 */
export async function runCorrelatedPowerLoss(lab: Lab, lanesOf: readonly DurabilityLane[]): Promise<CorrelatedOutcome> {
  const cluster = lab.cluster
  const side = await lab.lanes({ scenario: 'power loss of every replica at once', profiles: lanesOf.map((l) => l.profile) })
  const admin = await cluster.admin()
  for (const [i, lane] of side.lanes.entries()) {
    const configEntries = Object.entries(lanesOf[i]?.topicConfig ?? {}).map(([name, value]) => ({ name, value }))
    if (!configEntries.length) continue
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2 /* TOPIC */, name: lane.topic, configEntries }] })
    await waitFor(`${lane.topic} to have ${JSON.stringify(configEntries)}`, async () => {
      const d = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: lane.topic, configNames: configEntries.map((c) => c.name) }] })
      const seen = d.resources[0]?.configEntries ?? []
      const off = configEntries.filter((c) => seen.find((s) => s.configName === c.name)?.configValue !== c.value)
      if (off.length) throw new Error(`described: ${JSON.stringify(seen.map((s) => [s.configName, s.configValue]))}`)
    }, { timeoutMs: 15_000 })
  }
  const rate = steadyRate(side.lanes.length)
  // Opt-in diagnostic: KD_POWERLOSS_DIAG=<folder> keeps each lane's client log and ledger there.
  const diag = process.env.KD_POWERLOSS_DIAG
  if (diag) mkdirSync(diag, { recursive: true })
  const endpointOf = (topic: string) => ({ ...clientEndpoint(cluster, { clientId: topic }), ...(diag ? { logDir: diag } : {}) })
  // Each lane's own client, records per call and calls in flight (a gate config's, or the steady engine's defaults).
  const loads: WorkloadRun[] = side.lanes.map((lane) => startLaneLoad(lane, endpointOf(lane.topic), rate, { durationMs: 120_000, drainTimeoutMs: 15_000 }))
  const fault = powerLossAll()
  const acked = (w: WorkloadRun) => w.progress().acknowledged
  const reach = (what: string, target: (w: WorkloadRun) => number) =>
    waitFor(`every lane to have ${what}`, () => {
      const short = loads.filter((w) => acked(w) < target(w))
      if (short.length) throw new Error(short.map((w) => JSON.stringify(w.progress())).join('; '))
    }, { timeoutMs: 90_000, maxIntervalMs: 50 })
  try {
    await reach(`${STEADY.before} records acknowledged`, () => STEADY.before)
    await side.withFault(fault, async () => {})
    const base = new Map(loads.map((w) => [w, acked(w)]))
    await reach(`${STEADY.after} more records acknowledged after the power came back`, (w) => (base.get(w) ?? 0) + STEADY.after)
  } finally {
    for (const w of loads) w.stop()
  }
  const ledgers = await Promise.all(loads.map((w) => w.done))
  if (diag) for (const l of ledgers) writeFileSync(join(diag, `${l.topic}.ledger.json`), JSON.stringify({ runDir: cluster.descriptor.runDir, ...l }))
  return { outcome: await side.settle(ledgers.map((ledger) => ({ ledger }))), fault }
}
