/** Shared pieces of the chart builders: pure functions from results to Vega-Lite specs. */
import type { TopLevelSpec } from 'vega-lite'
import type { UnitSpec } from 'vega-lite/types_unstable/spec/unit.js'
import type { LayerSpec } from 'vega-lite/types_unstable/spec/layer.js'
import type { Field } from 'vega-lite/types_unstable/channeldef.js'
import type { RunResult } from '../../model/results.ts'

/** A chart: its file name and its Vega-Lite spec (data inlined). */
export interface Chart {
  name: string
  title: string
  spec: TopLevelSpec
}

/** A chart builder; undefined when the chart does not apply to this run. */
export type ChartBuilder = (result: RunResult) => Chart | undefined

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'

/** Which latency the latency charts show: the run's models decide how it is measured. */
export function latencyKind(result: RunResult): string {
  const models = new Set(result.variants.map((v) => v.load?.model ?? 'closed'))
  const from = models.size > 1 ? "from the intended start (open model) or the write (closed model)" : models.has('open') ? "from each request's intended start (open model)" : "from each request's write (closed model)"
  return `client-side latency ${from}, timeouts and drops at the request timeout`
}

/** Seconds per time bucket so that a run shows at most about 120 points per series. */
export function bucketSeconds(durationSec: number): number {
  return durationSec <= 120 ? 1 : Math.ceil(durationSec / 120)
}

/** The longest measured phase of the run, s: the shared extent of every time axis. */
export function runSeconds(result: RunResult): number {
  return Math.max(1, ...result.variants.map((v) => Math.max(v.durationSec, v.timeline.length)))
}

/** Pixel offsets of the marker labels: fault, detection and recovery on their own lines, so close markers stay legible. */
const LABEL_LINE = { fault: 0, detected: 11, recovered: 22 } as const

/** Fault and failover markers per variant: { variant, tSec, label, labelY }. */
export function markers(result: RunResult): { variant: string; tSec: number; label: string; labelY: number }[] {
  const out: { variant: string; tSec: number; label: string; labelY: number }[] = []
  for (const v of result.variants) {
    for (const f of v.failover) {
      out.push({ variant: v.name, tSec: f.atSec, label: `${f.fault} ${f.pods.join(',')}`, labelY: LABEL_LINE.fault })
      if (f.detectedAtSec !== null) out.push({ variant: v.name, tSec: f.detectedAtSec, label: 'detected', labelY: LABEL_LINE.detected })
      if (f.recoveredAtSec !== null) out.push({ variant: v.name, tSec: f.recoveredAtSec, label: 'recovered', labelY: LABEL_LINE.recovered })
    }
  }
  return out
}

/** A layer of vertical rules with labels at the markers (filtered from the shared data by `kind`). */
export function markerLayers(): UnitSpec<Field>[] {
  return [
    {
      transform: [{ filter: "datum.kind === 'marker'" }],
      mark: { type: 'rule', color: '#444', strokeDash: [4, 3] },
      encoding: { x: { field: 'tSec', type: 'quantitative' } },
    },
    {
      transform: [{ filter: "datum.kind === 'marker'" }],
      mark: { type: 'text', align: 'left', dx: 3, dy: -4, fontSize: 10, color: '#444', baseline: 'top' },
      encoding: { x: { field: 'tSec', type: 'quantitative' }, y: { field: 'labelY', type: 'quantitative', scale: null }, text: { field: 'label' } },
    },
  ]
}

/** What a time-series chart draws: one mark, or several layered. */
export type Series = UnitSpec<Field> | (Omit<LayerSpec<Field>, 'layer'> & { layer: UnitSpec<Field>[] })

/** The series layer(s) with the x (seconds) scale fixed to [0, seconds]. */
function withTimeDomain(series: Series, seconds: number): Series {
  return 'layer' in series ? { ...series, layer: series.layer.map((l) => unitWithTimeDomain(l, seconds)) } : unitWithTimeDomain(series, seconds)
}

function unitWithTimeDomain(series: UnitSpec<Field>, seconds: number): UnitSpec<Field> {
  const x = series.encoding?.x
  if (x === undefined || !('field' in x)) return series
  return { ...series, encoding: { ...series.encoding, x: { ...x, scale: { domain: [0, seconds], nice: false } } } as UnitSpec<Field>['encoding'] }
}

/** Variants in run order, for stable colours and sort orders. */
export function variantNames(result: RunResult): string[] {
  return result.variants.map((v) => v.name)
}

/**
 * A time-series chart with one panel per variant: the series layer plus the fault, detection and
 * recovery rules, over rows that carry `kind: 'series'` and the markers (`kind: 'marker'`). Every
 * time axis spans the whole measured phase, so the charts line up one under another.
 */
export function timeSeriesByVariant(
  result: RunResult,
  o: { name: string; title: string; subtitle: string; rows: Record<string, unknown>[]; height: number; series: Series },
): Chart {
  const rows = [...o.rows, ...markers(result).map((m) => ({ kind: 'marker', ...m }))]
  return {
    name: o.name,
    title: o.title,
    spec: {
      $schema: SCHEMA,
      title: { text: o.title, subtitle: o.subtitle },
      data: { values: rows },
      facet: { row: { field: 'variant', type: 'nominal', sort: variantNames(result), title: null } },
      spec: {
        width: 640,
        height: o.height,
        layer: [{ ...withTimeDomain(o.series, runSeconds(result)), transform: [{ filter: "datum.kind === 'series'" }] }, ...markerLayers()],
      },
    },
  }
}
