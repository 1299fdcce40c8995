/**
 * The comparison of two runs as files: report.html (one self-contained offline page, vega
 * inlined as in the run report), summary.md and charts/ (the overlay's charts: both runs'
 * variants side by side), written by `svcbench report a/results.json b/results.json`.
 */
import { buildCharts, libraries, writePage, type ReportPaths } from './write.ts'
import { escapeHtml } from './html/escape.ts'
import { reportPage } from './html/page.ts'
import { compareRuns, overlayResult, type RunComparison, type RunHeader, type VariantPair } from './compare.ts'
import { CHANGE_RULE, formatChange, formatValue, unitSuffix, type MetricDiff } from './compare-metrics.ts'
import { comparisonMarkdown } from './compare-markdown.ts'
import type { Chart } from './charts/common.ts'
import type { RunResult } from '../model/results.ts'

const runLine = (h: RunHeader) =>
  `<tr><th scope="row">${escapeHtml(h.label)}</th><td>${escapeHtml(h.scenario)}</td><td>${escapeHtml(h.startedAt)}</td><td>${h.machine.cpus} CPUs (${escapeHtml(h.machine.cpuModel)}), ${escapeHtml(h.machine.platform)}/${escapeHtml(h.machine.arch)}</td><td>svcbench ${escapeHtml(h.versions.svcbench)}, Node ${escapeHtml(h.versions.node)}</td><td class="num">${h.seed}</td><td class="num">${h.trials}</td></tr>`

/** The header: both runs, one row each. */
function runsTable(cmp: RunComparison): string {
  return `<table class="runs"><thead><tr><th>run</th><th>scenario</th><th>started (UTC)</th><th>machine</th><th>versions</th><th>seed</th><th>trials</th></tr></thead>
<tbody>${cmp.runs.map(runLine).join('\n')}</tbody></table>`
}

const VERDICT_TEXT: Record<MetricDiff['verdict'], string> = { better: 'better', worse: 'worse', changed: 'changed', same: '' }

/** One metric's row: its name, a's and b's values with the unit, the change, and the verdict (or why it does not count). */
function metricRow(d: MetricDiff): string {
  const unit = escapeHtml(unitSuffix(d.unit))
  const cell = (x: number | null) => `<td class="num">${escapeHtml(formatValue(d.unit, x, d.censoredAtMs))}${x === null ? '' : unit}</td>`
  const ci = d.ci === undefined ? '' : ` title="95% interval of the change: ${escapeHtml(formatChange({ ...d, relative: d.ci[0], absolute: d.ci[0] }))} to ${escapeHtml(formatChange({ ...d, relative: d.ci[1], absolute: d.ci[1] }))}"`
  const verdict = d.changed ? `<b>${VERDICT_TEXT[d.verdict]}</b>` : escapeHtml(d.reason)
  return `<tr class="${d.verdict}"><th scope="row">${escapeHtml(d.label)}</th>${cell(d.a)}${cell(d.b)}<td class="num change"${ci}>${escapeHtml(formatChange(d))}</td><td class="verdict">${verdict}</td></tr>`
}

/** A table of metrics, a's and b's values side by side. */
function metricTable(cmp: RunComparison, rows: readonly MetricDiff[], first: string, cls: string): string {
  const [la, lb] = cmp.labels.map(escapeHtml)
  return `<table class="${cls}"><thead><tr><th>${first}</th><th class="num">${la}</th><th class="num">${lb}</th><th class="num">change</th><th>verdict</th></tr></thead>
<tbody>${rows.map(metricRow).join('\n')}</tbody></table>`
}

/** One matched pair: its name, its notes, the headline figures and the pod shares, side by side. */
function pairSection(cmp: RunComparison, p: VariantPair): string {
  const title = p.a === p.b ? escapeHtml(p.a) : `${escapeHtml(p.a)} ↔ ${escapeHtml(p.b)}`
  return `<section class="pair"><h3>${title}</h3>
${p.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}
<div class="side">${metricTable(cmp, p.metrics, 'metric', 'metrics')}
${p.shares.length === 0 ? '' : metricTable(cmp, p.shares, 'pod', 'shares')}</div></section>`
}

/** The comparison page's own classes, after the report's house style (html/page.ts). */
const COMPARE_CSS = `
.side table{margin:8px 16px 8px 0} .side{display:flex;flex-wrap:wrap;align-items:flex-start}
tr.worse .change,tr.worse .verdict{color:#cf222e} tr.better .change,tr.better .verdict{color:#1a7f37} tr.changed .change,tr.changed .verdict{color:#8a5a00}
.verdict{color:#666} .note{color:#7a4a00;margin:4px 0} .rule{color:#555;font-size:12px}
`

/** The offline comparison page: both runs, what changed, the notes, a table per matched pair, the overlaid charts. */
export async function comparisonReportHtml(cmp: RunComparison, charts: Chart[]): Promise<string> {
  const [la, lb] = cmp.labels.map(escapeHtml)
  const unmatched = (['a', 'b'] as const).filter((k) => cmp.unmatched[k].length > 0).map((k) => `<p>only in ${k === 'a' ? la : lb}: ${cmp.unmatched[k].map(escapeHtml).join(', ')}</p>`)
  return reportPage({
    title: `${cmp.labels[0]} vs ${cmp.labels[1]}`,
    heading: `svcbench comparison: ${la} vs ${lb}`,
    header: [runsTable(cmp)],
    sections: [
      `<section><h2>What changed</h2><ul class="findings">${cmp.findings.map((f) => `<li>${escapeHtml(f)}</li>`).join('\n')}</ul>
<p class="rule">Rule: ${escapeHtml(CHANGE_RULE)}. Changes are ${lb} against ${la}; lower latency, errors, losses and detection times are better.</p></section>`,
      cmp.notes.length === 0 ? '' : `<section><h2>Read before trusting the changes</h2>${cmp.notes.map((n) => `<p class="note">${escapeHtml(n)}</p>`).join('\n')}</section>`,
      `<section><h2>Variants side by side</h2>
${cmp.pairs.map((p) => pairSection(cmp, p)).join('\n')}
${unmatched.join('\n')}</section>`,
    ],
    charts,
    libraries: await libraries(),
    css: COMPARE_CSS,
  })
}

/** Paths of what {@link writeComparisonReport} wrote, and the comparison itself. */
export interface ComparisonPaths extends ReportPaths {
  comparison: RunComparison
}

/**
 * Compare run b with run a and write report.html, summary.md and charts/<name>.vl.json + .svg
 * (the overlay's charts) into `dir`, which must exist.
 */
export async function writeComparisonReport(a: RunResult, b: RunResult, dir: string, labels?: [string, string]): Promise<ComparisonPaths> {
  const comparison = compareRuns(a, b, labels)
  const charts = buildCharts(overlayResult(a, b, comparison.labels))
  const paths = await writePage(dir, charts, await comparisonReportHtml(comparison, charts), comparisonMarkdown(comparison, charts))
  return { ...paths, comparison }
}
