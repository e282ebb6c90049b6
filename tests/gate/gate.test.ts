import { afterAll, describe, expect, test } from 'vitest'
import { contradictions, loadGateConfig, type Claim, type GateConfig } from '../../harness/gate/config.js'
import { BATTERY, breaches, describeBreach, profileOf, type Breach } from '../../harness/gate/battery.js'
import { ResultsCollector } from '../../harness/report/index.js'
import type { AcksOutcome } from '../../harness/scenarios/acks.js'
import { cluster } from '../../harness/vitest/fixture.js'

/**
 * The CI gate. With DURABILITY_CONFIG=<a.json>[,<b.json>] (what `npm run gate -- <file>` sets),
 * the battery runs against those configs and every claimed guarantee that a fault broke fails
 * its test, with the evidence. Without it, the battery runs the example configs and proves the
 * gate's three verdicts: the safe config passes, acks=1 fails on loss, the non-idempotent one
 * fails on duplicates.
 */
const teamFiles = process.env.DURABILITY_CONFIG?.split(',').filter(Boolean)
const files = teamFiles ?? ['examples/configs/safe.json', 'examples/configs/acks1.json', 'examples/configs/non-idempotent.json']
const configs: GateConfig[] = files.map((f) => loadGateConfig(f))

const results = new ResultsCollector('gate')
const outcomes = new Map<string, Promise<AcksOutcome>>()
/** Runs a battery scenario once, every config in its own lane. */
function outcome(name: string): Promise<AcksOutcome> {
  let o = outcomes.get(name)
  if (!o) {
    const s = BATTERY.find((x) => x.name === name)
    if (!s) throw new Error(`no battery scenario '${name}'`)
    o = s.run(cluster(), configs.map(profileOf)).then((out) => {
      for (const row of out.rows) results.add(row)
      return out
    })
    outcomes.set(name, o)
  }
  return o
}

async function breachesOf(config: GateConfig): Promise<Breach[]> {
  const all: Breach[] = []
  for (const s of BATTERY) {
    const o = await outcome(s.name)
    all.push(...breaches(config, s, o.variant(config.name), o.faults))
  }
  return all
}

afterAll(() => {
  results.print('gate: scenario × config')
  results.save()
})

if (teamFiles) {
  for (const config of configs) for (const c of contradictions(config)) console.log(`[gate] ${config.name}: ${c.field}: ${c.message}`)
  describe.each(configs)('gate: $name under the fault battery', (config) => {
    test.each(BATTERY.map((s) => s.name))('keeps its claims under %s', async (name) => {
      const s = BATTERY.find((x) => x.name === name)
      const o = await outcome(name)
      const found = breaches(config, s as (typeof BATTERY)[number], o.variant(config.name), o.faults)
      expect(found.map((b) => describeBreach(config, b)), `claims broken under ${name}`).toEqual([])
    })
  })
} else {
  const byName = (n: string) => configs.find((c) => c.name === n) as GateConfig
  const brokenClaims = async (n: string): Promise<Claim[]> => [...new Set((await breachesOf(byName(n))).map((b) => b.claim))].sort()

  describe('the gate proves its three verdicts on the example configs', () => {
    test('safe (acks=all, idempotent, one in flight) keeps every claim under every fault', async () => {
      expect((await breachesOf(byName('safe'))).map((b) => describeBreach(byName('safe'), b))).toEqual([])
    })

    test('acks1 fails on noAcknowledgedLoss, with the lost records as evidence', async () => {
      expect(await brokenClaims('acks1')).toEqual(['noAcknowledgedLoss'])
      const b = (await breachesOf(byName('acks1'))).find((x) => x.scenario === 'replication cut, then leader kill')
      expect(b?.count).toBeGreaterThan(0)
      expect(b?.evidence).toMatch(/acked at p\d+@\d+|@\d+/)
    })

    test('non-idempotent (retries, no idempotence) fails on noDuplicates, with the duplicated records as evidence', async () => {
      expect(await brokenClaims('non-idempotent')).toContain('noDuplicates')
      expect(contradictions(byName('non-idempotent')).map((c) => c.field)).toEqual(['claims.noDuplicates'])
    })
  })
}
