/**
 * The topology view, one chart per variant: clients, the load balancer, nodes and pods in fixed
 * columns (laid out in topology-layout.ts), links as rules whose width is the traffic per second
 * they carried (one scale for every variant, so widths compare across charts), the cross-node hop
 * of policy Cluster dashed, the source address the receiver sees as the link's colour, pods in
 * their colour of every chart, taken-out pods greyed with a cross, and beside each pod its
 * measured share with the predicted one.
 */
import { INK, SCHEMA, fileSafe, podColorScale, type Chart, type ChartBuilder } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'
import { topologyLayout, type SourceKind, type Topology, type TopologyBox } from './topology-layout.ts'

/** Box extents around a column, in column units: nodes, clients and the LB; pods are a swatch. */
const BOX = { left: -0.02, right: 0.5, podRight: 0.1, halfHeight: 0.38 } as const
/** Pixels per row. */
const ROW_PX = 22

const SOURCES: SourceKind[] = ['client address kept', 'SNAT to a node address', 'SNAT to the LB address', 'client and node addresses seen']
/** Kept addresses in near-black, SNAT in vermillion (the palette's warning colour), the LB's in purple. */
const SOURCE_COLORS = [INK.black, INK.vermillion, INK.purple, INK.grey]
const HOPS = ['to LB', 'to node', 'same node', 'cross-node'] as const

const pct = (x: number | null) => (x === null ? null : `${(x * 100).toFixed(1)}%`)

/** What is written beside a pod: measured share, predicted share, what faults did. */
function podText(b: TopologyBox): string {
  const share = pct(b.share)
  const predicted = pct(b.expectedShare)
  return [`${b.label}`, `${share}${predicted === null ? '' : ` (predicted ${predicted})`}`, ...(b.status === null ? [] : [`${b.down ? '✕ ' : ''}${b.status}`])].join(' · ')
}

/** The data rows of one topology: links, boxes and column headers, in drawing units. */
function rowsOf(t: Topology): Record<string, unknown>[] {
  const colPod = t.columns.length - 1
  const right = (col: number) => col + (col === colPod ? BOX.podRight : BOX.right)
  const links = t.links.map((l) => ({
    kind: 'link',
    ...l,
    x: right(l.x),
    x2: l.x2 + BOX.left,
    fromTo: `${l.from.replace(/^\w+:/, '')} → ${l.to.replace(/^\w+:/, '')}`,
    unitPerSec: `${l.unit}/s`,
    split: l.estimated ? 'estimated from the pods\' requests' : 'counted by the node proxies',
  }))
  const boxes = t.boxes.map((b) => ({
    ...b,
    kind: b.kind === 'pod' || b.kind === 'pods' ? 'pod' : 'box',
    boxKind: b.kind,
    x: b.col + BOX.left,
    x2: right(b.col),
    top: b.y1 - BOX.halfHeight,
    bottom: b.y2 + BOX.halfHeight,
    yMid: (b.y1 + b.y2) / 2,
    xMid: (b.col + BOX.left + right(b.col)) / 2,
    text: b.kind === 'pod' || b.kind === 'pods' ? podText(b) : b.label,
    textX: b.kind === 'pod' || b.kind === 'pods' ? right(b.col) + 0.04 : b.col + BOX.left + 0.03,
    state: b.down ? 'taken out' : b.status === null ? 'running' : 'hurt',
    shareText: pct(b.share),
    predictedText: pct(b.expectedShare),
  }))
  const headers = t.columns.map((c, i) => ({ kind: 'header', text: c, textX: i + BOX.left, yMid: -1 }))
  return [...links, ...boxes, ...headers]
}

/** One variant's topology chart; `maxPerSec` is the widest link of the run (one width scale for all). */
function topologyChart(t: Topology, o: { name: string; maxPerSec: number; podColors: { domain: string[]; range: string[] } }): Chart {
  const colPod = t.columns.length - 1
  const filter = (kind: string) => [{ filter: `datum.kind === '${kind}'` }]
  const x = (field: string) => ({ field, type: 'quantitative', scale: { domain: [-0.1, colPod + 2.3], nice: false, zero: false }, axis: null })
  const y = (field: string) => ({ field, type: 'quantitative', scale: { domain: [-1.5, t.rows - 0.5], reverse: true, nice: false, zero: false }, axis: null })
  const boxTip = [{ field: 'label', title: 'what' }, { field: 'detail', title: 'detail' }, { field: 'status', title: 'faults' }]
  const spec = {
    $schema: SCHEMA,
    title: { text: `Where the traffic went: ${t.variant}`, subtitle: [...t.notes, 'dashed: the extra hop to a pod on another node; colour: the source address the receiver sees; ✕: taken out by a fault'] },
    data: { values: rowsOf(t) },
    width: FIXED_WIDTH_PX,
    height: Math.max(120, (t.rows + 1.5) * ROW_PX),
    layer: [
      {
        transform: filter('link'),
        mark: { type: 'rule', opacity: 0.7, strokeCap: 'butt' },
        encoding: {
          x: x('x'),
          y: y('y'),
          x2: { field: 'x2' },
          y2: { field: 'y2' },
          strokeWidth: { field: 'perSec', type: 'quantitative', title: 'per second', scale: { domain: [0, Math.max(o.maxPerSec, 1e-9)], range: [0.5, 12] } },
          color: { field: 'source', type: 'nominal', title: 'source address seen', scale: { domain: SOURCES, range: SOURCE_COLORS } },
          strokeDash: { field: 'hop', type: 'nominal', title: 'hop', scale: { domain: [...HOPS], range: [[1, 0], [1, 0], [1, 0], [6, 4]] }, legend: { values: ['same node', 'cross-node'] } },
          tooltip: [
            { field: 'fromTo', title: 'link' },
            { field: 'hop', title: 'hop' },
            { field: 'count', title: 'count', format: ',.0f' },
            { field: 'unit', title: 'unit' },
            { field: 'perSec', title: 'per second', format: ',.1f' },
            { field: 'source', title: 'source address seen' },
            { field: 'split', title: 'split' },
          ],
        },
      },
      {
        transform: filter('box'),
        mark: { type: 'rect', fill: '#f3f3f3', stroke: '#555', strokeWidth: 1 },
        encoding: { x: x('x'), x2: { field: 'x2' }, y: y('top'), y2: { field: 'bottom' }, opacity: { condition: { test: "datum.state === 'taken out'", value: 0.45 }, value: 1 }, tooltip: boxTip },
      },
      {
        transform: filter('pod'),
        mark: { type: 'rect', stroke: '#333', strokeWidth: 0.5 },
        encoding: {
          x: x('x'),
          x2: { field: 'x2' },
          y: y('top'),
          y2: { field: 'bottom' },
          color: { field: 'pod', type: 'nominal', title: 'pod', scale: o.podColors, legend: null },
          opacity: { condition: { test: "datum.state === 'taken out'", value: 0.25 }, value: 1 },
          tooltip: [...boxTip, { field: 'shareText', title: 'measured share (requests)' }, { field: 'predictedText', title: 'predicted share' }],
        },
      },
      {
        transform: [{ filter: "datum.kind === 'box' || datum.kind === 'pod'" }],
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11, limit: 0 },
        encoding: { x: x('textX'), y: y('yMid'), text: { field: 'text' }, color: { condition: { test: "datum.state !== 'running'", value: INK.vermillion }, value: INK.black }, tooltip: boxTip },
      },
      {
        transform: [{ filter: "(datum.kind === 'box' || datum.kind === 'pod') && datum.state === 'taken out'" }],
        mark: { type: 'point', shape: 'cross', filled: true, size: 90, color: INK.black, angle: 45 },
        encoding: { x: x('xMid'), y: y('yMid'), tooltip: boxTip },
      },
      {
        transform: filter('header'),
        mark: { type: 'text', align: 'left', baseline: 'middle', fontSize: 11, fontWeight: 'bold', color: '#555' },
        encoding: { x: x('textX'), y: y('yMid'), text: { field: 'text' }, tooltip: { field: 'text', title: 'column' } },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { legend: { orient: 'bottom', direction: 'horizontal' }, view: { stroke: null } },
  }
  return { name: o.name, title: `Where the traffic went: ${t.variant}`, spec: fillWidth(spec as never) }
}

/** One topology chart per variant, named `topology-<variant>` (made file-safe, numbered when two names collide). */
export const topologyCharts: ChartBuilder = (result) => {
  if (result.variants.length === 0) return undefined
  const layouts = result.variants.map((v) => topologyLayout(v))
  const maxPerSec = Math.max(0, ...layouts.flatMap((t) => t.links.map((l) => l.perSec)))
  const podColors = podColorScale(result)
  const used = new Set<string>()
  return layouts.map((t) => {
    let name = `topology-${fileSafe(t.variant)}`
    for (let k = 2; used.has(name); k++) name = `topology-${fileSafe(t.variant)}-${k}`
    used.add(name)
    return topologyChart(t, { name, maxPerSec, podColors })
  })
}
