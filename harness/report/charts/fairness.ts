import { INK, SCHEMA, variantNames, type ChartBuilder } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'

/** Jain's index per variant, with the floor 1/n (all on one pod) and the ceiling 1 marked. */
export const fairnessChart: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows = result.variants.map((v) => ({ variant: v.name, jain: v.fairness.jain, floor: 1 / Math.max(1, v.pods.length), pods: v.pods.length, fits: v.fairness.fitsPrediction === null ? 'no prediction' : v.fairness.fitsPrediction ? 'fits' : 'DIFFERS' }))
  // Bars half their band wide, so that a few variants across the whole page stay bars.
  const spec = {
    $schema: SCHEMA,
    title: { text: "Jain's fairness index", subtitle: 'pod request counts; 1 = equal, grey tick = 1/n (all on one pod)' },
    data: { values: rows },
    width: Math.max(FIXED_WIDTH_PX, 40 * rows.length),
    height: 200,
    encoding: { x: { field: 'variant', type: 'nominal', sort: variantNames(result), title: null, axis: { labelAngle: 0, labelOverlap: true } } },
    layer: [
      {
        mark: { type: 'bar', width: { band: 0.5 } },
        encoding: {
          y: { field: 'jain', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Jain index' },
          color: { field: 'fits', type: 'nominal', title: 'prediction', scale: { domain: ['fits', 'DIFFERS', 'no prediction'], range: [INK.blue, INK.vermillion, INK.grey] } },
          tooltip: [{ field: 'variant', title: 'variant' }, { field: 'jain', title: 'Jain index', format: '.3f' }, { field: 'fits', title: 'prediction' }],
        },
      },
      {
        mark: { type: 'tick', color: '#888', thickness: 2 },
        encoding: { y: { field: 'floor', type: 'quantitative' }, tooltip: [{ field: 'variant', title: 'variant' }, { field: 'floor', title: '1/n (all on one of n pods)', format: '.3f' }, { field: 'pods', title: 'pods (n)' }] },
      },
      { mark: { type: 'rule', color: '#333', strokeDash: [2, 2] }, encoding: { y: { datum: 1 }, tooltip: { value: 'Jain index 1: every pod the same count' } } },
    ],
  }
  return { name: 'fairness', title: 'Fairness', spec: fillWidth(spec as never) }
}
