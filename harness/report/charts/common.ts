/** Shared pieces of the chart builders: pure functions from results to Vega-Lite specs. */
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from '../../model/results.ts'

/** A chart: its file name and its Vega-Lite spec (data inlined). */
export interface Chart {
  name: string
  title: string
  spec: TopLevelSpec
}

/** A chart builder: one chart, several (one per variant), or undefined when the chart does not apply to this run. */
export type ChartBuilder = (result: RunResult) => Chart | Chart[] | undefined

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json'

/**
 * The colour-blind-safe palette of every chart: Okabe and Ito's eight colours ("Color Universal
 * Design", https://jfly.uni-koeln.de/color/, 2008), black replaced by a mid grey so it does not
 * read as the black of the markers and predicted-share ticks. Pods and variants take these in run
 * order, and cycle after eight (the tooltips name them).
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#F0E442', '#999999'] as const

/** Named colours of the palette, for meanings that stay the same across charts. */
export const INK = {
  blue: PALETTE[0],
  orange: PALETTE[1],
  green: PALETTE[2],
  vermillion: PALETTE[3],
  sky: PALETTE[4],
  purple: PALETTE[5],
  yellow: PALETTE[6],
  grey: PALETTE[7],
  black: '#222222',
  /** Fault windows: vermillion, drawn at low opacity behind the series. */
  fault: '#D55E00',
  /** Fault windows where a bar shows them (the failover timeline): vermillion lightened. */
  faultFill: '#F3C9B1',
} as const

/** Error kinds, always in these colours: refusals vermillion, resets orange, timeouts purple, 5xx sky blue, other grey. */
export const ERROR_KIND_SCALE = {
  domain: ['connect-refused', 'reset', 'timeout', 'http-5xx', 'other'],
  range: [INK.vermillion, INK.orange, INK.purple, INK.sky, INK.grey],
}

/** Every pod name of the run in a stable order: the variants' pods in run order, each name once. */
export function podNames(result: RunResult): string[] {
  return [...new Set(result.variants.flatMap((v) => v.pods.map((p) => p.name)))]
}

/** The palette cycled over `n` names. */
function cycled(n: number): string[] {
  return Array.from({ length: n }, (_, i) => PALETTE[i % PALETTE.length]!)
}

/** The colour scale of pods: the same domain (every pod of the run) and range in every chart, so a pod keeps its colour. */
export function podColorScale(result: RunResult): { domain: string[]; range: string[] } {
  const pods = podNames(result)
  return { domain: pods, range: cycled(pods.length) }
}

/** The colour scale of variants: run order, the same in every chart. */
export function variantColorScale(result: RunResult): { domain: string[]; range: string[] } {
  const names = variantNames(result)
  return { domain: names, range: cycled(names.length) }
}

/** Variants in run order, for stable colours and sort orders. */
export function variantNames(result: RunResult): string[] {
  return result.variants.map((v) => v.name)
}

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

/** A file-name-safe form of a variant's name (letters, digits, `.`, `_` and `-`; anything else becomes `-`). */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'variant'
}
