/**
 * Charts that fill the page's content column in report.html while their SVG files keep a fixed
 * width. Vega-Lite's `width: 'container'` only works for single and layered views, not for the
 * per-variant panels (facets) of the time charts, and vega's headless View (the SVG files) has no
 * container to measure. So every spec keeps a fixed width (what the SVG and the .vl.json show)
 * and carries, in `usermeta.embedOptions.patch`, a JSON Patch (RFC 6902) that vega-embed applies
 * to the compiled Vega spec in the browser: the view's width follows its container
 * (`containerSize()`, updated on resize), autosize `fit-x` lays axes, headers and legends inside
 * it, and a panel's width (`child_width`) follows the view's. This is what Vega-Lite emits for
 * `width: 'container'` on a single view, extended to panels.
 */
import { compile, type TopLevelSpec } from 'vega-lite'

/** Width of the data rectangle (one panel's) in the SVG files, px. */
export const FIXED_WIDTH_PX = 900

/** One JSON Patch operation. */
interface PatchOp {
  op: 'add' | 'remove' | 'replace' | 'test'
  path: string
  value?: unknown
}

/** Options of {@link fillWidth}. */
export interface FillWidthOptions {
  /** Panels side by side (a column facet); their widths share the view's. @default 1 */
  columns?: number
  /** Pixels between two side-by-side panels (Vega-Lite's facet spacing). @default 20 */
  spacingPx?: number
}

/** The spec with the patch that makes it fill its container in report.html (see the file's comment). */
export function fillWidth(spec: TopLevelSpec, o: FillWidthOptions = {}): TopLevelSpec {
  return { ...spec, usermeta: { ...(spec.usermeta ?? {}), embedOptions: { patch: fillWidthPatch(spec, o) } } } as TopLevelSpec
}

/** The JSON Patch of {@link fillWidth}, worked out on the spec as Vega-Lite compiles it here. */
export function fillWidthPatch(spec: TopLevelSpec, o: FillWidthOptions = {}): PatchOp[] {
  const vg = compile(spec).spec as { width?: unknown; signals?: { name: string }[] }
  const signals = vg.signals ?? []
  const container = `isFinite(containerSize()[0]) ? containerSize()[0] : ${FIXED_WIDTH_PX}`
  const widthSignal = { name: 'width', init: container, on: [{ events: 'window:resize', update: container }] }
  const ops: PatchOp[] = [{ op: 'add', path: '/autosize', value: { type: 'fit-x', contains: 'padding' } }]
  if (vg.width !== undefined) ops.push({ op: 'remove', path: '/width' })
  const columns = o.columns ?? 1
  const child = signals.findIndex((s) => s.name === 'child_width')
  if (child >= 0) {
    const update = columns > 1 ? `max(10, (width - ${(o.spacingPx ?? 20) * (columns - 1)}) / ${columns})` : 'width'
    // `test` first: a compiled spec that differs from the one seen here fails loudly instead of being patched wrong.
    ops.push({ op: 'test', path: `/signals/${child}/name`, value: 'child_width' }, { op: 'replace', path: `/signals/${child}`, value: { name: 'child_width', update } })
  }
  const own = signals.findIndex((s) => s.name === 'width')
  if (own >= 0) ops.push({ op: 'test', path: `/signals/${own}/name`, value: 'width' }, { op: 'replace', path: `/signals/${own}`, value: widthSignal })
  else ops.push({ op: 'add', path: vg.signals === undefined ? '/signals' : '/signals/-', value: vg.signals === undefined ? [widthSignal] : widthSignal })
  return ops
}
