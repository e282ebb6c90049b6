/**
 * `npm run setup`: checks Java and fetches/caches Kafka and Toxiproxy, printing what it did.
 * `npm run setup -- --clients[=java,franz-go,confluent,platformatic]` (or `npm run setup:clients`)
 * also installs the other producer clients into the cache (harness/runtime/clients.ts), each
 * step timed.
 */
import { ensureClients, parseClientsFlag } from './clients.js'
import { ensureRuntime } from './install.js'
import { cacheDir } from './versions.js'

const [cmd = 'install', ...args] = process.argv.slice(2)
if (cmd !== 'install' || args.some((a) => a !== '--clients' && !a.startsWith('--clients='))) {
  console.error(`unknown arguments '${process.argv.slice(2).join(' ')}'; usage: tsx harness/runtime/cli.ts install [--clients[=java,franz-go,confluent,platformatic]]`)
  process.exit(2)
}
try {
  const clients = parseClientsFlag(args)
  const rt = await ensureRuntime((l) => console.log(`[runtime] ${l}`))
  console.log(`[runtime] java ${rt.javaMajor} (${rt.java}), Kafka ${rt.kafkaVersion}, Toxiproxy ${rt.toxiproxyVersion}; cache ${cacheDir()}`)
  if (clients !== undefined) {
    const steps = await ensureClients(clients, (l) => console.log(`[clients] ${l}`))
    const total = steps.reduce((s, x) => s + x.ms, 0)
    console.log(`[clients] ${clients.join(', ')}: ${steps.filter((s) => !s.cached).length} of ${steps.length} steps built, ${total} ms in all`)
  }
} catch (e) {
  console.error(`[runtime] ${(e as Error).message}`)
  process.exit(1)
}
