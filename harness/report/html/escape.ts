/** Escaping for report.html: text into HTML, and script text that must not close its tag. Pure. */

/** Text (or an attribute's value) as HTML: `&`, `<`, `>`, `"` and `'` escaped. */
export const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

/** A script tag's content must not close the tag. */
export const inlineScript = (js: string): string => js.replace(/<\/script/gi, '<\\/script')

/** A table cell: right-aligned with a `data-sort` value when it holds a figure, else plain text (escaped). */
export function cell(text: string, sort?: number | null, attrs = ''): string {
  const a = attrs === '' ? '' : ` ${attrs}`
  return sort === undefined || sort === null || !Number.isFinite(sort) ? `<td${a}>${escapeHtml(text)}</td>` : `<td class="num" data-sort="${Number(sort.toPrecision(12))}"${a}>${escapeHtml(text)}</td>`
}

/** A header row of a sortable table: a click on a header sorts the rows below it by that column. */
export function sortableHead(labels: readonly string[], numeric: (i: number) => boolean, tag: 'thead' | 'row' = 'thead'): string {
  const ths = labels.map((l, i) => `<th data-col="${i}"${numeric(i) ? ' class="num"' : ''} title="sort by ${escapeHtml(l)}">${escapeHtml(l)}</th>`).join('')
  return tag === 'thead' ? `<thead><tr>${ths}</tr></thead>` : `<tr class="head">${ths}</tr>`
}
