import { SCHEMA, latencyKind, variantColorScale, type ChartBuilder } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'

/** The HDR percentile curve: x on a log "nines" axis (50% … 99.99%), y latency, a line per variant. */
export const latencyPercentiles: ChartBuilder = (result) => {
  const rows = result.variants.flatMap((v) =>
    (v.latencyMs.curve ?? [])
      .filter((c) => c.percentile >= 50 && c.percentile < 100)
      .map((c) => ({ variant: v.name, percentile: c.percentile, nines: -Math.log10(1 - c.percentile / 100), ms: c.ms })),
  )
  if (rows.length === 0) return undefined
  const spec = {
    $schema: SCHEMA,
    title: { text: 'Latency by percentile', subtitle: `${latencyKind(result)}; µs resolution (HDR histogram)` },
    data: { values: rows },
    width: FIXED_WIDTH_PX,
    height: 260,
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'nines',
        type: 'quantitative',
        title: 'percentile',
        scale: { domain: [0.3, 5] },
        axis: { values: [0.30103, 1, 2, 3, 4, 5], labelOverlap: true, labelExpr: "datum.value < 0.5 ? '50%' : ['', '90%', '99%', '99.9%', '99.99%', '99.999%'][round(datum.value)]" },
      },
      y: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
      color: { field: 'variant', type: 'nominal', scale: variantColorScale(result) },
      tooltip: [{ field: 'variant', title: 'variant' }, { field: 'percentile', title: 'percentile (%)', format: '.3~f' }, { field: 'ms', title: 'latency (ms)', format: ',.3f' }],
    },
  }
  return { name: 'latency-percentiles', title: 'Latency by percentile', spec: fillWidth(spec as never) }
}
