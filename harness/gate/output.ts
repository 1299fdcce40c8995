/**
 * The gate verdict as text for the terminal, Markdown for summary.md, JUnit XML for CI systems
 * and GitHub workflow-command annotations. Pure functions of a GateResult.
 */
import { metricUnit } from './metrics.ts'
import { alignLeft } from '../util/text-table.ts'
import type { GateResult, Comparison, ThresholdResult } from '../model/gate-result.ts'

/** A metric value with its unit, for people: 11.5 ms, 0.52%, 22,692. */
export function formatMetric(path: string, x: number | null): string {
  if (x === null) return 'null'
  const u = metricUnit(path)
  const num = (v: number, d: number) => v.toLocaleString('en-US', { maximumFractionDigits: d })
  if (u === 'ms') return `${num(x, 3)} ms`
  if (u === 's') return `${num(x, 3)} s`
  if (u === 'pct') return `${num(x, 2)}%`
  if (path === 'errors.rate' || path.endsWith('.share') || path.endsWith('clientsRemapped')) return `${num(x * 100, 3)}%`
  return num(x, Math.abs(x) >= 100 ? 1 : 4)
}

/** The change of a comparison: +5.2% for ratios, +0.12 pp / +0.3 ms for differences. */
export function formatChange(c: Pick<Comparison, 'mode' | 'path'>, x: number): string {
  if (!Number.isFinite(x)) return 'n/a'
  const sign = x > 0 ? '+' : ''
  if (c.mode === 'ratio') return `${sign}${(x * 100).toFixed(1)}%`
  if (c.path === 'errors.rate') return `${sign}${(x * 100).toFixed(2)} pp`
  return `${sign}${formatMetric(c.path, x)}`
}

const thresholdLine = (t: ThresholdResult) => `${t.pass ? 'PASS' : 'FAIL'}  ${t.variant}  ${t.path} ${t.condition}  measured ${formatMetric(t.path, t.measured)}${t.note === undefined ? '' : ` (${t.note})`}`

function comparisonRows(cs: readonly Comparison[]): string[][] {
  return [
    ['variant', 'metric', 'baseline', 'current', 'change', '95% CI', 'p', 'verdict'],
    ...cs.map((c) => [c.variant, c.path, formatMetric(c.path, c.baseline), formatMetric(c.path, c.current), formatChange(c, c.change), `[${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}]`, String(c.pValue), c.verdict === 'unchanged' ? `ok: ${c.reason}` : c.verdict.toUpperCase()]),
  ]
}

/** Failures, one line each (for the verdict line, annotations and JUnit). */
export function failures(g: GateResult): string[] {
  return [
    ...(g.aborted === null ? [] : [`${g.aborted.variant}: aborted at ${g.aborted.atSec}s: ${g.aborted.path} ${g.aborted.condition} failed (measured ${formatMetric(g.aborted.path, g.aborted.measured)})`]),
    ...g.thresholds.filter((t) => !t.pass).map((t) => `${t.variant}: threshold ${t.path} ${t.condition} failed: measured ${formatMetric(t.path, t.measured)}${t.note === undefined ? '' : ` (${t.note})`}`),
    ...g.comparisons.filter((c) => c.verdict === 'regression').map((c) => `${c.variant}: ${c.path} regressed ${formatChange(c, c.change)} (${formatMetric(c.path, c.baseline)} → ${formatMetric(c.path, c.current)}, p ${c.pValue}, 95% CI [${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}])`),
  ]
}

function verdictLine(g: GateResult): string {
  const checks = g.thresholds.length + g.comparisons.length
  const failed = failures(g).length
  if (g.verdict === 'none') return 'gate: nothing to check (no thresholds, no --baseline)'
  return `gate: ${g.verdict.toUpperCase()} (${failed} of ${checks + (g.aborted === null ? 0 : 1)} checks failed)`
}

function baselineHeading(g: GateResult): string {
  const b = g.baseline!
  const o = g.options
  return `baseline ${b.name} (${b.file}, saved ${b.savedAt.slice(0, 19)}Z on ${b.machine}); ${o.trials} trial${o.trials === 1 ? '' : 's'} now; regression = Mann-Whitney p < ${o.alpha} and change ≥ ${(o.minChange * 100).toFixed(1)}%${o.normalize ? '; throughput and latency normalized to the calibration path' : ''}`
}

/** Terminal text. */
export function gateText(g: GateResult): string {
  const out: string[] = []
  if (g.thresholds.length > 0) out.push('thresholds', ...g.thresholds.map((t) => `  ${thresholdLine(t)}`))
  if (g.baseline !== null) {
    out.push(baselineHeading(g))
    if (g.comparisons.length > 0) out.push(...alignLeft(comparisonRows(g.comparisons)).split('\n').map((l) => `  ${l}`))
  }
  for (const n of g.notes) out.push(`note: ${n}`)
  if (g.aborted !== null) out.push(`aborted: ${failures(g)[0]}`)
  out.push(verdictLine(g))
  return out.join('\n')
}

const md = (s: string) => s.replace(/\|/g, '\\|')

/** Markdown for summary.md and $GITHUB_STEP_SUMMARY. */
export function gateMarkdown(g: GateResult): string {
  const icon = g.verdict === 'fail' ? '❌' : g.verdict === 'pass' ? '✅' : '➖'
  const out = [`## Gate: ${icon} ${g.verdict.toUpperCase()}`, '']
  const fails = failures(g)
  if (fails.length > 0) out.push(...fails.map((f) => `- **${md(f)}**`), '')
  if (g.thresholds.length > 0) {
    out.push('### Thresholds', '', '| | variant | metric | limit | measured |', '|---|---|---|---|---|')
    for (const t of g.thresholds) out.push(`| ${t.pass ? '✅' : '❌'} | ${t.variant} | \`${t.path}\` | \`${md(t.condition)}\` | ${formatMetric(t.path, t.measured)}${t.note === undefined ? '' : ` (${t.note})`} |`)
    out.push('')
  }
  if (g.baseline !== null) {
    out.push('### Baseline', '', md(baselineHeading(g)), '')
    if (g.comparisons.length > 0) {
      const rows = comparisonRows(g.comparisons)
      out.push(`| ${rows[0]!.join(' | ')} |`, `|${rows[0]!.map(() => '---').join('|')}|`, ...rows.slice(1).map((r) => `| ${r.map(md).join(' | ')} |`), '')
    }
  }
  for (const n of g.notes) out.push(`> ${md(n)}`, '')
  return `${out.join('\n')}\n`
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** JUnit XML: one testcase per threshold and per compared metric (and one for an abort). */
export function junitXml(g: GateResult, scenario: string, timeSec: number): string {
  const cases: string[] = []
  const tc = (classname: string, name: string, failure: string | undefined) =>
    `    <testcase classname="${xml(classname)}" name="${xml(name)}" time="0">${failure === undefined ? '' : `\n      <failure message="${xml(failure)}" type="svcbench.gate">${xml(failure)}</failure>\n    `}</testcase>`
  for (const t of g.thresholds) {
    cases.push(tc(`svcbench.${scenario}.thresholds`, `${t.variant} ${t.path} ${t.condition}`, t.pass ? undefined : `measured ${formatMetric(t.path, t.measured)}; expected ${t.condition}${t.note === undefined ? '' : ` (${t.note})`}`))
  }
  for (const c of g.comparisons) {
    cases.push(tc(`svcbench.${scenario}.baseline`, `${c.variant} ${c.path}`, c.verdict === 'regression' ? `regressed ${formatChange(c, c.change)}: ${formatMetric(c.path, c.baseline)} → ${formatMetric(c.path, c.current)}, p ${c.pValue}, 95% CI [${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}]` : undefined))
  }
  if (g.aborted !== null) cases.push(tc(`svcbench.${scenario}.abort`, `${g.aborted.variant} ${g.aborted.path} ${g.aborted.condition}`, failures(g)[0]))
  const failed = failures(g).length
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="svcbench" tests="${cases.length}" failures="${failed}" errors="0" time="${timeSec.toFixed(3)}">`,
    `  <testsuite name="svcbench ${xml(scenario)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0" time="${timeSec.toFixed(3)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n')
}

/** GitHub workflow commands: one ::error:: per failure. */
export function githubAnnotations(g: GateResult, scenario: string): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  return failures(g).map((f) => `::error title=svcbench gate (${esc(scenario)})::${esc(f)}\n`).join('')
}
