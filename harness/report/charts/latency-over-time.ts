import { bucketSeconds, latencyKind, runSeconds, variantColorScale, type ChartBuilder } from './common.ts'
import { MAX_TOOLTIP_POINTS, bucketTooltip, timeSeriesByVariant } from './time.ts'

/** p50 and p99 latency per second, a line per variant and percentile, with the fault windows. */
export const latencyOverTime: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    const w = bucketSeconds(v.durationSec)
    // Long runs: one point per bucket of w seconds: the mean of its seconds' p50 and its worst second's p99.
    const buckets = new Map<number, { p50: number[]; p99: number }>()
    for (const t of v.timeline) {
      const b = Math.floor(t.tSec / w) * w
      const e = buckets.get(b) ?? { p50: [], p99: 0 }
      e.p50.push(t.p50Ms)
      e.p99 = Math.max(e.p99, t.p99Ms)
      buckets.set(b, e)
    }
    // Each point sits in the middle of the seconds it summarizes.
    for (const [b, e] of buckets) {
      const mid = Math.min(b + w / 2, Math.max(v.durationSec, b))
      rows.push({ kind: 'series', variant: v.name, tSec: mid, second: b, secondEnd: b + w, percentile: 'p50', ms: e.p50.reduce((x, y) => x + y, 0) / e.p50.length })
      rows.push({ kind: 'series', variant: v.name, tSec: mid, second: b, secondEnd: b + w, percentile: 'p99', ms: e.p99 })
    }
  }
  const bucket = bucketSeconds(runSeconds(result))
  return timeSeriesByVariant(result, {
    name: 'latency-over-time',
    title: 'Latency over time (p50 solid, p99 dashed)',
    subtitle: `${latencyKind(result)}; ${bucket === 1 ? 'per second of the measured phase' : `per ${bucket} s: mean of the seconds' p50, worst second's p99`}`,
    rows,
    height: 120,
    series: {
      mark: { type: 'line', point: rows.length <= MAX_TOOLTIP_POINTS ? 'transparent' : false },
      encoding: {
        x: { field: 'tSec', type: 'quantitative' },
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        strokeDash: { field: 'percentile', type: 'nominal', sort: ['p50', 'p99'] },
        color: { field: 'variant', type: 'nominal', scale: variantColorScale(result), legend: null },
        tooltip: bucketTooltip('second', 'secondEnd', { field: 'percentile', title: 'percentile' }, { field: 'ms', title: 'latency (ms)', format: ',.3f' }),
      },
    },
  })
}
