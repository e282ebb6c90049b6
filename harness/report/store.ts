import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { matrixText } from './matrix.js'
import type { ScenarioResult } from './result.js'

/** Where every run writes its report (REPORTS_DIR overrides). */
export function reportsDir(): string {
  return resolve(process.env.REPORTS_DIR ?? 'reports')
}

/**
 * Collects the rows of one scenario file; `save()` writes them to reports/results/<suite>.json
 * (the report is assembled from these files) and `print()` shows the matrix.
 */
export class ResultsCollector {
  readonly rows: ScenarioResult[] = []
  constructor(readonly suite: string) {}

  add(row: ScenarioResult): ScenarioResult {
    this.rows.push(row)
    return row
  }

  save(): string {
    const dir = join(reportsDir(), 'results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${this.suite}.json`)
    writeFileSync(file, JSON.stringify({ suite: this.suite, writtenAt: new Date().toISOString(), rows: this.rows }, null, 2))
    return file
  }

  print(title = this.suite): void {
    if (this.rows.length) console.log(`\n${title}\n${matrixText(this.rows)}\n`)
  }
}

/** Every row saved under reports/results, ordered by suite file name. */
export function loadResults(dir = join(reportsDir(), 'results')): ScenarioResult[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(dir, f), 'utf8')) as { rows: ScenarioResult[] }).rows)
}
