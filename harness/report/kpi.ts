/**
 * The KPI tiles of report.html and summary.md: per variant throughput, p50, p99, error rate,
 * Jain's index and the requests lost to faults, each with its difference to the first variant
 * and whether that difference is better, worse or the same. Pure.
 *
 * When is a difference real (not `same`)? With at least 2 trials on both sides (--trials,
 * baselines), when the two variants' trial ranges (min–max, disturbed trials left out as the gate
 * does) do not overlap. With one run each, when it reaches the metric's noise floor: 3% relative
 * for throughput and latency, 0.1 percentage point for the error rate, 0.01 for Jain's index, 3% of
 * the larger count for requests lost. A single run has no spread to measure its noise by: the
 * floors are a convention (a smaller difference is not worth a sentence), not a test; run
 * --trials for one.
 */
import { trialMetrics } from '../gate/metrics.ts'
import { isCensored, latencyText, num } from './format.ts'
import type { RunResult, VariantResult } from '../model/results.ts'

/** The figures a tile shows. */
export type KpiKey = 'rps' | 'p50' | 'p99' | 'errorRate' | 'jain' | 'requestsLost'

/** Which way is better, how a difference is measured, and when it counts. */
interface KpiSpec {
  label: string
  /** The gate's metric path of the figure (docs/gates.md), to read each trial's value. */
  path: string
  better: 'higher' | 'lower'
  /** `relative`: v / first − 1; `absolute`: v − first. */
  mode: 'relative' | 'absolute'
  value: (v: VariantResult) => number | null
  text: (v: VariantResult, x: number) => string
  /** Below the noise floor (one run each side). */
  withinFloor: (x: number, first: number) => boolean
}

/** Relative noise floor for throughput and latency with one run per variant: 3%. */
export const RELATIVE_NOISE_FLOOR = 0.03
/** Noise floor of the error rate with one run per variant: 0.1 percentage point. */
export const ERROR_RATE_NOISE_FLOOR = 0.001
/** Noise floor of Jain's index with one run per variant: 0.01. */
export const JAIN_NOISE_FLOOR = 0.01

const relativeFloor = (x: number, first: number) => first === 0 ? x === 0 : Math.abs(x / first - 1) < RELATIVE_NOISE_FLOOR

/** Requests lost to all faults; null without faults. */
export const requestsLost = (v: VariantResult): number | null => (v.failover.length === 0 ? null : v.failover.reduce((s, f) => s + f.requestsLost, 0))

const SPECS: Record<KpiKey, KpiSpec> = {
  rps: { label: 'req/s', path: 'requests.rps', better: 'higher', mode: 'relative', value: (v) => v.requests.rps, text: (_, x) => `${num(x)} req/s`, withinFloor: relativeFloor },
  p50: { label: 'p50', path: 'latency.p50', better: 'lower', mode: 'relative', value: (v) => v.latencyMs.p50, text: (v, x) => `${latencyText(v, x)} ms`, withinFloor: relativeFloor },
  p99: { label: 'p99', path: 'latency.p99', better: 'lower', mode: 'relative', value: (v) => v.latencyMs.p99, text: (v, x) => `${latencyText(v, x)} ms`, withinFloor: relativeFloor },
  errorRate: { label: 'errors', path: 'errors.rate', better: 'lower', mode: 'absolute', value: (v) => v.errors.rate, text: (v, x) => `${(x * 100).toFixed(2)}% (${num(v.errors.total)})`, withinFloor: (x, f) => Math.abs(x - f) < ERROR_RATE_NOISE_FLOOR },
  jain: { label: 'Jain', path: 'fairness.jain', better: 'higher', mode: 'absolute', value: (v) => v.fairness.jain, text: (_, x) => x.toFixed(3), withinFloor: (x, f) => Math.abs(x - f) < JAIN_NOISE_FLOOR },
  requestsLost: { label: 'lost to faults', path: 'failover.totalRequestsLost', better: 'lower', mode: 'absolute', value: requestsLost, text: (_, x) => `${num(x)} req`, withinFloor: (x, f) => Math.abs(x - f) < RELATIVE_NOISE_FLOOR * Math.max(x, f) || x === f },
}

/** The tiles in the order they are shown. */
export const KPI_KEYS: readonly KpiKey[] = ['rps', 'p50', 'p99', 'errorRate', 'jain', 'requestsLost']

/** A variant's figure against the first variant's. */
export interface KpiDelta {
  /** `relative`: the variant over the first − 1 (0.14 = 14% more); `absolute`: the variant − the first, in the figure's unit (a fraction for the error rate). */
  change: number
  /** How `change` is measured. */
  mode: 'relative' | 'absolute'
  /** The change for people: `+14.0%`, `−0.52 pp`, `+0.013`, `+745 req`. */
  text: string
  /** `same` when the difference is within the noise (see the file's comment); lower latency, errors and losses are better, higher throughput and Jain. */
  direction: 'better' | 'worse' | 'same'
  /** What decided `same`: the trials' ranges (`trials`), the noise floor (`floor`), or both figures at the request timeout (`censored`). */
  basis: 'trials' | 'floor' | 'censored'
}

/** One tile: a figure of one variant, and its difference to the first variant. */
export interface KpiTile {
  key: KpiKey
  /** The tile's title: `req/s`, `p99`, … */
  label: string
  /** The figure in its unit (req/s, ms, a fraction, an index, requests); null when the variant has none (no faults). */
  value: number | null
  /** The figure for people: `3,741 req/s`, `≥ 1000 ms`, `9.12% (3,736)`; `no faults` without one. */
  text: string
  /** Against the first variant; null for the first variant itself, or when either figure is missing. */
  delta: KpiDelta | null
}

/** A variant's tiles. */
export interface VariantKpis {
  variant: string
  tiles: KpiTile[]
}

/** Each trial's value of a figure, when the variant ran at least 2 trials; else null. */
function trialValues(v: VariantResult, path: string): number[] | null {
  if ((v.trials ?? []).length < 2) return null
  const xs = trialMetrics(v).map((m) => m[path]).filter((x): x is number => typeof x === 'number')
  return xs.length >= 2 ? xs : null
}

function changeText(key: KpiKey, mode: 'relative' | 'absolute', change: number): string {
  const sign = change > 0 ? '+' : change < 0 ? '−' : '±'
  const a = Math.abs(change)
  if (mode === 'relative') return `${sign}${(a * 100).toFixed(1)}%`
  if (key === 'errorRate') return `${sign}${(a * 100).toFixed(2)} pp`
  if (key === 'jain') return `${sign}${a.toFixed(3)}`
  return `${sign}${num(a)} req`
}

/** The difference of `v`'s figure `key` to `first`'s; null when either has none. */
export function kpiDelta(key: KpiKey, first: VariantResult, v: VariantResult): KpiDelta | null {
  const s = SPECS[key]
  const a = s.value(first)
  const b = s.value(v)
  if (a === null || b === null) return null
  if (s.mode === 'relative' && a === 0 && b !== 0) return null
  const change = s.mode === 'relative' ? (a === 0 ? 0 : b / a - 1) : b - a
  const ta = trialValues(first, s.path)
  const tb = trialValues(v, s.path)
  let basis: KpiDelta['basis'] = 'floor'
  let same: boolean
  if ((key === 'p50' || key === 'p99') && isCensored(first, a) && isCensored(v, b)) {
    basis = 'censored'
    same = true
  } else if (ta !== null && tb !== null) {
    basis = 'trials'
    same = Math.max(...ta) >= Math.min(...tb) && Math.max(...tb) >= Math.min(...ta)
  } else {
    same = s.withinFloor(b, a)
  }
  const up = change > 0
  const direction = same ? 'same' : up === (s.better === 'higher') ? 'better' : 'worse'
  return { change, mode: s.mode, text: changeText(key, s.mode, change), direction, basis }
}

/** One variant's figure for a tile, against `first` (undefined for the first variant itself). */
export function kpiTile(key: KpiKey, v: VariantResult, first: VariantResult | undefined): KpiTile {
  const s = SPECS[key]
  const value = s.value(v)
  return { key, label: s.label, value, text: value === null ? 'no faults' : s.text(v, value), delta: first === undefined ? null : kpiDelta(key, first, v) }
}

/** Every variant's tiles, each against the first variant. */
export function kpis(result: RunResult): VariantKpis[] {
  const first = result.variants[0]
  return result.variants.map((v, i) => ({ variant: v.name, tiles: KPI_KEYS.map((k) => kpiTile(k, v, i === 0 ? undefined : first)) }))
}
