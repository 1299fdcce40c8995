import { SCHEMA, variantNames, type ChartBuilder } from './common.ts'
import { compareAddresses } from '../../util/ip.ts'

/** Client address → pod decisions, for hashing balancers and ClientIP affinity: who sticks where. */
export const clientPodHeatmap: ChartBuilder = (result) => {
  const vs = result.variants.filter((v) => v.fairness.unit === 'clients' && (v.stickiness.matrix ?? []).length > 0)
  if (vs.length === 0) return undefined
  const rows = vs.flatMap((v) => v.stickiness.matrix.map((c) => ({ variant: v.name, client: c.client, pod: c.pod, decisions: c.decisions })))
  // Addresses in numeric order (127.B.128.2 before 127.B.128.10), pods in the run's order (pod-2 before pod-10).
  const clients = [...new Set(rows.map((r) => r.client))].sort(compareAddresses)
  const pods = [...new Set(vs.flatMap((v) => v.pods.map((p) => p.name)))]
  return {
    name: 'client-pod-heatmap',
    title: 'Client address → pod',
    spec: {
      $schema: SCHEMA,
      title: { text: 'Client address → pod', subtitle: 'balancing decisions per client and pod (first 64 client addresses); one cell per row means sticky' },
      data: { values: rows },
      facet: { column: { field: 'variant', type: 'nominal', sort: variantNames(result).filter((n) => vs.some((v) => v.name === n)), title: null } },
      spec: {
        width: { step: 14 },
        height: { step: 7 },
        mark: { type: 'rect' },
        encoding: {
          x: { field: 'pod', type: 'nominal', title: null, sort: pods },
          y: { field: 'client', type: 'nominal', title: 'client address', sort: clients, axis: { labelFontSize: 7 } },
          color: { field: 'decisions', type: 'quantitative', scale: { scheme: 'blues' } },
          tooltip: [{ field: 'client' }, { field: 'pod' }, { field: 'decisions', format: ',' }],
        },
      },
      resolve: { scale: { color: 'independent' } },
    },
  }
}
