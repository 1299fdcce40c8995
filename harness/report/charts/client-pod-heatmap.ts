import { SCHEMA, variantNames, type ChartBuilder } from './common.ts'
import { compareAddresses } from '../../util/ip.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'

/** Pixels between two variants' panels (Vega-Lite's facet spacing). */
const SPACING_PX = 20
/** Narrowest cell, px. */
const CELL_PX = 14

/** Client address → pod decisions, for hashing balancers and ClientIP affinity: who sticks where. */
export const clientPodHeatmap: ChartBuilder = (result) => {
  const vs = result.variants.filter((v) => v.fairness.unit === 'clients' && (v.stickiness.matrix ?? []).length > 0)
  if (vs.length === 0) return undefined
  const rows = vs.flatMap((v) => v.stickiness.matrix.map((c) => ({ variant: v.name, client: c.client, pod: c.pod, decisions: c.decisions })))
  // Addresses in numeric order (127.B.128.2 before 127.B.128.10), pods in the run's order (pod-2 before pod-10).
  const clients = [...new Set(rows.map((r) => r.client))].sort(compareAddresses)
  const pods = [...new Set(vs.flatMap((v) => v.pods.map((p) => p.name)))]
  // The panels share the page when their cells fit at CELL_PX; more pods keep CELL_PX and scroll.
  const panelPx = (FIXED_WIDTH_PX - SPACING_PX * (vs.length - 1)) / vs.length
  const fills = pods.length * CELL_PX <= panelPx
  const spec = {
    $schema: SCHEMA,
    title: { text: 'Client address → pod', subtitle: 'balancing decisions per client and pod (first 64 client addresses); one cell per row means sticky' },
    data: { values: rows },
    facet: { column: { field: 'variant', type: 'nominal', sort: variantNames(result).filter((n) => vs.some((v) => v.name === n)), title: null } },
    spacing: SPACING_PX,
    spec: {
      width: fills ? Math.floor(panelPx) : { step: CELL_PX },
      // 9 px per client: 7 px labels with room between them.
      height: { step: 9 },
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'pod', type: 'nominal', title: null, sort: pods, axis: { labelOverlap: true } },
        y: { field: 'client', type: 'nominal', title: 'client address', sort: clients, axis: { labelFontSize: 7 } },
        color: { field: 'decisions', type: 'quantitative', scale: { scheme: 'blues' } },
        tooltip: [{ field: 'variant', title: 'variant' }, { field: 'client', title: 'client address' }, { field: 'pod', title: 'pod' }, { field: 'decisions', title: 'decisions', format: ',' }],
      },
    },
    resolve: { scale: { color: 'independent' } },
  }
  return { name: 'client-pod-heatmap', title: 'Client address → pod', spec: fills ? fillWidth(spec as never, { columns: vs.length, spacingPx: SPACING_PX }) : (spec as never) }
}
