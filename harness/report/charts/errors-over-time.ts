import { timeSeriesByVariant, type ChartBuilder } from './common.ts'

/** Errors per second by kind over time, one panel per variant (only when there were errors). */
export const errorsOverTime: ChartBuilder = (result) => {
  if (!result.variants.some((v) => v.errors.total > 0)) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    for (const t of v.timeline) {
      for (const [kind, n] of Object.entries(t.errorsByKind ?? {})) if (n > 0) rows.push({ kind: 'series', variant: v.name, tSec: t.tSec, errorKind: kind, perSec: n })
    }
  }
  return timeSeriesByVariant(result, {
    name: 'errors-over-time',
    title: 'Errors per second by kind',
    subtitle: 'client side; dashed rules: faults, detection, recovery',
    rows,
    height: 110,
    series: {
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'tSec', type: 'quantitative', title: 'seconds into the measured phase', bin: { step: 1 } },
        y: { field: 'perSec', type: 'quantitative', stack: 'zero', title: 'errors/s' },
        color: { field: 'errorKind', type: 'nominal', title: 'kind', scale: { domain: ['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'] } },
        tooltip: [{ field: 'tSec' }, { field: 'errorKind' }, { field: 'perSec', format: ',.0f' }],
      },
    },
  })
}
