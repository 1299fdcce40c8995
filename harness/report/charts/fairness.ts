import { SCHEMA, variantNames, type ChartBuilder } from './common.ts'

/** Jain's index per variant, with the floor 1/n (all on one pod) and the ceiling 1 marked. */
export const fairnessChart: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const rows = result.variants.map((v) => ({ variant: v.name, jain: v.fairness.jain, floor: 1 / Math.max(1, v.pods.length), fits: v.fairness.fitsPrediction === null ? 'no prediction' : v.fairness.fitsPrediction ? 'fits' : 'DIFFERS' }))
  return {
    name: 'fairness',
    title: 'Fairness',
    spec: {
      $schema: SCHEMA,
      title: { text: "Jain's fairness index", subtitle: 'pod request counts; 1 = equal, grey tick = 1/n (all on one pod)' },
      data: { values: rows },
      width: { step: 40 },
      height: 200,
      encoding: { x: { field: 'variant', type: 'nominal', sort: variantNames(result), title: null, axis: { labelAngle: 0 } } },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'jain', type: 'quantitative', scale: { domain: [0, 1] }, title: 'Jain index' },
            color: { field: 'fits', type: 'nominal', title: 'prediction', scale: { domain: ['fits', 'DIFFERS', 'no prediction'], range: ['#4c78a8', '#e45756', '#9d9d9d'] } },
            tooltip: [{ field: 'variant' }, { field: 'jain', format: '.3f' }, { field: 'fits' }],
          },
        },
        { mark: { type: 'tick', color: '#888', thickness: 2 }, encoding: { y: { field: 'floor', type: 'quantitative' } } },
        { mark: { type: 'rule', color: '#333', strokeDash: [2, 2] }, encoding: { y: { datum: 1 } } },
      ],
    },
  }
}
