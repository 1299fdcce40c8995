/**
 * What every time chart shares: the time axis (whole seconds, or minutes for long runs), the
 * shaded fault windows with one label each, the detection and recovery rules, and the
 * one-panel-per-variant layout.
 */
import type { UnitSpec } from 'vega-lite/types_unstable/spec/unit.js'
import type { LayerSpec } from 'vega-lite/types_unstable/spec/layer.js'
import type { Field } from 'vega-lite/types_unstable/channeldef.js'
import type { RunResult, VariantResult } from '../../model/results.ts'
import { INK, SCHEMA, runSeconds, variantNames, type Chart } from './common.ts'
import { FIXED_WIDTH_PX, fillWidth } from './fill-width.ts'

/** Most series points that get a transparent point each for their tooltip (areas and lines); beyond, the SVG files would grow too large. */
export const MAX_TOOLTIP_POINTS = 5000

/** Runs longer than this are labelled in minutes, s. */
export const MINUTES_AFTER_SEC = 180

/** The x axis of a time chart over `seconds`: ticks at whole seconds (or whole minutes past MINUTES_AFTER_SEC), labels that never overlap. */
export function timeAxis(seconds: number): { title: string; axis: Record<string, unknown> } {
  if (seconds <= MINUTES_AFTER_SEC) {
    return { title: 'seconds into the measured phase', axis: { tickMinStep: 1, format: 'd', labelOverlap: true, labelFlush: true } }
  }
  // At most about 12 labelled minutes: every k-th minute.
  const stepSec = 60 * Math.ceil(seconds / 60 / 12)
  const values = Array.from({ length: Math.floor(seconds / stepSec) + 1 }, (_, i) => i * stepSec)
  return { title: 'minutes into the measured phase', axis: { values, labelExpr: "format(datum.value / 60, 'd') + ' min'", labelOverlap: true, labelFlush: true } }
}

/** The x encoding of a time chart's field `field` (seconds), spanning [0, seconds]. */
export function timeX(field: string, seconds: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { field, type: 'quantitative', ...timeAxis(seconds), scale: { domain: [0, seconds], nice: false }, ...extra }
}

/** A time series point's tooltip: its variant, its bucket (`from` to `to`, s), then the chart's own fields. */
export function bucketTooltip(from: string, to: string, ...fields: Record<string, unknown>[]): Record<string, unknown>[] {
  return [{ field: 'variant', title: 'variant' }, { field: from, title: 'from (s)', format: ',.0f' }, { field: to, title: 'to (s)', format: ',.0f' }, ...fields]
}

/** A fault's window: from the fault to the last of its detection, recovery and last error, else to the next fault (or the end). */
export interface FaultWindow {
  variant: string
  /** e.g. `kill-pod pod-2`. */
  label: string
  startSec: number
  endSec: number
  /** What ended the window, for the tooltip. */
  endsAt: string
  /** Which of three label lines its label sits on, so that close windows stay legible (px from the top). */
  labelY: number
}

/** Actions that end a disruption rather than start one: drawn as a rule, not a window. */
const NOT_A_WINDOW = new Set(['recover-pod'])

/** Pixel offsets of the label lines. */
const LABEL_LINES = [0, 11, 22] as const

/** The fault windows of one variant, in fault order. */
export function variantFaultWindows(v: VariantResult): FaultWindow[] {
  const end = Math.max(v.durationSec, v.timeline.length)
  const out: FaultWindow[] = []
  v.failover.forEach((f, k) => {
    if (NOT_A_WINDOW.has(f.fault)) return
    const ends: [number | null, string][] = [[f.detectedAtSec, 'detection'], [f.recoveredAtSec, 'recovery'], [f.lastErrorSec, 'its last error']]
    const known = ends.filter((e): e is [number, string] => e[0] !== null).sort((a, b) => b[0] - a[0])[0]
    const next = v.failover[k + 1]?.atSec
    const [endSec, endsAt] = known ?? (next === undefined ? [end, 'the end of the run'] : [next, 'the next fault'])
    const label = `${f.fault} ${f.pods.length > 0 ? f.pods.join(',') : f.target}`
    out.push({ variant: v.name, label, startSec: f.atSec, endSec: Math.min(end, Math.max(endSec, f.atSec + 0.05)), endsAt, labelY: LABEL_LINES[out.length % LABEL_LINES.length]! })
  })
  return out
}

/** Every variant's fault windows. */
export function faultWindows(result: RunResult): FaultWindow[] {
  return result.variants.flatMap(variantFaultWindows)
}

/** Detection and recovery of each fault, and recover-pod, as rules: { variant, tSec, label }. */
export function markers(result: RunResult): { variant: string; tSec: number; label: string }[] {
  const out: { variant: string; tSec: number; label: string }[] = []
  for (const v of result.variants) {
    for (const f of v.failover) {
      const what = `${f.fault} ${f.pods.join(',')}`
      if (NOT_A_WINDOW.has(f.fault)) out.push({ variant: v.name, tSec: f.atSec, label: what })
      if (f.detectedAtSec !== null) out.push({ variant: v.name, tSec: f.detectedAtSec, label: `${what}: detected` })
      if (f.recoveredAtSec !== null) out.push({ variant: v.name, tSec: f.recoveredAtSec, label: `${what}: recovered` })
    }
  }
  return out
}

/** The rows the fault layers read, next to a chart's series rows: `kind: 'window'` and `kind: 'marker'`. */
export function faultRows(result: RunResult): Record<string, unknown>[] {
  return [...faultWindows(result).map((w) => ({ kind: 'window', ...w })), ...markers(result).map((m) => ({ kind: 'marker', ...m }))]
}

/** What the fault layers say in a subtitle. */
export const FAULT_LEGEND = 'shaded: fault windows (from the fault to the last of detection, recovery and its last error); dashed rules: detection, recovery, recover-pod'

/** The shaded windows (behind), their labels and the marker rules, read from the shared data by `kind`. */
export function faultLayers(): UnitSpec<Field>[] {
  const win = [{ filter: "datum.kind === 'window'" }]
  const windowTip = [
    { field: 'label', title: 'fault' },
    { field: 'startSec', title: 'from (s)', format: '.2f' },
    { field: 'endSec', title: 'to (s)', format: '.2f' },
    { field: 'endsAt', title: 'window ends at' },
  ]
  return [
    { transform: win, mark: { type: 'rect', color: INK.fault, opacity: 0.12 }, encoding: { x: { field: 'startSec', type: 'quantitative' }, x2: { field: 'endSec' }, tooltip: windowTip } },
    {
      transform: win,
      mark: { type: 'text', align: 'left', dx: 3, dy: 2, fontSize: 10, color: INK.vermillion, baseline: 'top' },
      encoding: { x: { field: 'startSec', type: 'quantitative' }, y: { field: 'labelY', type: 'quantitative', scale: null }, text: { field: 'label' }, tooltip: windowTip },
    },
    {
      transform: [{ filter: "datum.kind === 'marker'" }],
      mark: { type: 'rule', color: '#444', strokeDash: [4, 3] },
      encoding: { x: { field: 'tSec', type: 'quantitative' }, tooltip: [{ field: 'label', title: 'event' }, { field: 'tSec', title: 'at (s)', format: '.2f' }] },
    },
  ] as UnitSpec<Field>[]
}

/** What a time-series chart draws: one mark, or several layered. */
export type Series = UnitSpec<Field> | (Omit<LayerSpec<Field>, 'layer'> & { layer: UnitSpec<Field>[] })

/** The series layer(s) with the time axis and the x (seconds) scale fixed to [0, seconds] wherever x is a field. */
function withTimeAxis(series: Series, seconds: number): Series {
  return 'layer' in series ? { ...series, layer: series.layer.map((l) => unitWithTimeAxis(l, seconds)) } : unitWithTimeAxis(series, seconds)
}

function unitWithTimeAxis(series: UnitSpec<Field>, seconds: number): UnitSpec<Field> {
  const x = series.encoding?.x
  if (x === undefined || !('field' in x)) return series
  return { ...series, encoding: { ...series.encoding, x: { ...x, ...timeAxis(seconds), scale: { domain: [0, seconds], nice: false } } } as UnitSpec<Field>['encoding'] }
}

/**
 * A time-series chart with one panel per variant: the fault windows behind, the series layer,
 * then the rules, over rows that carry `kind: 'series'` and the fault rows. Every time axis spans
 * the whole measured phase, so the charts line up one under another; the variant's name heads
 * its panel (above it, so that it takes no width).
 */
export function timeSeriesByVariant(
  result: RunResult,
  /** `subtitle`: what the series are; the fault layers' legend follows on a line of its own when the run had faults. */
  o: { name: string; title: string; subtitle: string; rows: Record<string, unknown>[]; height: number; series: Series },
): Chart {
  const seconds = runSeconds(result)
  const [windows, labels, rules] = faultLayers()
  const faults = faultRows(result)
  const rows = [...o.rows, ...faults]
  const spec = {
    $schema: SCHEMA,
    title: { text: o.title, subtitle: faults.length === 0 ? o.subtitle : [o.subtitle, FAULT_LEGEND] },
    data: { values: rows },
    facet: { row: { field: 'variant', type: 'nominal', sort: variantNames(result), title: null, header: { labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold' } } },
    spec: {
      width: FIXED_WIDTH_PX,
      height: o.height,
      layer: [windows!, { ...withTimeAxis(o.series, seconds), transform: [{ filter: "datum.kind === 'series'" }] }, rules!, labels!],
    },
  }
  return { name: o.name, title: o.title, spec: fillWidth(spec as Chart['spec']) }
}
