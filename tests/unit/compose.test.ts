import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { parse } from 'yaml'
import {
  IMAGES,
  TOXIPROXY_ALIAS,
  TOXIPROXY_API_PORT,
  brokerAlias,
  containerServerProperties,
  jvmEnvironment,
  propertyOfKafkaEnv,
  toxiproxyPort,
  toxiproxyProxies,
} from '../../harness/cluster/containers/wiring.js'

/**
 * docker-compose.yml is the suite's cluster for exploring by hand: it must say what the
 * containers provider does (node ids, listeners, voters, settings, proxy names and ports).
 */
interface Service {
  image: string
  command?: string[]
  volumes?: string[]
  ports?: string[]
  environment?: Record<string, string>
}
const root = new URL('../../', import.meta.url)
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, Service> }
const NODES = [1, 2, 3]

const service = (name: string): Service => {
  const s = compose.services[name]
  if (!s) throw new Error(`docker-compose.yml has no service ${name}; it has ${Object.keys(compose.services).join(', ')}`)
  return s
}

/** What the official image writes into server.properties: every KAFKA_* variable but its own. */
const NOT_PROPERTIES = new Set(['KAFKA_HEAP_OPTS', 'KAFKA_JVM_PERFORMANCE_OPTS', 'KAFKA_OPTS', 'KAFKA_LOG4J_OPTS', 'KAFKA_JMX_OPTS', 'KAFKA_GC_LOG_OPTS'])
const brokerProperties = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('KAFKA_') && !NOT_PROPERTIES.has(k)).map(([k, v]) => [propertyOfKafkaEnv(k), String(v)]))

const propertiesOf = (text: string): Record<string, string> =>
  Object.fromEntries(text.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))

describe('docker-compose.yml: the containers provider’s cluster, for exploring by hand', () => {
  test('has one Toxiproxy and three Kafka services, named as the provider’s network aliases, from its images', () => {
    expect(Object.keys(compose.services).sort()).toEqual([...NODES.map(brokerAlias), TOXIPROXY_ALIAS].sort())
    expect(service(TOXIPROXY_ALIAS).image).toBe(IMAGES.toxiproxy)
    for (const id of NODES) expect(service(brokerAlias(id)).image).toBe(IMAGES.kafka)
  })

  test.each(NODES)('kafka-%i gets the provider’s server.properties, advertising its client proxy on localhost', (id) => {
    const expected = propertiesOf(containerServerProperties({ id, nodes: NODES.length, clientAddress: `localhost:${toxiproxyPort(id, 'client')}` }))
    expect(brokerProperties(service(brokerAlias(id)).environment ?? {})).toEqual(expected)
  })

  test('every broker gets the provider’s JVM options and one cluster id', () => {
    const ids = new Set(NODES.map((id) => service(brokerAlias(id)).environment?.CLUSTER_ID))
    expect(ids.size).toBe(1)
    for (const id of NODES) expect(service(brokerAlias(id)).environment).toMatchObject(jvmEnvironment())
  })

  test('Toxiproxy creates the provider’s proxies at start and publishes the API and the client proxies unchanged, on 127.0.0.1 only', () => {
    const toxiproxy = service(TOXIPROXY_ALIAS)
    const config = toxiproxy.command?.find((a) => a.startsWith('-config='))?.slice('-config='.length)
    const mount = toxiproxy.volumes?.map((v) => v.split(':')).find(([, target]) => target === config)
    expect(mount?.[0], `a volume mounted at the -config path ${config}`).toBeDefined()
    const proxies = JSON.parse(readFileSync(new URL(mount?.[0] ?? '', root), 'utf8')) as unknown
    expect(proxies).toEqual(toxiproxyProxies(NODES.length))
    const published = [TOXIPROXY_API_PORT, ...NODES.map((id) => toxiproxyPort(id, 'client'))].map((p) => `127.0.0.1:${p}:${p}`)
    expect([...(toxiproxy.ports ?? [])].sort()).toEqual(published.sort())
  })
})
