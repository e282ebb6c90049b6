import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { settingsTable } from '../../scripts/settings-table.js'

describe('README', () => {
  test("lists every broker setting that differs from Kafka's defaults, exactly as the harness sets it", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
    expect(readme).toContain(settingsTable())
  })
})
