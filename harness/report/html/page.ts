/**
 * report.html's page: the layout and its CSS, the small script that sorts a table by a clicked
 * header (numbers by their `data-sort` value), and the charts' embedding. Pure: the caller passes
 * the sections, already HTML, and the inlined libraries.
 */
import { escapeHtml, inlineScript } from './escape.ts'
import type { Chart } from '../charts/common.ts'

/** What the page is made of, in order; each an HTML fragment ('' to leave it out). */
export interface PageParts {
  /** The page's title (the scenario's name), text. */
  title: string
  /** The short header's lines, HTML. */
  header: string[]
  /** The sections between the header and the charts (findings, tiles, tables, warnings, gate), HTML. */
  sections: string[]
  charts: readonly Chart[]
  /** `<script>` tags of vega, vega-lite and vega-embed. */
  libraries: string
  /** The page's heading, HTML. @default 'svcbench report' */
  heading?: string
  /** CSS added after the house style (a page's own classes). @default '' */
  css?: string
}

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222;background:#fff}
main.content{width:100%;max-width:1440px;min-width:0;margin:0 auto;padding:20px 28px 40px}
h1{font-size:22px;margin:0 0 4px} h2{font-size:18px;margin:0 0 10px} h3{font-size:15px;margin:14px 0 6px}
.meta{color:#555;margin:2px 0}
section{margin:28px 0} .chart{min-height:60px;width:100%}
ul.findings{margin:4px 0 8px;padding-left:20px} ul.findings li{margin:3px 0}
li.warn{color:#8a1c00} li.warn::marker{content:'⚠  '}
.tiles{display:flex;flex-direction:column;gap:10px}
.tile-row{display:flex;flex-wrap:wrap;gap:8px;align-items:stretch}
.tile-row h3{width:160px;margin:auto 0;overflow-wrap:anywhere}
.tile{border:1px solid #d8dee4;border-radius:6px;padding:6px 10px;min-width:130px;background:#f6f8fa}
.tile .label{color:#555;font-size:12px} .tile .value{font-size:17px;font-weight:600;font-variant-numeric:tabular-nums}
.tile .delta{font-size:12px} .delta.better{color:#1a7f37} .delta.worse{color:#cf222e} .delta.same{color:#6e7781}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border:1px solid #d8dee4;padding:3px 8px;vertical-align:top}
thead th,tr.head th{background:#f6f8fa}
th[data-col]{cursor:pointer;user-select:none} th[data-col]:hover{background:#eaeef2}
th[data-dir=asc]::after{content:' ▲';font-size:10px} th[data-dir=desc]::after{content:' ▼';font-size:10px}
tbody th{text-align:left;font-weight:normal;white-space:nowrap}
table.failover td,table.gate td{white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.pass{color:#1a7f37;font-weight:600} td.fail{color:#cf222e;font-weight:600}
.node{color:#6e7781} caption{caption-side:bottom;text-align:left;color:#555;font-size:12px;padding-top:4px}
`

/** Sorts the rows below a clicked header (its tbody's, or the table's first tbody), numbers by data-sort. */
const SORT_SCRIPT = `
document.addEventListener('click', (e) => {
  const th = e.target instanceof Element ? e.target.closest('th[data-col]') : null
  if (th === null) return
  const body = th.closest('tbody') ?? th.closest('table').tBodies[0]
  const col = Number(th.dataset.col)
  const dir = th.dataset.dir === 'asc' ? 'desc' : 'asc'
  for (const other of th.parentElement.querySelectorAll('th[data-dir]')) delete other.dataset.dir
  th.dataset.dir = dir
  const key = (row) => {
    const c = row.cells[col]
    if (c === undefined) return ''
    return c.dataset.sort !== undefined ? Number(c.dataset.sort) : c.textContent.trim()
  }
  const rows = [...body.rows].filter((r) => !r.classList.contains('head'))
  rows.sort((a, b) => {
    const x = key(a), y = key(b)
    const d = typeof x === 'number' && typeof y === 'number' ? x - y : typeof x === 'number' ? -1 : typeof y === 'number' ? 1 : x.localeCompare(y, 'en', { numeric: true })
    return dir === 'asc' ? d : -d
  })
  for (const r of rows) body.appendChild(r)
})
`

/** The whole page. */
export function reportPage(p: PageParts): string {
  const specs = JSON.stringify(p.charts.map((c) => ({ id: c.name, spec: c.spec }))).replace(/<\//g, '<\\/')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>svcbench: ${escapeHtml(p.title)}</title>
<style>${CSS}${p.css ?? ''}</style>
${p.libraries}
</head><body>
<main class="content">
<header><h1>${p.heading ?? 'svcbench report'}</h1>
${p.header.map((h) => `<p class="meta">${h}</p>`).join('\n')}
</header>
${p.sections.filter((s) => s !== '').join('\n')}
${p.charts.map((c) => `<section><h2>${escapeHtml(c.title)}</h2><div class="chart" id="chart-${c.name}"></div></section>`).join('\n')}
</main>
<script>${inlineScript(SORT_SCRIPT)}</script>
<script>
const charts = ${specs};
window.svcbenchRendered = Promise.all(charts.map((c) => vegaEmbed('#chart-' + c.id, c.spec, { actions: false, renderer: 'svg' })));
</script>
</body></html>
`
}
