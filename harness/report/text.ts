/** Plain-text tables: columns padded to their widest cell, two spaces apart. */

/** The lines of a table: the head, a rule of dashes under it (unless `rule` is false), then the rows. */
export function alignedLines(head: readonly string[], rows: readonly (readonly string[])[], { rule = true } = {}): string[] {
  const all = [head, ...rows]
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)))
  const line = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()
  return [line(head), ...(rule ? [line(widths.map((w) => '-'.repeat(w)))] : []), ...rows.map(line)]
}
