/** Prints docs/running.md's table of broker settings that differ from Kafka's defaults. */
import { JVM_OPTIONS, TUNED_SETTINGS } from '../harness/cluster/config.js'

export function settingsTable(): string {
  const rows = TUNED_SETTINGS.map((s) => `| \`${s.key}\` | \`${s.value}\` | \`${s.kafkaDefault}\` | ${s.why} |`)
  return [
    '| setting | here | Kafka default | why |',
    '|---|---|---|---|',
    ...rows,
    `| JVM (per node) | \`${JVM_OPTIONS.join(' ')}\` | \`-Xmx1G -Xms1G\`, G1 | three JVMs share two cores |`,
  ].join('\n')
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(settingsTable())
