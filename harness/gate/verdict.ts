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
 *   3. above the noise floor: the absolute difference of medians is at least the metric's floor.
 * An improvement is the same in the good direction. The 95% bootstrap confidence interval of
 * the ratio (or difference) of medians is reported alongside, seeded, so runs are repeatable.
 */
import { median as ssMedian } from 'simple-statistics'
import { createRng } from '../util/rng.ts'
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
  seed: number
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { minChange: 0.05, alpha: 0.05, resamples: 4000, seed: 1 }

/**
 * The median of `xs`: the middle value, or the mean of the two middle values for an even count
 * (simple-statistics' median, its type-7 quantile at 0.5); NaN when empty.
 */
export function median(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : ssMedian(xs)
}

/** Mid-ranks (1-based) of `xs`, ties sharing the mean of their ranks. */
function midRanks(xs: readonly number[]): number[] {
  const order = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0])
  const ranks = new Array<number>(xs.length)
  for (let i = 0; i < order.length; ) {
    let j = i
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++
    const r = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r
    i = j + 1
  }
  return ranks
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

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x)

/** Compare one metric's trials. */
export function compareMetric(variant: string, spec: CompareSpec, base: readonly number[], cur: readonly number[], opts: CompareOptions = DEFAULT_COMPARE_OPTIONS): Comparison {
  const mb = median(base)
  const mc = median(cur)
  const mode = spec.mode === 'ratio' && mb === 0 ? 'difference' : spec.mode
  const change = mode === 'ratio' ? mc / mb - 1 : mc - mb
  const pValue = mannWhitneyP(base, cur)
  const ci = bootstrapCi(base, cur, mode, opts.resamples, opts.seed)
  const worse = spec.better === 'lower' ? mc > mb : mc < mb
  let verdict: MetricVerdict = 'unchanged'
  let reason = ''
  if (pValue >= opts.alpha) reason = `not significant (p ${round(pValue, 3)} ≥ ${opts.alpha})`
  else if (Math.abs(mc - mb) < spec.floor || mc === mb) reason = `below the noise floor (|Δ| < ${spec.floor})`
  else if (mode === 'ratio' && Math.abs(change) < opts.minChange * (spec.minChangeFactor ?? 1)) {
    reason = `below min-change (${round(Math.abs(change) * 100, 2)}% < ${round(opts.minChange * (spec.minChangeFactor ?? 1) * 100, 2)}%)`
  }
  else verdict = worse ? 'regression' : 'improvement'
  return {
    variant,
    path: spec.path,
    better: spec.better,
    mode,
    baseline: round(mb),
    current: round(mc),
    change: round(change),
    ci: [round(ci[0]), round(ci[1])],
    pValue: round(pValue, 4),
    trials: { baseline: base.length, current: cur.length },
    verdict,
    reason,
  }
}
