/** `npm run setup`: checks Java and fetches/caches Kafka and Toxiproxy, printing what it did. */
import { ensureRuntime } from './install.js'
import { cacheDir } from './versions.js'

const cmd = process.argv[2] ?? 'install'
if (cmd !== 'install') {
  console.error(`unknown command '${cmd}'; usage: tsx harness/runtime/cli.ts install`)
  process.exit(2)
}
try {
  const rt = await ensureRuntime((l) => console.log(`[runtime] ${l}`))
  console.log(`[runtime] java ${rt.javaMajor} (${rt.java}), Kafka ${rt.kafkaVersion}, Toxiproxy ${rt.toxiproxyVersion}; cache ${cacheDir()}`)
} catch (e) {
  console.error(`[runtime] ${(e as Error).message}`)
  process.exit(1)
}
