/**
 * report.html's gate section: the verdict and its failures, every check as a row of one table
 * (a threshold: its condition and the measured value; a comparison: baseline, candidate, change,
 * interval, p and verdict), the pairs under --pair and the second comparison under --confirm. Pure.
 */
import { cell, escapeHtml, sortableHead } from './escape.ts'
import { baselineHeading, confirmText, failures, formatChange, formatMetric, pairedHeading, pairRows, verdictCell, verdictLine } from '../../gate/output.ts'
import type { Comparison, GateResult } from '../../model/gate-result.ts'

const HEAD = ['verdict', 'variant', 'metric', 'baseline / threshold', 'candidate', 'change', '95% CI', 'p', 'test']

function comparisonRow(c: Comparison): string {
  const verdict = verdictCell(c)
  const cls = c.verdict === 'regression' && c.confirmed !== false ? 'class="fail"' : c.verdict === 'improvement' ? 'class="pass"' : ''
  return `<tr>${[
    cell(verdict, undefined, cls),
    cell(c.variant),
    cell(c.path),
    cell(formatMetric(c.path, c.baseline), c.baseline),
    cell(formatMetric(c.path, c.current), c.current),
    cell(formatChange(c, c.change), c.change),
    cell(`[${formatChange(c, c.ci[0])}, ${formatChange(c, c.ci[1])}]`),
    cell(String(c.pValue), c.pValue),
    cell(c.test ?? 'mann-whitney'),
  ].join('')}</tr>`
}

function checksTable(g: GateResult, comparisons: readonly Comparison[], withThresholds: boolean): string {
  const thresholds = withThresholds
    ? g.thresholds.map((t) => `<tr>${[
        cell(t.pass ? 'PASS' : 'FAIL', undefined, t.pass ? 'class="pass"' : 'class="fail"'),
        cell(t.variant),
        cell(t.path),
        cell(t.condition),
        cell(`${formatMetric(t.path, t.measured)}${t.note === undefined ? '' : ` (${t.note})`}`, t.measured),
        cell('—'),
        cell('—'),
        cell('—'),
        cell('threshold'),
      ].join('')}</tr>`)
    : []
  const rows = [...thresholds, ...comparisons.map(comparisonRow)]
  if (rows.length === 0) return ''
  return `<div class="table-wrap"><table class="gate sortable">${sortableHead(HEAD, (i) => i >= 3 && i <= 7 && i !== 6)}<tbody>${rows.join('\n')}</tbody></table></div>`
}

function pairsTable(p: NonNullable<GateResult['paired']>, cs: readonly Comparison[]): string {
  if (cs.length === 0) return ''
  const [head, ...rows] = pairRows(p, cs)
  return `<div class="table-wrap"><table class="pairs sortable">${sortableHead(head!, (i) => i !== 1)}<tbody>${rows.map((r) => `<tr>${r.map((c, i) => cell(c, i === 0 ? Number(c) : undefined)).join('')}</tr>`).join('\n')}</tbody><caption>change of the candidate (B) over the baseline (A) in each pair</caption></table></div>`
}

/** The gate section; '' when the run had no gate. */
export function gateHtml(g: GateResult | undefined): string {
  if (g === undefined) return ''
  const out = [`<section id="gate"><h2>Gate: ${escapeHtml(g.verdict.toUpperCase())}</h2>`, `<p class="meta">${escapeHtml(verdictLine(g))}</p>`]
  const fails = failures(g)
  if (fails.length > 0) out.push(`<ul class="findings">${fails.map((f) => `<li class="warn">${escapeHtml(f)}</li>`).join('')}</ul>`)
  if (g.baseline !== null) out.push(`<p class="meta">${escapeHtml(baselineHeading(g))}</p>`)
  if (g.paired != null) out.push(`<p class="meta">${escapeHtml(pairedHeading(g.paired, g))}</p>`)
  out.push(checksTable(g, g.comparisons, true))
  if (g.paired != null) out.push(pairsTable(g.paired, g.comparisons))
  const confirm = confirmText(g)
  if (g.confirm != null && confirm.length > 0) {
    out.push(`<h3>Confirm</h3><p class="meta">${escapeHtml(confirm[0]!)}</p>`, checksTable(g, g.confirm.comparisons, false))
    out.push(`<ul class="findings">${confirm.slice(1).filter((l) => /^\s*(confirmed|not confirmed|note)/.test(l)).map((l) => `<li>${escapeHtml(l.trim())}</li>`).join('')}</ul>`)
  }
  if (g.notes.length > 0) out.push(`<ul class="findings">${g.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`)
  out.push('</section>')
  return out.join('\n')
}
