/**
 * The client libraries the harness can drive, by name. Adding one is one folder
 * (harness/clients/<name>/, exporting a ClientAdapter) and one line here.
 */
import { ConfigError } from '../errors.js'
import { confluent } from './confluent/index.js'
import { franzGo } from './franz-go/index.js'
import { java } from './java/index.js'
import { kafkajs } from './kafkajs/index.js'
import { platformatic } from './platformatic/index.js'
import { closest } from './schema.js'
import type { ClientAdapter } from './types.js'

export const clients = {
  kafkajs,
  java,
  'franz-go': franzGo,
  confluent,
  platformatic,
} satisfies Record<string, ClientAdapter>

export type ClientName = keyof typeof clients
export const CLIENT_NAMES = Object.keys(clients) as ClientName[]
export const DEFAULT_CLIENT: ClientName = 'kafkajs'

/** The adapter called `name`; a ConfigError naming `field` and the known clients otherwise. */
export function adapterFor(name: unknown = DEFAULT_CLIENT, field = 'client'): ClientAdapter {
  if (typeof name === 'string' && Object.hasOwn(clients, name)) return clients[name as ClientName]
  const hint = typeof name === 'string' ? closest(name, CLIENT_NAMES) : undefined
  throw new ConfigError(field, `unknown client${hint ? `; did you mean '${hint}'?` : ''} Known clients: ${CLIENT_NAMES.join(', ')} (an adapter is a folder under harness/clients/, registered in harness/clients/registry.ts)`, name)
}
