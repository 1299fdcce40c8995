import { ERROR_KIND_SCALE, bucketSeconds, type ChartBuilder } from './common.ts'
import { bucketTooltip, timeSeriesByVariant } from './time.ts'

/** Errors per second by kind over time, one panel per variant (only when there were errors). */
export const errorsOverTime: ChartBuilder = (result) => {
  if (!result.variants.some((v) => v.errors.total > 0)) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    // Long runs: one bar per bucket of w seconds, at the bucket's mean rate.
    const w = bucketSeconds(v.durationSec)
    const acc = new Map<string, { tSec: number; errorKind: string; sum: number }>()
    for (const t of v.timeline) {
      const b = Math.floor(t.tSec / w) * w
      for (const [kind, n] of Object.entries(t.errorsByKind ?? {})) {
        if (n <= 0) continue
        const e = acc.get(`${b}/${kind}`) ?? { tSec: b, errorKind: kind, sum: 0 }
        e.sum += n
        acc.set(`${b}/${kind}`, e)
      }
    }
    for (const e of acc.values()) rows.push({ kind: 'series', variant: v.name, tSec: e.tSec, tEnd: e.tSec + w, errorKind: e.errorKind, perSec: e.sum / w })
  }
  return timeSeriesByVariant(result, {
    name: 'errors-over-time',
    title: 'Errors per second by kind',
    subtitle: 'client side',
    rows,
    height: 110,
    series: {
      mark: { type: 'bar' },
      encoding: {
        // Already bucketed here: binned bars from tSec to tEnd, stacked by kind.
        x: { field: 'tSec', type: 'quantitative', bin: { binned: true } },
        x2: { field: 'tEnd' },
        y: { field: 'perSec', type: 'quantitative', stack: 'zero', title: 'errors/s' },
        color: { field: 'errorKind', type: 'nominal', title: 'kind', scale: ERROR_KIND_SCALE },
        tooltip: bucketTooltip('tSec', 'tEnd', { field: 'errorKind', title: 'kind' }, { field: 'perSec', title: 'errors/s', format: ',.1f' }),
      },
    },
  })
}
