import { SCHEMA, variantNames, type ChartBuilder } from './common.ts'

/** Share of requests per pod, bars grouped by variant, ticks at the predicted share. */
export const podShare: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows = result.variants.flatMap((v) =>
    v.pods.map((p) => ({ variant: v.name, pod: `${p.name} (${p.node})`, share: p.share, requests: p.requests, expected: p.expectedShare })),
  )
  const pods = [...new Set(rows.map((r) => r.pod))]
  const many = pods.length * result.variants.length > 60
  const step = many ? 6 : Math.max(8, Math.floor(48 / result.variants.length))
  // About 6 px per character at the axis font: angle the labels when they would overlap.
  const labelFits = Math.max(...pods.map((p) => p.length)) * 6 <= step * result.variants.length
  return {
    name: 'pod-share',
    title: 'Requests per pod',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Share of requests per pod', subtitle: 'bars: measured (pod-side counts); ticks: the share of balancing decisions the configuration predicts' },
      data: { values: rows },
      width: { step },
      height: 220,
      encoding: {
        x: { field: 'pod', type: 'nominal', sort: pods, title: null, axis: { labelAngle: labelFits ? 0 : pods.length > 12 ? -60 : -30 } },
        xOffset: { field: 'variant', type: 'nominal', sort: variantNames(result) },
        color: { field: 'variant', type: 'nominal', sort: variantNames(result), title: 'variant' },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'share', type: 'quantitative', axis: { format: '.0%' }, title: 'share of requests' },
            tooltip: [
              { field: 'variant' },
              { field: 'pod' },
              { field: 'share', format: '.1%' },
              { field: 'requests', format: ',' },
              { field: 'expected', format: '.1%', title: 'predicted' },
            ],
          },
        },
        {
          transform: [{ filter: 'datum.expected != null' }],
          mark: { type: 'tick', color: 'black', thickness: 2 },
          encoding: { y: { field: 'expected', type: 'quantitative' } },
        },
      ],
    },
  }
}
