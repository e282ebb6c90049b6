import { homedir } from 'node:os'
import { join } from 'node:path'

/** Apache Kafka server version run by both providers (see docs/running.md, "Kafka version"). */
export const KAFKA_VERSION = '4.4.0'
/** Kafka 4.x brokers need Java 17 or newer. */
export const JAVA_MIN_MAJOR = 17
/** Shopify's Toxiproxy server, built with `go install` from the Go module proxy. */
export const TOXIPROXY_VERSION = 'v2.12.0'
export const TOXIPROXY_MODULE = 'github.com/Shopify/toxiproxy/v2/cmd/server'

/**
 * Where the runtime is cached, outside the work tree so that a fresh clone reuses it and a second
 * run makes no network call. Override with KAFKA_DURABILITY_CACHE.
 */
export function cacheDir(): string {
  const explicit = process.env.KAFKA_DURABILITY_CACHE
  if (explicit) return explicit
  const xdg = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache')
  return join(xdg, 'kafka-durability')
}

/** franz-go, the Go client its driver is built against (harness/clients/franz-go/driver/go.mod pins the same). */
export const FRANZ_GO_VERSION = 'v1.22.3'

/**
 * The Node clients installed into the cache by `npm run setup:clients`, each pinned with its
 * dependencies by harness/clients/<name>/install/package-lock.json. @platformatic/kafka stays on
 * 1.x: 2.x needs Node 22.22+.
 */
export const CLIENT_PACKAGES = {
  confluent: { name: '@confluentinc/kafka-javascript', version: '1.10.1' },
  platformatic: { name: '@platformatic/kafka', version: '1.35.0' },
} as const
