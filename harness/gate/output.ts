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

/** A comparison's verdict for people: `REGRESSION (confirmed)`, `ok: not significant`. */
export const verdictCell = (c: Comparison): string =>
  c.verdict === 'unchanged' ? `ok: ${c.reason}` : `${c.verdict.toUpperCase()}${c.confirmed === true ? ' (confirmed)' : c.confirmed === false ? ' (not confirmed)' : ''}`

function comparisonRows(cs: readonly Comparison[]): string[][] {
  return [
    ['variant', 'metric', 'baseline', 'current', 'change', '95% CI', 'p', 'verdict'],
    ...cs.map((c) => [c.variant, c.path, formatMetric(c.path, c.baseline), formatMetric(c.path, c.current), formatChange(c, c.change), `[${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}]`, String(c.pValue), verdictCell(c)]),
  ]
}

/** A regression that fails the gate: every one, except those a second comparison did not confirm. */
const failing = (c: Comparison) => c.verdict === 'regression' && c.confirmed !== false

const regressionLine = (c: Comparison) =>
  `${c.variant}: ${c.path} regressed ${formatChange(c, c.change)} (${formatMetric(c.path, c.baseline)} → ${formatMetric(c.path, c.current)}, p ${c.pValue}, 95% CI [${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}])`

/** Failures, one line each (for the verdict line, annotations and JUnit). */
export function failures(g: GateResult): string[] {
  return [
    ...(g.aborted === null ? [] : [`${g.aborted.variant}: aborted at ${g.aborted.atSec}s: ${g.aborted.path} ${g.aborted.condition} failed (measured ${formatMetric(g.aborted.path, g.aborted.measured)})`]),
    ...g.thresholds.filter((t) => !t.pass).map((t) => `${t.variant}: threshold ${t.path} ${t.condition} failed: measured ${formatMetric(t.path, t.measured)}${t.note === undefined ? '' : ` (${t.note})`}`),
    ...g.comparisons.filter(failing).map((c) => `${regressionLine(c)}${c.confirmed === true ? '; confirmed by a second run' : ''}`),
  ]
}

/** The gate's one-line verdict: `gate: FAIL (1 of 3 checks failed)`. */
export function verdictLine(g: GateResult): string {
  const checks = g.thresholds.length + g.comparisons.length
  const failed = failures(g).length
  if (g.verdict === 'none') return 'gate: nothing to check (no thresholds, no --baseline, no --pair)'
  const unconfirmed = g.confirm?.notConfirmed.length ?? 0
  return `gate: ${g.verdict.toUpperCase()} (${failed} of ${checks + (g.aborted === null ? 0 : 1)} checks failed${unconfirmed > 0 ? `; ${unconfirmed} regression${unconfirmed === 1 ? '' : 's'} not confirmed by the second run` : ''})`
}

const rule = (g: GateResult, test: string) => `regression = ${test} p < ${g.options.alpha} and change ≥ ${(g.options.minChange * 100).toFixed(1)}%`

/** What a baseline comparison compared against, and its rule (the gate has a baseline). */
export function baselineHeading(g: GateResult): string {
  const b = g.baseline!
  const o = g.options
  const runs = b.runs ?? 1
  const history = runs >= 2 ? `, ${runs} saved runs, the newest` : ''
  return `baseline ${b.name} (${b.file}${history} saved ${b.savedAt.slice(0, 19)}Z on ${b.machine}); ${o.trials} trial${o.trials === 1 ? '' : 's'} now; ${rule(g, 'Mann-Whitney')}${runs >= 2 ? " and beyond the spread between the saved runs' medians" : ''}${o.normalize ? '; throughput and latency normalized to the calibration path' : ''}`
}

/** What a paired comparison ran (--pair), and its rule. */
export function pairedHeading(p: NonNullable<GateResult['paired']>, g: GateResult): string {
  return `paired: candidate ${p.candidate} (B) against baseline ${p.baseline} (A), ${p.used.length} pair${p.used.length === 1 ? '' : 's'} used of ${p.pairs.length} run (A B, B A, …, each trial on a fresh cluster); ${rule(g, 'Wilcoxon signed-rank')} (median per-pair change)${g.options.normalize ? '; throughput and latency normalized to the calibration path' : ''}`
}

/** The pairs: one row per pair, its order and each compared metric's change in it. */
export function pairRows(p: NonNullable<GateResult['paired']>, cs: readonly Comparison[]): string[][] {
  return [
    ['pair', 'order', ...cs.map((c) => c.path)],
    ...p.pairs.map((q) => [
      String(q.pair),
      q.first === 'baseline' ? 'A B' : 'B A',
      ...cs.map((c) => {
        const x = c.pairs?.find((y) => y.pair === q.pair)
        return x !== undefined ? formatChange(c, x.change) : p.used.includes(q.pair) ? '-' : q.disturbed ? 'disturbed' : 'incomplete'
      }),
    ]),
  ]
}

const indent = (rows: string[][]) => alignLeft(rows).split('\n').map((l) => `  ${l}`)

/** --confirm: what the second comparison ran and found, one line each; empty without one. */
export function confirmText(g: GateResult): string[] {
  const c = g.confirm
  if (c === null || c === undefined) return []
  const out = [`confirm: ran ${c.variants.join(' and ')} once more (${c.startedAt.slice(0, 19)}Z): ${c.confirmed.length} of ${c.confirmed.length + c.notConfirmed.length} regressions found again`]
  if (c.paired !== null) out.push(`  ${pairedHeading(c.paired, g)}`)
  if (c.comparisons.length > 0) out.push(...indent(comparisonRows(c.comparisons)).map((l) => `  ${l}`))
  for (const k of c.confirmed) out.push(`  confirmed: ${k}`)
  for (const k of c.notConfirmed) out.push(`  not confirmed (not failed): ${k}`)
  for (const n of c.notes) out.push(`  note: ${n}`)
  return out
}

/** Terminal text. */
export function gateText(g: GateResult): string {
  const out: string[] = []
  if (g.thresholds.length > 0) out.push('thresholds', ...g.thresholds.map((t) => `  ${thresholdLine(t)}`))
  if (g.baseline !== null) out.push(baselineHeading(g))
  if (g.paired != null) out.push(pairedHeading(g.paired, g))
  if (g.comparisons.length > 0 && (g.baseline !== null || g.paired != null)) out.push(...indent(comparisonRows(g.comparisons)))
  if (g.paired != null && g.comparisons.length > 0) out.push('pairs (change of B over A in each pair)', ...indent(pairRows(g.paired, g.comparisons)))
  out.push(...confirmText(g))
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
  const table = (rows: string[][]) => [`| ${rows[0]!.join(' | ')} |`, `|${rows[0]!.map(() => '---').join('|')}|`, ...rows.slice(1).map((r) => `| ${r.map(md).join(' | ')} |`), '']
  if (g.baseline !== null) {
    out.push('### Baseline', '', md(baselineHeading(g)), '')
    if (g.comparisons.length > 0) out.push(...table(comparisonRows(g.comparisons)))
  }
  if (g.paired != null) {
    out.push('### Paired', '', md(pairedHeading(g.paired, g)), '')
    if (g.comparisons.length > 0) out.push(...table(comparisonRows(g.comparisons)), ...table(pairRows(g.paired, g.comparisons)))
  }
  if (g.confirm != null) {
    out.push('### Confirm', '', md(confirmText(g)[0]!), '')
    if (g.confirm.comparisons.length > 0) out.push(...table(comparisonRows(g.confirm.comparisons)))
  }
  for (const n of g.notes) out.push(`> ${md(n)}`, '')
  return `${out.join('\n')}\n`
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/**
 * JUnit XML: one testcase per threshold and per compared metric (and one for an abort); under
 * --confirm, one more per metric the second comparison re-checked. The suite's `mode` property
 * says how metrics were compared (paired, history, baseline, thresholds).
 */
export function junitXml(g: GateResult, scenario: string, timeSec: number): string {
  const cases: string[] = []
  let failed = 0
  const tc = (classname: string, name: string, failure: string | undefined, out?: string) => {
    if (failure !== undefined) failed++
    const body = failure === undefined ? (out === undefined ? '' : `\n      <system-out>${xml(out)}</system-out>\n    `) : `\n      <failure message="${xml(failure)}" type="svcbench.gate">${xml(failure)}</failure>\n    `
    cases.push(`    <testcase classname="${xml(classname)}" name="${xml(name)}" time="0">${body}</testcase>`)
  }
  const regressed = (c: Comparison) => `regressed ${formatChange(c, c.change)}: ${formatMetric(c.path, c.baseline)} → ${formatMetric(c.path, c.current)}, p ${c.pValue}, 95% CI [${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}]`
  for (const t of g.thresholds) {
    tc(`svcbench.${scenario}.thresholds`, `${t.variant} ${t.path} ${t.condition}`, t.pass ? undefined : `measured ${formatMetric(t.path, t.measured)}; expected ${t.condition}${t.note === undefined ? '' : ` (${t.note})`}`)
  }
  const kind = g.paired != null ? 'paired' : 'baseline'
  for (const c of g.comparisons) {
    const notConfirmed = c.verdict === 'regression' && c.confirmed === false
    tc(`svcbench.${scenario}.${kind}`, `${c.variant} ${c.path}`, failing(c) ? `${regressed(c)}${c.confirmed === true ? '; confirmed by a second run' : ''}` : undefined, notConfirmed ? `${regressed(c)} in the first run; not confirmed by the second run, so not failed` : undefined)
  }
  const rechecked = new Set([...(g.confirm?.confirmed ?? []), ...(g.confirm?.notConfirmed ?? [])])
  for (const c of g.confirm?.comparisons.filter((x) => rechecked.has(`${x.variant} ${x.path}`)) ?? []) {
    tc(`svcbench.${scenario}.confirm`, `${c.variant} ${c.path}`, c.verdict === 'regression' ? regressed(c) : undefined, c.verdict === 'regression' ? undefined : `${c.verdict}: ${c.reason || formatChange(c, c.change)}`)
  }
  if (g.aborted !== null) tc(`svcbench.${scenario}.abort`, `${g.aborted.variant} ${g.aborted.path} ${g.aborted.condition}`, failures(g)[0])
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="svcbench" tests="${cases.length}" failures="${failed}" errors="0" time="${timeSec.toFixed(3)}">`,
    `  <testsuite name="svcbench ${xml(scenario)}" tests="${cases.length}" failures="${failed}" errors="0" skipped="0" time="${timeSec.toFixed(3)}">`,
    `    <properties><property name="mode" value="${xml(g.mode ?? (g.baseline === null ? 'thresholds' : 'baseline'))}"/></properties>`,
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
