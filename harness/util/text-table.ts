/** Plain-text tables for the terminal: rows of cells, aligned in columns. Pure. */

function align(rows: readonly string[][], rightAligned: (column: number) => boolean): string {
  const widths: number[] = []
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)))
  return rows
    .map((r) => r.map((c, i) => (rightAligned(i) ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd())
    .join('\n')
}

/** Render rows as aligned columns (first column left, the rest right-aligned). */
export function alignColumns(rows: readonly string[][]): string {
  return align(rows, (i) => i > 0)
}

/** Render rows as aligned columns, every column left-aligned. */
export function alignLeft(rows: readonly string[][]): string {
  return align(rows, () => false)
}
