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
