/** summary.md: light (no vega), so that the CLI can write a step summary without the reports. */
import type { Chart } from './charts/common.ts'
import { comparisonTable, variantWarnings } from './table.ts'
import { findings, type Finding } from './findings.ts'
import { KPI_KEYS, kpis, type VariantKpis } from './kpi.ts'
import { gateMarkdown } from '../gate/output.ts'
import type { RunResult } from '../model/results.ts'

/** Text safe in a Markdown table cell or bullet: no HTML, no cell break. */
const md = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|')

/** The findings as bullets: the variant's name in bold, warnings marked ⚠️. */
export function findingsMarkdown(fs: readonly Finding[]): string[] {
  return fs.map((f) => `- ${f.severity === 'warn' ? '⚠️ ' : ''}${f.variant === null ? '' : `**${md(f.variant)}**: `}${md(f.text)}`)
}

/** The KPI tiles as a Markdown table: a row per variant, each figure with its difference to the first. */
export function kpiMarkdown(ks: readonly VariantKpis[]): string[] {
  if (ks.length === 0) return []
  const labels = ks[0]!.tiles.map((t) => t.label)
  const rows = ks.map((k) => `| ${md(k.variant)} | ${k.tiles.map((t) => `${md(t.text)}${t.delta === null ? '' : ` (${md(t.delta.text)}, ${t.delta.direction === 'same' ? 'within noise' : t.delta.direction})`}`).join(' | ')} |`)
  return [`| variant | ${labels.join(' | ')} |`, `|---|${KPI_KEYS.map(() => '---:').join('|')}|`, ...rows]
}

/** The findings, the key figures, the comparison table, the gate verdict and the charts, for $GITHUB_STEP_SUMMARY and pull requests. */
export function summaryMarkdown(result: RunResult, charts: readonly Chart[]): string {
  const ks = kpis(result)
  const lines = [
    `# svcbench: ${result.scenario.name}`,
    '',
    result.scenario.description,
    '',
    '## Findings',
    '',
    ...findingsMarkdown(findings(result)),
    '',
    ...(ks.length === 0 ? [] : ['## Key figures', '', ...kpiMarkdown(ks), '', ks.length > 1 ? `Differences are to ${md(ks[0]!.variant)}.` : '', '']),
    '## Comparison',
    '',
    '```',
    comparisonTable(result),
    '```',
    '',
    ...(variantWarnings(result).length === 0 ? [] : ['## Warnings', '', ...variantWarnings(result).map((w) => `- ${w}`), '']),
    ...(result.gate === undefined ? [] : [gateMarkdown(result.gate)]),
    ...charts.flatMap((c) => [`## ${c.title}`, '', `![${c.title}](charts/${c.name}.svg)`, '']),
  ]
  return `${lines.join('\n')}\n`
}
