/** summary.md: light (no vega), so that the CLI can write a step summary without the reports. */
import type { Chart } from './charts/common.ts'
import { comparisonTable, variantWarnings } from './table.ts'
import { gateMarkdown } from '../gate/output.ts'
import type { RunResult } from '../model/results.ts'

/** The comparison table, the gate verdict and the charts, for $GITHUB_STEP_SUMMARY and pull requests. */
export function summaryMarkdown(result: RunResult, charts: readonly Chart[]): string {
  const lines = [
    `# svcbench: ${result.scenario.name}`,
    '',
    result.scenario.description,
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
