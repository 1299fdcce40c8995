/** report.html's KPI tiles: a row per variant, each figure with its difference to the first variant, coloured by direction. Pure. */
import { escapeHtml } from './escape.ts'
import type { VariantKpis } from '../kpi.ts'

/** The tiles; '' without variants. */
export function tilesHtml(ks: readonly VariantKpis[]): string {
  if (ks.length === 0) return ''
  const first = ks[0]!.variant
  const rows = ks.map((k) => {
    const tiles = k.tiles.map((t) => {
      const d = t.delta
      const delta = d === null ? '' : `<div class="delta ${d.direction}" title="against ${escapeHtml(first)}: ${d.direction}${d.direction === 'same' ? ' (within noise)' : ''}">${escapeHtml(d.text)}${d.direction === 'same' ? ' ≈' : ''}</div>`
      return `<div class="tile" data-kpi="${t.key}"><div class="label">${escapeHtml(t.label)}</div><div class="value">${escapeHtml(t.text)}</div>${delta}</div>`
    })
    return `<div class="tile-row"><h3>${escapeHtml(k.variant)}</h3>${tiles.join('')}</div>`
  })
  const note = ks.length > 1 ? `<p class="meta">Differences are to ${escapeHtml(first)}; green better, red worse, grey within noise (docs/results.md#key-figures).</p>` : ''
  return `<section id="kpis"><h2>Key figures</h2><div class="tiles">${rows.join('\n')}</div>${note}</section>`
}
