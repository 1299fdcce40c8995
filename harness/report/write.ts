/**
 * Reports next to results.json: charts/<name>.vl.json (Vega-Lite, data inlined), charts/<name>.svg
 * (rendered in Node by vega's headless View), summary.md (the comparison and the charts) and
 * report.html (one self-contained offline file: vega, vega-lite and vega-embed inlined).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as vega from 'vega'
import { compile } from 'vega-lite'
import { CHART_BUILDERS } from './charts/index.ts'
import type { Chart } from './charts/common.ts'
import { comparisonTable, loadLabel, variantWarnings } from './table.ts'
import { gateText } from '../gate/output.ts'
import { summaryMarkdown } from './markdown.ts'
import type { RunResult } from '../model/results.ts'

const require = createRequire(import.meta.url)

/** Every chart that applies to this run (a builder may give one per variant). */
export function buildCharts(result: RunResult): Chart[] {
  return CHART_BUILDERS.flatMap((b) => b(result) ?? [])
}

/** SVG of a Vega-Lite spec, rendered without a browser. */
export async function renderSvg(chart: Chart): Promise<string> {
  const view = new vega.View(vega.parse(compile(chart.spec).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

/** Text made safe inside HTML elements and double-quoted attributes. */
export const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** A script tag's content must not close the tag. */
const inlineScript = (js: string) => js.replace(/<\/script/gi, '<\\/script')

/** vega, vega-lite and vega-embed as inline script tags, so a page works offline. */
export async function libraries(): Promise<string> {
  // The browser builds sit next to each package's entry point, in build/ (the packages' exports
  // do not expose them by path).
  const files: [string, string][] = [
    ['vega', 'vega.min.js'],
    ['vega-lite', 'vega-lite.min.js'],
    ['vega-embed', 'vega-embed.min.js'],
  ]
  const parts = await Promise.all(files.map(([pkg, file]) => fs.readFile(path.join(path.dirname(require.resolve(pkg)), file), 'utf8')))
  return parts.map((js) => `<script>${inlineScript(js)}</script>`).join('\n')
}

/** The offline HTML report. */
export async function reportHtml(result: RunResult, charts: Chart[]): Promise<string> {
  const v = result.versions
  const header = [
    `scenario <b>${escapeHtml(result.scenario.name)}</b>${result.scenario.description === '' ? '' : ` — ${escapeHtml(result.scenario.description)}`}`,
    `variants: ${result.variants.map((x) => escapeHtml(x.name)).join(', ')}`,
    `load model: ${result.variants.map((x) => `${escapeHtml(x.name)} ${escapeHtml(loadLabel(x))}`).join(' · ')} (latency from each request's intended start under the open model, from its write under the closed one; docs/load-models.md)`,
    `${escapeHtml(result.startedAt)} · ${result.machine.cpus} CPUs (${escapeHtml(result.machine.cpuModel)}) · svcbench ${v.svcbench}, Node ${v.node}, autocannon ${v.autocannon} · seed ${result.seed}${result.interrupted ? ' · <b>interrupted: partial results</b>' : ''}`,
  ]
  const specs = JSON.stringify(charts.map((c) => ({ id: c.name, spec: c.spec }))).replace(/<\//g, '<\\/')
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>svcbench: ${escapeHtml(result.scenario.name)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:22px;margin:0 0 4px} .meta{color:#555;margin:2px 0}
pre{background:#f6f8fa;padding:12px;overflow:auto;font-size:12px;line-height:1.3}
section{margin:28px 0} .chart{min-height:60px}
</style>
${await libraries()}
</head><body>
<h1>svcbench report</h1>
${header.map((h) => `<p class="meta">${h}</p>`).join('\n')}
<section><h2>Summary</h2><pre>${escapeHtml(comparisonTable(result))}</pre></section>
${variantWarnings(result).length === 0 ? '' : `<section><h2>Warnings</h2><pre>${escapeHtml(variantWarnings(result).join('\n'))}</pre></section>`}
${result.gate === undefined ? '' : `<section><h2>Gate: ${result.gate.verdict.toUpperCase()}</h2><pre>${escapeHtml(gateText(result.gate))}</pre></section>`}
${charts.map((c) => `<section><h2>${escapeHtml(c.title)}</h2><div class="chart" id="chart-${c.name}"></div></section>`).join('\n')}
<script>
const charts = ${specs};
window.svcbenchRendered = Promise.all(charts.map((c) => vegaEmbed('#chart-' + c.id, c.spec, { actions: false, renderer: 'svg' })));
</script>
</body></html>
`
}

/** Paths of what {@link writeReports} wrote. */
export interface ReportPaths {
  html: string
  markdown: string
  /** What summary.md holds. */
  markdownText: string
  charts: string[]
}

/** Write each chart as `dir`/charts/<name>.vl.json and .svg; returns the paths written. */
export async function writeCharts(charts: readonly Chart[], dir: string): Promise<string[]> {
  await fs.mkdir(path.join(dir, 'charts'), { recursive: true })
  const written: string[] = []
  for (const c of charts) {
    const base = path.join(dir, 'charts', c.name)
    await fs.writeFile(`${base}.vl.json`, `${JSON.stringify(c.spec, null, 2)}\n`)
    await fs.writeFile(`${base}.svg`, await renderSvg(c))
    written.push(`${base}.vl.json`, `${base}.svg`)
  }
  return written
}

/** Write every report file into `dir` (the run's folder, next to results.json). */
export async function writeReports(result: RunResult, dir: string): Promise<ReportPaths> {
  const charts = buildCharts(result)
  const written = await writeCharts(charts, dir)
  const html = path.join(dir, 'report.html')
  const markdown = path.join(dir, 'summary.md')
  await fs.writeFile(html, await reportHtml(result, charts))
  const markdownText = summaryMarkdown(result, charts)
  await fs.writeFile(markdown, markdownText)
  return { html, markdown, markdownText, charts: written }
}
