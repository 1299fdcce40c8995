import { bucketSeconds, timeSeriesByVariant, variantNames, type ChartBuilder } from './common.ts'

/** p50 and p99 latency per second, a line per variant and percentile, with fault markers. */
export const latencyOverTime: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows: Record<string, unknown>[] = []
  for (const v of result.variants) {
    const w = bucketSeconds(v.durationSec)
    for (const t of v.timeline) {
      if (t.tSec % w !== 0) continue // long runs: one point per bucket (the first second of it)
      rows.push({ kind: 'series', variant: v.name, tSec: t.tSec, percentile: 'p50', ms: t.p50Ms })
      rows.push({ kind: 'series', variant: v.name, tSec: t.tSec, percentile: 'p99', ms: t.p99Ms })
    }
  }
  return timeSeriesByVariant(result, {
    name: 'latency-over-time',
    title: 'Latency over time (p50 solid, p99 dashed)',
    subtitle: 'per second of the measured phase; dashed rules: faults, detection, recovery',
    rows,
    height: 120,
    series: {
      mark: { type: 'line' },
      encoding: {
        x: { field: 'tSec', type: 'quantitative', title: 'seconds into the measured phase' },
        y: { field: 'ms', type: 'quantitative', title: 'ms' },
        strokeDash: { field: 'percentile', type: 'nominal', sort: ['p50', 'p99'] },
        color: { field: 'variant', type: 'nominal', sort: variantNames(result), legend: null },
        tooltip: [{ field: 'tSec' }, { field: 'percentile' }, { field: 'ms', format: ',.3f' }],
      },
    },
  })
}
