/**
 * The relative gate: current trials against baseline trials, one metric at a time. Pure.
 *
 * Method (README "Baselines"): for each compared metric, the medians of the two trial sets give
 * the change (ratio − 1, or the difference for rates that sit near zero). A metric regresses only
 * when all of these hold:
 *   1. significant: the two-sided Mann-Whitney U test rejects "same distribution" at `alpha`
 *      (exact permutation p-value, ties at mid-ranks, for up to 20 trials in all; normal
 *      approximation with tie correction above);
 *   2. large: the change is at least `minChange` (× the metric's minChangeFactor: 3 for p99) in the bad direction (ratio metrics);
 *   3. above the noise floor: the absolute difference of medians is at least the metric's floor;
 *   4. history mode (a baseline file of at least 2 saved runs, their trials pooled as the
 *      baseline): the change exceeds the spread between the saved runs ({@link historySpread}).
 * An improvement is the same in the good direction. The 95% bootstrap confidence interval of
 * the ratio (or difference) of medians is reported alongside, seeded, so runs are repeatable.
 */
import { median as ssMedian } from 'simple-statistics'
import { createRng } from '../util/rng.ts'
import { midRanks } from './ranks.ts'
import type { Comparison, MetricVerdict } from '../model/gate-result.ts'

/** How a compared metric is judged. */
export interface CompareSpec {
  path: string
  better: 'lower' | 'higher'
  /** ratio: change = median ratio − 1; difference: change = median difference (metric units). */
  mode: 'ratio' | 'difference'
  /** Smallest absolute difference of medians that can count, in the metric's unit. */
  floor: number
  /** This metric needs `minChangeFactor` × min-change (tail latency drifts more between runs). @default 1 */
  minChangeFactor?: number
}

/** Metrics compared by default, when present in both runs. */
export const DEFAULT_COMPARE: readonly CompareSpec[] = [
  { path: 'requests.rps', better: 'higher', mode: 'ratio', floor: 0 },
  { path: 'latency.p50', better: 'lower', mode: 'ratio', floor: 0.02 },
  // Between runs minutes apart, p99 drifted 7–13% with nothing changed (bench:gate-quality):
  // the tail needs three times the min-change.
  { path: 'latency.p99', better: 'lower', mode: 'ratio', floor: 0.05, minChangeFactor: 3 },
  { path: 'errors.rate', better: 'lower', mode: 'difference', floor: 0.001 },
  { path: 'fairness.jain', better: 'higher', mode: 'difference', floor: 0.02 },
  { path: 'failover.totalRequestsLost', better: 'lower', mode: 'ratio', floor: 10 },
  { path: 'failover.maxDetectionSec', better: 'lower', mode: 'difference', floor: 0.5 },
]

/** Under --normalize: throughput and latency as ratios to the calibration path of the same trial. */
export const NORMALIZED_COMPARE: readonly CompareSpec[] = [
  { path: 'normalized.rps', better: 'higher', mode: 'ratio', floor: 0 },
  { path: 'normalized.p50', better: 'lower', mode: 'ratio', floor: 0 },
  { path: 'normalized.p99', better: 'lower', mode: 'ratio', floor: 0, minChangeFactor: 3 },
]

/** A spec for any path: direction guessed from its name (latency, errors, lost, dropped → lower is better). */
export function specFor(path: string): CompareSpec {
  const known = [...DEFAULT_COMPARE, ...NORMALIZED_COMPARE].find((s) => s.path === path || s.path === path.replace(/^latencyMs\./, 'latency.'))
  if (known !== undefined) return { ...known, path }
  const lower = /latency|errors|Lost|dropped|Sec$|DipPct|p\d+$|timeout|reset|refused/i.test(path)
  return { path, better: lower ? 'lower' : 'higher', mode: 'ratio', floor: 0 }
}

/** Options of {@link compareMetric}. */
export interface CompareOptions {
  /** Smallest relative change that can fail the gate (ratio metrics). @default 0.05 */
  minChange: number
  /** Significance level of the Mann-Whitney U test. @default 0.05 */
  alpha: number
  /** Bootstrap resamples. @default 4000 */
  resamples: number
  /** Seed of the bootstrap's resampling. @default 1 */
  seed: number
  /**
   * History mode: the metric's values in each saved run of the baseline (at least 2 runs); the
   * change must then also exceed their spread ({@link historySpread}). @default undefined
   */
  history?: readonly (readonly number[])[]
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { minChange: 0.05, alpha: 0.05, resamples: 4000, seed: 1 }

/**
 * The median of `xs`: the middle value, or the mean of the two middle values for an even count
 * (simple-statistics' median, its type-7 quantile at 0.5); NaN when empty.
 */
export function median(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : ssMedian(xs)
}

const EXACT_MAX_N = 20

/** Standard normal upper tail, Abramowitz-Stegun 7.1.26 via erfc (|error| < 1.5e-7). */
function normalSf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x)
  return z >= 0 ? erfc / 2 : 1 - erfc / 2
}

/**
 * Two-sided Mann-Whitney U p-value of samples a and b. Exact (every split of the pooled mid-ranks)
 * when a and b hold at most 20 values together, else the normal approximation with tie correction.
 * All values equal → 1.
 */
export function mannWhitneyP(a: readonly number[], b: readonly number[]): number {
  const n = a.length
  const m = b.length
  if (n === 0 || m === 0) return 1
  const ranks = midRanks([...a, ...b])
  const rankSumA = ranks.slice(0, n).reduce((s, r) => s + r, 0)
  const mean = (n * (n + m + 1)) / 2
  const observed = Math.abs(rankSumA - mean)
  if (observed < 1e-9) return 1
  if (n + m <= EXACT_MAX_N) {
    // Enumerate every way to pick n of the n+m ranks as "a".
    let extreme = 0
    let total = 0
    const N = n + m
    const pick = (start: number, left: number, sum: number) => {
      if (left === 0) {
        total++
        if (Math.abs(sum - mean) >= observed - 1e-9) extreme++
        return
      }
      for (let i = start; i <= N - left; i++) pick(i + 1, left - 1, sum + (ranks[i] as number))
    }
    pick(0, n, 0)
    return extreme / total
  }
  const counts = new Map<number, number>()
  for (const r of ranks) counts.set(r, (counts.get(r) ?? 0) + 1)
  const N = n + m
  const tie = [...counts.values()].reduce((s, t) => s + (t ** 3 - t), 0)
  const variance = ((n * m) / 12) * (N + 1 - tie / (N * (N - 1)))
  if (variance <= 0) return 1
  const z = (observed - 0.5) / Math.sqrt(variance)
  return Math.min(1, 2 * normalSf(z))
}

/** 95% percentile-bootstrap interval of the ratio (or difference) of medians, current over baseline. */
export function bootstrapCi(base: readonly number[], cur: readonly number[], mode: 'ratio' | 'difference', resamples: number, seed: number): [number, number] {
  const rng = createRng(seed)
  const draw = (xs: readonly number[]) => median(Array.from(xs, () => xs[Math.floor(rng() * xs.length)] as number))
  const stats: number[] = []
  for (let i = 0; i < resamples; i++) {
    const b = draw(base)
    const c = draw(cur)
    if (mode === 'difference') stats.push(c - b)
    else if (b !== 0) stats.push(c / b - 1)
  }
  if (stats.length === 0) return [Number.NaN, Number.NaN]
  stats.sort((x, y) => x - y)
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * stats.length)))] as number
  return [at(0.025), at(0.975)]
}

/** The smallest two-sided p-value the exact test can give for n and m trials: 2 / C(n+m, n). */
export function minimumP(n: number, m: number): number {
  let c = 1
  for (let i = 1; i <= n; i++) c = (c * (m + i)) / i
  return Math.min(1, 2 / c)
}

/** `x` rounded to `d` decimals (non-finite values unchanged), as results store figures. */
export const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x)

/**
 * How far an unchanged run moved on this runner: the range (max − min) of the saved runs' medians
 * of a metric, over the baseline median `center` in ratio mode (so it compares with `change`), in
 * the metric's unit in difference mode. Runs without a value are left out; NaN with fewer than 2.
 */
export function historySpread(runs: readonly (readonly number[])[], mode: 'ratio' | 'difference', center: number): number {
  const medians = runs.filter((r) => r.length > 0).map((r) => median(r))
  if (medians.length < 2) return Number.NaN
  const range = Math.max(...medians) - Math.min(...medians)
  return mode === 'ratio' ? range / Math.abs(center) : range
}

/** What a comparison measured, before rounding and judging. */
export interface MeasuredChange {
  mode: 'ratio' | 'difference'
  /** Baseline and current figures (medians), in the metric's unit. */
  baseline: number
  current: number
  /** ratio − 1, or the difference. */
  change: number
  /** |difference| the noise floor is checked on, in the metric's unit. */
  absDiff: number
  ci: [number, number]
  pValue: number
  /** Values on each side. */
  counts: { baseline: number; current: number }
  /** The change is in the bad direction. */
  worse: boolean
  /** History mode: the spread the change must exceed (NaN: none). @default NaN */
  spread?: number
  /** Saved runs the spread is over. */
  runs?: number
}

/**
 * The verdict on a measured change, and the comparison as results hold it (rounded): a
 * regression or improvement only when significant, at least the noise floor, at least
 * min-change (ratio mode) and beyond the history's spread (when there is one).
 */
export function judgeChange(variant: string, spec: CompareSpec, m: MeasuredChange, opts: Pick<CompareOptions, 'alpha' | 'minChange'>): Comparison {
  const spread = m.spread ?? Number.NaN
  const need = opts.minChange * (spec.minChangeFactor ?? 1)
  let reason = ''
  if (m.pValue >= opts.alpha) reason = `not significant (p ${round(m.pValue, 3)} ≥ ${opts.alpha})`
  else if (m.absDiff < spec.floor || m.absDiff === 0 || m.change === 0) reason = `below the noise floor (|Δ| < ${spec.floor})`
  else if (m.mode === 'ratio' && Math.abs(m.change) < need) reason = `below min-change (${round(Math.abs(m.change) * 100, 2)}% < ${round(need * 100, 2)}%)`
  else if (Math.abs(m.change) <= spread) {
    const within = m.mode === 'ratio' ? `${round(Math.abs(m.change) * 100, 2)}% ≤ ${round(spread * 100, 2)}%` : `|Δ| ${round(Math.abs(m.change), 6)} ≤ ${round(spread, 6)}`
    reason = `within the history's spread (${within}, the range of ${m.runs} saved runs' medians)`
  }
  const verdict: MetricVerdict = reason !== '' ? 'unchanged' : m.worse ? 'regression' : 'improvement'
  return {
    variant,
    path: spec.path,
    better: spec.better,
    mode: m.mode,
    baseline: round(m.baseline),
    current: round(m.current),
    change: round(m.change),
    ci: [round(m.ci[0]), round(m.ci[1])],
    pValue: round(m.pValue, 4),
    trials: { ...m.counts },
    verdict,
    reason,
    ...(Number.isNaN(spread) ? {} : { spread: round(spread) }),
  }
}

/** Compare one metric's trials (history mode when `opts.history` holds at least 2 saved runs). */
export function compareMetric(variant: string, spec: CompareSpec, base: readonly number[], cur: readonly number[], opts: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const mb = median(base)
  const mc = median(cur)
  const mode = spec.mode === 'ratio' && mb === 0 ? 'difference' : spec.mode
  const change = mode === 'ratio' ? mc / mb - 1 : mc - mb
  const pValue = mannWhitneyP(base, cur)
  const ci = bootstrapCi(base, cur, mode, opts.resamples, opts.seed)
  const worse = spec.better === 'lower' ? mc > mb : mc < mb
  const spread = opts.history === undefined ? Number.NaN : historySpread(opts.history, mode, mb)
  const runs = opts.history?.filter((r) => r.length > 0).length
  const c = judgeChange(variant, spec, { mode, baseline: mb, current: mc, change, absDiff: Math.abs(mc - mb), ci, pValue, counts: { baseline: base.length, current: cur.length }, worse, spread, runs }, opts)
  return { ...c, test: 'mann-whitney' }
}
