/**
 * One metric of two runs side by side, and the rule that says whether it changed. Pure.
 *
 * The rule ({@link CHANGE_RULE}, docs/results.md "Comparing two runs") is the baseline gate's
 * (gate/verdict.ts), so that `svcbench report a b` and `--baseline` agree:
 * - ratio metrics (throughput, p50, p99, requests lost): changed when |b/a − 1| ≥ 5% (15% for p99,
 *   the gate's 3 × min-change: the tail drifts more between runs minutes apart, docs/history.md
 *   "The baseline gate") and |b − a| is at least the metric's noise floor (p50 0.02 ms, p99
 *   0.05 ms, 10 requests lost);
 * - difference metrics: changed when |b − a| ≥ the floor (error rate 0.1 percentage point, Jain
 *   0.02, a fault's detection 0.5 s, a pod's share 5 percentage points);
 * - when both runs ran trials, enough for the test to reach p < 0.05 (4 against 4 or more), the
 *   change must also be significant: the gate's two-sided Mann-Whitney U test of the trials,
 *   p < 0.05 (compareMetric). With one run per side nothing tests the noise, and the finding says so.
 */
import { compareMetric, median, minimumP, specFor, DEFAULT_COMPARE_OPTIONS, type CompareSpec } from '../gate/verdict.ts'
import { trialMetrics } from '../gate/metrics.ts'
import type { VariantResult } from '../model/results.ts'

/** Which way is better for a metric: `none` for figures with no good direction (a pod's share). */
export type Better = 'lower' | 'higher' | 'none'

/** How a metric's values are shown. */
export type MetricUnit = 'req/s' | 'ms' | 's' | 'fraction' | 'count' | 'index'

/** One metric of a matched variant pair: run a's value, run b's, the change and whether it counts. */
export interface MetricDiff {
  /** The metric's threshold path (docs/gates.md), e.g. `latency.p99`, `failover.0.detectionSec`, `pods.pod-2.share`. */
  path: string
  /** The metric as people read it, e.g. `p99`, `detection kill-pod pod-2`. */
  label: string
  unit: MetricUnit
  better: Better
  /** `ratio`: the change is b/a − 1; `difference`: b − a. */
  mode: 'ratio' | 'difference'
  /** Run a's value (the median of its trials when it ran several); null when it has none (a fault never detected, a pod it did not have). */
  a: number | null
  /** Run b's value, as `a`. */
  b: number | null
  /** b/a − 1 (0.05 = +5%); null when either value is null or a is 0. */
  relative: number | null
  /** b − a in the metric's unit; null when either value is null. */
  absolute: number | null
  /** The change counts under {@link CHANGE_RULE}. */
  changed: boolean
  /** `better`/`worse` when changed (by `better`), `changed` when changed with no good direction, `same` when not changed. */
  verdict: 'better' | 'worse' | 'changed' | 'same'
  /** Why, in a few words: `within 5%`, `below the noise floor (0.05 ms)`, `Mann-Whitney p 0.008`. */
  reason: string
  /** The 95% bootstrap interval of the change (relative in ratio mode), when both runs ran trials. */
  ci?: [number, number]
  /** Values on each side: trials with a value (1 for a single run). */
  trials: [number, number]
  /** Latency: the request timeout, ms; a value at it is censored (the real latency is longer). */
  censoredAtMs?: number
}

/** The rule for "changed", in words (docs/results.md repeats it). */
export const CHANGE_RULE =
  'a change counts when it is at least 5% (15% for p99) and above the noise floor (p50 0.02 ms, p99 0.05 ms, 10 requests lost), or, for rates and indices, at least 0.1 percentage point of errors, 0.02 of Jain, 0.5 s of detection, 5 percentage points of a pod\'s share; when both runs ran enough trials for the test to reach p < 0.05 (4 against 4, say) it must also be significant (Mann-Whitney U, p < 0.05), as the baseline gate judges'

/** A pod's share needs this absolute change (5 percentage points) to count. */
export const SHARE_FLOOR = 0.05

/** What a metric is and how it is judged. */
export interface MetricSpec {
  path: string
  label: string
  unit: MetricUnit
  better: Better
  mode: 'ratio' | 'difference'
  /** Smallest |b − a| that counts, in the metric's unit. */
  floor: number
  /** Smallest |b/a − 1| that counts (ratio mode). */
  minChange: number
}

/** The spec of a gate metric path, the gate's floors and min-change (gate/verdict.ts DEFAULT_COMPARE). */
export function gateSpec(path: string, label: string, unit: MetricUnit, like = path): MetricSpec {
  const s = specFor(like)
  return { path, label, unit, better: s.better, mode: s.mode, floor: s.floor, minChange: DEFAULT_COMPARE_OPTIONS.minChange * (s.minChangeFactor ?? 1) }
}

/** The spec of a pod's share: no good direction, 5 percentage points. */
export function shareSpec(pod: string): MetricSpec {
  return { path: `pods.${pod}.share`, label: `${pod} share`, unit: 'fraction', better: 'none', mode: 'difference', floor: SHARE_FLOOR, minChange: 0 }
}

/** A metric's values over a variant's trials (its clean ones, as the gate takes them), nulls left out. */
function values(v: VariantResult, path: string): { xs: number[]; nulls: number } {
  const maps = trialMetrics(v)
  const xs = maps.map((m) => m[path]).filter((x): x is number => typeof x === 'number')
  return { xs, nulls: maps.length - xs.length }
}

const pctText = (x: number) => `${Math.round(x * 1000) / 10}%`

/** Compare one metric of two variants under {@link CHANGE_RULE}. */
export function diffMetric(spec: MetricSpec, va: VariantResult, vb: VariantResult): MetricDiff {
  const A = values(va, spec.path)
  const B = values(vb, spec.path)
  const a = A.xs.length === 0 ? null : median(A.xs)
  const b = B.xs.length === 0 ? null : median(B.xs)
  const absolute = a === null || b === null ? null : b - a
  const relative = a === null || b === null || a === 0 ? null : b / a - 1
  const timeout = spec.unit === 'ms' ? va.load?.requestTimeoutMs : undefined
  const base = { path: spec.path, label: spec.label, unit: spec.unit, better: spec.better, mode: spec.mode, a, b, relative, absolute, trials: [A.xs.length, B.xs.length] as [number, number], ...(timeout === undefined ? {} : { censoredAtMs: timeout }) }
  const verdictOf = (changed: boolean, worse: boolean): MetricDiff['verdict'] => (!changed ? 'same' : spec.better === 'none' ? 'changed' : worse ? 'worse' : 'better')
  if (a === null || b === null) {
    const changed = a !== b
    return { ...base, changed, verdict: changed ? 'changed' : 'same', reason: changed ? `a value in run ${a === null ? 'b' : 'a'} only` : 'no value in either run' }
  }
  const worse = spec.better === 'lower' ? b > a : b < a
  const tested = spec.better !== 'none' && A.xs.length >= 2 && B.xs.length >= 2 && minimumP(A.xs.length, B.xs.length) < DEFAULT_COMPARE_OPTIONS.alpha
  if (tested) {
    const gateLike: CompareSpec = { path: spec.path, better: spec.better as 'lower' | 'higher', mode: spec.mode, floor: spec.floor, minChangeFactor: spec.minChange / DEFAULT_COMPARE_OPTIONS.minChange }
    const c = compareMetric('', gateLike, A.xs, B.xs)
    const changed = c.verdict !== 'unchanged'
    return { ...base, changed, verdict: verdictOf(changed, worse), reason: changed ? `Mann-Whitney p ${c.pValue}` : c.reason, ...(c.mode === spec.mode ? { ci: c.ci } : {}) }
  }
  const ratio = spec.mode === 'ratio' && a !== 0
  const diff = Math.abs(b - a)
  let reason = ''
  if (diff === 0) reason = 'the same'
  else if (ratio && Math.abs(b / a - 1) < spec.minChange) reason = `within ${pctText(spec.minChange)}`
  else if (diff < spec.floor) reason = `below the noise floor (${formatValue(spec.unit, spec.floor)}${unitSuffix(spec.unit)})`
  const changed = reason === ''
  const single = A.xs.length < 2 || B.xs.length < 2 ? 'one run each: no test of the noise' : 'too few trials for the test'
  return { ...base, changed, verdict: verdictOf(changed, worse), reason: changed ? single : reason }
}

const trim = (x: number, digits: number) => String(Number(x.toFixed(digits)))

/** A value in its unit, without the unit: `4,210`, `4.81`, `2.5%` (fractions as percentages), `0.991`. */
export function formatValue(unit: MetricUnit, x: number | null, censoredAtMs?: number): string {
  if (x === null) return '–'
  if (unit === 'ms' && censoredAtMs !== undefined && censoredAtMs > 0 && x >= censoredAtMs * (1 - 1e-3)) return `≥ ${trim(censoredAtMs, 0)}`
  switch (unit) {
    case 'req/s':
    case 'count':
      return Math.round(x).toLocaleString('en-US')
    case 'ms':
      return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)
    case 's':
      return trim(x, 2)
    case 'fraction':
      return `${(x * 100).toFixed(x * 100 >= 10 ? 1 : 2)}%`
    case 'index':
      return x.toFixed(3)
  }
}

/** The unit as written after a value (` ms`, ` req/s`); empty for fractions and indices. */
export function unitSuffix(unit: MetricUnit): string {
  return unit === 'ms' || unit === 's' || unit === 'req/s' ? ` ${unit}` : ''
}

const sign = (x: number) => (x > 0 ? '+' : x < 0 ? '−' : '±')

/** The change as people read it: `+18%` (ratio), `+0.6 s`, `+1.2 pp` (fractions, percentage points), `−0.004`; `–` without one. */
export function formatChange(d: Pick<MetricDiff, 'mode' | 'unit' | 'relative' | 'absolute'>): string {
  if (d.mode === 'ratio' && d.relative !== null) {
    const p = Math.abs(d.relative * 100)
    return `${sign(d.relative)}${p >= 10 ? p.toFixed(0) : trim(p, 1)}%`
  }
  if (d.absolute === null) return '–'
  const x = Math.abs(d.absolute)
  if (d.unit === 'fraction') return `${sign(d.absolute)}${trim(x * 100, 2)} pp`
  if (d.unit === 'index') return `${sign(d.absolute)}${x.toFixed(3)}`
  return `${sign(d.absolute)}${formatValue(d.unit, x)}${unitSuffix(d.unit)}`
}

/** `4.1 → 4.8 ms`. */
export function formatValues(d: MetricDiff): string {
  return `${formatValue(d.unit, d.a, d.censoredAtMs)} → ${formatValue(d.unit, d.b, d.censoredAtMs)}${unitSuffix(d.unit)}`
}

/** One metric in a finding: `p99 +18% worse (4.1 → 4.8 ms)`, `throughput −3% (within 5%)`, `Jain 0.991 → 0.987`. */
export function diffPhrase(d: MetricDiff): string {
  const values = formatValues(d)
  if (d.changed) {
    const words = [d.label, d.mode === 'ratio' && d.relative !== null ? formatChange(d) : '', d.verdict === 'changed' ? '' : d.verdict]
    return `${words.filter((w) => w !== '').join(' ')} (${values})`
  }
  if (d.mode === 'ratio' && d.relative !== null) return `${d.label} ${formatChange(d)} (${d.reason})`
  return `${d.label} ${values} (${d.reason})`
}
