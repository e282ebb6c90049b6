/**
 * The suite's own cost: cold boot, and failover as a producer sees it.
 *  - boot: processes started → every partition of a fresh RF=3 topic led with its full ISR.
 *  - failover: SIGKILL of a partition's leader → first successful acks=all produce to it.
 */
import { startCluster } from '../harness/cluster/index.js'
import { summarize, type Summary } from './stats.js'

export interface ClusterBench {
  boot: Summary
  /** All three nodes SIGKILLed, then started on their data → every partition led with its full ISR. */
  warm: Summary
  failover: Summary
}

export async function benchCluster(runs = Number(process.env.BENCH_RUNS ?? 3), failoversPerBoot = 2, log: (l: string) => void = console.log): Promise<ClusterBench> {
  const boots: number[] = []
  const failovers: number[] = []
  const warms: number[] = []
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now()
    const owned = await startCluster({ keepRunDir: false })
    try {
      const c = owned.cluster
      await c.createTopic('bench-boot', { partitions: 3 })
      boots.push((performance.now() - t0) / 1000)
      log(`  boot ${r + 1}: ${boots.at(-1)?.toFixed(2)} s`)
      for (let f = 0; f < failoversPerBoot; f++) {
        const topic = `bench-failover-${f}`
        await c.createTopic(topic, { partitions: 1 })
        const producer = c.kafka({ requestTimeout: 2_000, retry: { retries: 100, initialRetryTime: 25, maxRetryTime: 100, factor: 0.2 } }).producer({ allowAutoTopicCreation: false })
        await producer.connect()
        await producer.send({ topic, acks: -1, messages: [{ key: 'warm', value: 'up' }] })
        const leader = await c.leaderOf(topic, 0)
        const k0 = performance.now()
        await c.kill(leader)
        await producer.send({ topic, acks: -1, messages: [{ key: 'after', value: 'kill' }] })
        failovers.push((performance.now() - k0) / 1000)
        log(`  failover ${r + 1}.${f + 1}: ${failovers.at(-1)?.toFixed(2)} s (leader ${leader} killed)`)
        await producer.disconnect()
        await c.heal()
      }
      for (const id of c.nodeIds) await c.kill(id)
      const w0 = performance.now()
      await c.heal()
      warms.push((performance.now() - w0) / 1000)
      log(`  warm restart ${r + 1}: ${warms.at(-1)?.toFixed(2)} s (all nodes killed, restarted on their data)`)
    } finally {
      await owned.stop({ keepRunDir: false })
    }
  }
  return { boot: summarize(boots), warm: summarize(warms), failover: summarize(failovers) }
}
