import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { compareTableText, loadCompared, onClients, parseClientList, writeLaneConfigs } from '../../harness/gate/compare.js'
import { loadGateConfig } from '../../harness/gate/config.js'
import type { ConfigVerdict } from '../../harness/gate/verdict.js'

/** A config whose back-off grows ×3: kafkajs can, Java and librdkafka double theirs. */
const tripling = { name: 'orders', producer: { acks: 'all', idempotent: true, retryBackoff: { multiplier: 3 } }, claims: { noAcknowledgedLoss: true, noDuplicates: true } }

describe('the migration check: npm run gate -- --compare <clients> <config>', () => {
  test('--compare takes two or more known clients, each once, and names the closest for a typo', () => {
    expect(parseClientList('kafkajs, confluent')).toEqual(['kafkajs', 'confluent'])
    expect(() => parseClientList('kafkajs')).toThrow(/--compare: takes two or more clients/)
    expect(() => parseClientList(undefined)).toThrow(/--compare: takes two or more clients/)
    expect(() => parseClientList('kafkajs,confluent,kafkajs')).toThrow(/--compare: names kafkajs twice/)
    expect(() => parseClientList('kafkajs,franzgo')).toThrow(/--compare: unknown client; did you mean 'franz-go'\?/)
  })

  test("each client gets the config under <name>@<client>, or refuses it naming the field its client cannot honour", () => {
    const lanes = onClients(tripling, ['kafkajs', 'java', 'confluent', 'franz-go'])
    expect(lanes.map((l) => [l.client, l.config?.name ?? null, l.config?.client ?? null])).toEqual([
      ['kafkajs', 'orders@kafkajs', 'kafkajs'],
      ['java', null, null],
      ['confluent', null, null],
      ['franz-go', 'orders@franz-go', 'franz-go'],
    ])
    expect(lanes[1]!.refused).toMatch(/^producer\.retryBackoff\.multiplier: kafka-clients doubles its back-off/)
    expect(lanes[2]!.refused).toMatch(/^producer\.retryBackoff\.multiplier: librdkafka doubles its back-off/)
  })

  test('a config invalid on every client for one reason is the config’s error, naming its file; the lane files load as gate configs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kd-compare-'))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({ ...tripling, producer: { acks: 'all', idempotant: true } }))
    expect(() => loadCompared(bad, ['kafkajs', 'java'])).toThrow(`${bad}: producer.idempotant: unknown option; did you mean 'idempotent'?`)
    const good = join(dir, 'orders.json')
    writeFileSync(good, JSON.stringify(tripling))
    const lanes = loadCompared(good, ['kafkajs', 'java'])
    const files = writeLaneConfigs(good, lanes, join(dir, 'lanes'))
    expect(files).toEqual([join(dir, 'lanes', 'orders@kafkajs.json')])
    expect(loadGateConfig(files[0]!)).toMatchObject({ name: 'orders@kafkajs', client: 'kafkajs', producer: { retryBackoff: { multiplier: 3 } } })
    expect(JSON.parse(readFileSync(files[0]!, 'utf8')).claims).toEqual(tripling.claims)
  })

  test('the side-by-side table: claims down, clients across, REFUSED where a client refused, each cell as the verdict table has it', () => {
    const lanes = onClients(tripling, ['kafkajs', 'java', 'franz-go'])
    const kept = (claim: 'noAcknowledgedLoss' | 'noDuplicates') => ({ claim, status: 'kept' as const, reason: '', scenarios: [{ scenario: 's', status: 'kept' as const } as never] })
    const verdicts: ConfigVerdict[] = [
      { config: 'orders@kafkajs', passed: true, claims: [kept('noAcknowledgedLoss'), kept('noDuplicates')], retry: {} as never },
      { config: 'orders@franz-go', passed: false, claims: [kept('noAcknowledgedLoss'), { claim: 'noDuplicates', status: 'broken', reason: 'r', breach: { scenario: 'connections reset mid-produce', count: 2, anomaly: 'duplicated' } as never, scenarios: [] }], retry: {} as never },
    ]
    const text = compareTableText(lanes, verdicts)
    console.log(text)
    const row = (label: string) => text.split('\n').find((l) => l.includes(label))!.trim().split(/\s{2,}/)
    expect(row('gate')).toEqual(['orders', 'gate', 'PASS', 'REFUSED', 'FAIL'])
    expect(row('noDuplicates')).toEqual(['noDuplicates', 'kept (1/1)', 'REFUSED', 'BROKEN: 2 duplicated (connections reset mid-produce)'])
    expect(row('perKeyOrder')).toEqual(['perKeyOrder', '-', 'REFUSED', '-'])
    expect(text).toMatch(/orders@java REFUSED: producer\.retryBackoff\.multiplier: kafka-clients doubles/)
  })
})
