import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { settingsTable } from '../../scripts/settings-table.js'

describe('docs/running.md', () => {
  test("lists every broker setting that differs from Kafka's defaults, exactly as the harness sets it", () => {
    const running = readFileSync(new URL('../../docs/running.md', import.meta.url), 'utf8')
    expect(running).toContain(settingsTable())
  })
})
