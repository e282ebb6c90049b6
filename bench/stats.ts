/** min / median / max of a series, and a line that prints them. */
export interface Summary {
  n: number
  min: number
  median: number
  max: number
}

export function summarize(xs: number[]): Summary {
  const s = [...xs].sort((a, b) => a - b)
  if (s.length === 0) return { n: 0, min: NaN, median: NaN, max: NaN }
  const mid = Math.floor(s.length / 2)
  const median = s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
  return { n: s.length, min: s[0] as number, median, max: s[s.length - 1] as number }
}

export function line(label: string, s: Summary, unit: string, target?: { max: number }): string {
  const f = (x: number) => (unit === 's' ? x.toFixed(2) : x.toFixed(0))
  const verdict = target ? (s.median <= target.max ? `  (target ≤ ${target.max} ${unit}: met)` : `  (target ≤ ${target.max} ${unit}: MISSED)`) : ''
  return `${label.padEnd(44)} min ${f(s.min)} ${unit}  median ${f(s.median)} ${unit}  max ${f(s.max)} ${unit}  (n=${s.n})${verdict}`
}
