/** report.html's Findings: the run's own, then each variant's, then the comparisons and the gate, warnings marked. Pure. */
import { escapeHtml } from './escape.ts'
import type { Finding } from '../findings.ts'

const list = (fs: readonly Finding[]) => `<ul class="findings">${fs.map((f) => `<li class="${f.severity}">${escapeHtml(f.text)}</li>`).join('')}</ul>`

/** The Findings section; '' without findings. */
export function findingsHtml(fs: readonly Finding[]): string {
  if (fs.length === 0) return ''
  const run = fs.filter((f) => f.variant === null && f.topic === 'run')
  const variants = [...new Set(fs.flatMap((f) => (f.variant === null ? [] : [f.variant])))]
  const across = fs.filter((f) => f.variant === null && f.topic === 'comparison')
  const gate = fs.filter((f) => f.variant === null && f.topic === 'gate')
  const parts = [
    run.length === 0 ? '' : list(run),
    ...variants.map((v) => `<h3>${escapeHtml(v)}</h3>${list(fs.filter((f) => f.variant === v))}`),
    across.length === 0 ? '' : `<h3>Across variants</h3>${list(across)}`,
    gate.length === 0 ? '' : `<h3>Gate</h3>${list(gate)}`,
  ]
  return `<section id="findings"><h2>Findings</h2>${parts.join('\n')}</section>`
}
