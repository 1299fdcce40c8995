/** summary.md of a comparison of two runs: light (no vega), for pull requests and step summaries. */
import { CHANGE_RULE, formatChange, formatValue, unitSuffix, type MetricDiff } from './compare-metrics.ts'
import type { RunComparison, RunHeader } from './compare.ts'
import type { Chart } from './charts/common.ts'

/** A Markdown table cell: pipes escaped, line breaks flattened. */
const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

const runRow = (h: RunHeader) => `| ${cell(h.label)} | ${cell(h.scenario)} | ${h.startedAt} | ${h.machine.cpus} CPUs (${cell(h.machine.cpuModel)}) | svcbench ${h.versions.svcbench}, Node ${h.versions.node} | ${h.seed} | ${h.trials} |`

function metricRows(cmp: RunComparison, first: string, rows: readonly MetricDiff[]): string[] {
  const value = (d: MetricDiff, x: number | null) => `${formatValue(d.unit, x, d.censoredAtMs)}${x === null ? '' : unitSuffix(d.unit)}`
  return [
    `| ${first} | ${cell(cmp.labels[0])} | ${cell(cmp.labels[1])} | change | verdict |`,
    '|---|---:|---:|---:|---|',
    ...rows.map((d) => `| ${cell(d.label)} | ${value(d, d.a)} | ${value(d, d.b)} | ${formatChange(d)} | ${d.changed ? `**${d.verdict}**` : cell(d.reason)} |`),
  ]
}

/** The comparison in Markdown: both runs, what changed, the notes, a table per matched pair, the overlaid charts. */
export function comparisonMarkdown(cmp: RunComparison, charts: readonly Chart[]): string {
  const [la, lb] = cmp.labels
  const lines = [
    `# svcbench comparison: ${la} vs ${lb}`,
    '',
    '| run | scenario | started (UTC) | machine | versions | seed | trials |',
    '|---|---|---|---|---|---:|---:|',
    ...cmp.runs.map(runRow),
    '',
    '## What changed',
    '',
    ...cmp.findings.map((f) => `- ${f}`),
    '',
    `Rule: ${CHANGE_RULE}. Changes are ${lb} against ${la}.`,
    '',
    ...(cmp.notes.length === 0 ? [] : ['## Read before trusting the changes', '', ...cmp.notes.map((n) => `- ${n}`), '']),
    ...cmp.pairs.flatMap((p) => [
      `## ${p.a === p.b ? p.a : `${p.a} ↔ ${p.b}`}`,
      '',
      ...p.notes.map((n) => `- ${n}`),
      ...(p.notes.length === 0 ? [] : ['']),
      ...metricRows(cmp, 'metric', p.metrics),
      '',
      ...(p.shares.length === 0 ? [] : [...metricRows(cmp, 'pod', p.shares), '']),
    ]),
    ...charts.flatMap((c) => [`## ${c.title}`, '', `![${c.title}](charts/${c.name}.svg)`, '']),
  ]
  return `${lines.join('\n')}\n`
}
