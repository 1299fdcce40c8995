import { SCHEMA, variantColorScale, variantNames, type ChartBuilder } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'

/** Share of requests per pod, bars grouped by variant, ticks at the predicted share. */
export const podShare: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows = result.variants.flatMap((v) =>
    v.pods.map((p) => ({ variant: v.name, pod: `${p.name} (${p.node})`, share: p.share, requests: p.requests, expected: p.expectedShare })),
  )
  const pods = [...new Set(rows.map((r) => r.pod))]
  const many = pods.length * result.variants.length > 60
  const step = many ? 6 : Math.max(8, Math.floor(48 / result.variants.length))
  // Fill the page when the bars fit in it at their step; a run with more bars keeps the step and scrolls.
  const natural = step * pods.length * result.variants.length
  const fills = natural <= FIXED_WIDTH_PX
  const band = fills ? FIXED_WIDTH_PX / pods.length : step * result.variants.length
  // About 6 px per character at the axis font: angle the labels when they would overlap.
  const labelFits = Math.max(...pods.map((p) => p.length)) * 6 <= band
  const tooltip = [
    { field: 'variant', title: 'variant' },
    { field: 'pod', title: 'pod (node)' },
    { field: 'share', title: 'share of requests', format: '.1%' },
    { field: 'requests', title: 'requests', format: ',' },
    { field: 'expected', title: 'predicted share', format: '.1%' },
  ]
  const spec = {
    $schema: SCHEMA,
    title: { text: 'Share of requests per pod', subtitle: 'bars: measured (pod-side counts); ticks: the share of balancing decisions the configuration predicts' },
    data: { values: rows },
    width: fills ? FIXED_WIDTH_PX : { step },
    height: 220,
    encoding: {
      x: { field: 'pod', type: 'nominal', sort: pods, title: null, axis: { labelAngle: labelFits ? 0 : pods.length > 12 ? -60 : -30, labelOverlap: true } },
      xOffset: { field: 'variant', type: 'nominal', sort: variantNames(result) },
      color: { field: 'variant', type: 'nominal', scale: variantColorScale(result), title: 'variant' },
      tooltip,
    },
    layer: [
      { mark: { type: 'bar' }, encoding: { y: { field: 'share', type: 'quantitative', axis: { format: '.0%' }, title: 'share of requests' } } },
      {
        transform: [{ filter: 'datum.expected != null' }],
        mark: { type: 'tick', color: 'black', thickness: 2 },
        encoding: { y: { field: 'expected', type: 'quantitative' } },
      },
    ],
  }
  return { name: 'pod-share', title: 'Requests per pod', spec: fills ? fillWidth(spec as never) : (spec as never) }
}
