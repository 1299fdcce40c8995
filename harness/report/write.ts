/**
 * Reports next to results.json: charts/<name>.vl.json (Vega-Lite, data inlined), charts/<name>.svg
 * (rendered in Node by vega's headless View), summary.md (the findings, the key figures, the
 * comparison and the charts) and report.html (one self-contained offline file: vega, vega-lite
 * and vega-embed inlined; its parts are built in html/).
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import * as vega from 'vega'
import { compile } from 'vega-lite'
import { CHART_BUILDERS } from './charts/index.ts'
import type { Chart } from './charts/common.ts'
import { loadLabel, variantWarnings } from './table.ts'
import { summaryMarkdown } from './markdown.ts'
import { findings } from './findings.ts'
import { kpis } from './kpi.ts'
import { escapeHtml, inlineScript } from './html/escape.ts'
import { reportPage } from './html/page.ts'
import { comparisonHtml, failoverHtml, udpHtml } from './html/tables.ts'
import { tilesHtml } from './html/tiles.ts'
import { findingsHtml } from './html/findings-html.ts'
import { gateHtml } from './html/gate-html.ts'
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

/**
 * The offline HTML report: a short header, the findings, the KPI tiles, the comparison, failover
 * and UDP tables, the warnings, the gate, then the charts.
 */
export async function reportHtml(result: RunResult, charts: Chart[]): Promise<string> {
  const v = result.versions
  const header = [
    `scenario <b>${escapeHtml(result.scenario.name)}</b>${result.scenario.description === '' ? '' : ` — ${escapeHtml(result.scenario.description)}`}`,
    `load model: ${result.variants.map((x) => `${escapeHtml(x.name)} ${escapeHtml(loadLabel(x))}`).join(' · ')} (latency from each request's intended start under the open model, from its write under the closed one; docs/load-models.md)`,
    `${escapeHtml(result.startedAt)} · ${result.machine.cpus} CPUs (${escapeHtml(result.machine.cpuModel)}) · svcbench ${escapeHtml(v.svcbench)}, Node ${escapeHtml(v.node)}, autocannon ${escapeHtml(v.autocannon)} · seed ${result.seed}${result.interrupted ? ' · <b>interrupted: partial results</b>' : ''}`,
  ]
  const warnings = variantWarnings(result)
  const failover = failoverHtml(result.variants)
  const udp = udpHtml(result.variants)
  const sections = [
    findingsHtml(findings(result)),
    tilesHtml(kpis(result)),
    `<section id="comparison"><h2>Comparison</h2>${comparisonHtml(result)}</section>`,
    failover === '' ? '' : `<section id="failover"><h2>Failover</h2>${failover}</section>`,
    udp === '' ? '' : `<section id="udp"><h2>UDP</h2>${udp}</section>`,
    warnings.length === 0 ? '' : `<section id="warnings"><h2>Warnings</h2><ul class="findings">${warnings.map((w) => `<li class="warn">${escapeHtml(w)}</li>`).join('')}</ul></section>`,
    gateHtml(result.gate),
  ]
  return reportPage({ title: result.scenario.name, header, sections, charts, libraries: await libraries() })
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
async function writeCharts(charts: readonly Chart[], dir: string): Promise<string[]> {
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

/** Write the charts, report.html and summary.md of a page into `dir` (a run's report, or a comparison's). */
export async function writePage(dir: string, charts: readonly Chart[], html: string, markdownText: string): Promise<ReportPaths> {
  const written = await writeCharts(charts, dir)
  const htmlFile = path.join(dir, 'report.html')
  const markdown = path.join(dir, 'summary.md')
  await fs.writeFile(htmlFile, html)
  await fs.writeFile(markdown, markdownText)
  return { html: htmlFile, markdown, markdownText, charts: written }
}

/** Write every report file into `dir` (the run's folder, next to results.json). */
export async function writeReports(result: RunResult, dir: string): Promise<ReportPaths> {
  const charts = buildCharts(result)
  return writePage(dir, charts, await reportHtml(result, charts), summaryMarkdown(result, charts))
}
