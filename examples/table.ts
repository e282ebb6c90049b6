/** Plain-text tables for the examples: columns left-aligned, separated by two spaces (like Go's tabwriter). */
export function formatTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = [header, ...rows].map((r) => r.map(String))
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)))
  return cells.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ')).join('\n') + '\n'
}

/** HH:MM:SS.mmm in local time, as the lecture prints broker timestamps. */
export function clockTime(ms: number): string {
  const d = new Date(ms)
  const two = (n: number) => String(n).padStart(2, '0')
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`
}
