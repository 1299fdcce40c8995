/**
 * A distribution-free confidence interval for a median: the order statistics x(k) and x(n+1-k)
 * of n independent samples cover the median with probability 1 - 2·P(Binomial(n, ½) < k),
 * whatever the distribution (Conover, Practical Nonparametric Statistics, §3.2). Used for the
 * per-repetition ratios of npm run bench:proxy, so that "met" means met beyond the run's noise.
 */

/** The interval, its exact coverage, or null when n samples are too few for the confidence. */
export interface MedianInterval {
  lo: number
  hi: number
  /** The exact coverage of [lo, hi] (at least the confidence asked for). */
  coverage: number
}

/** P(Binomial(n, ½) ≤ k). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 0.5 ** n // C(n, 0) / 2^n
  let sum = 0
  for (let i = 0; i <= k; i++) {
    sum += term
    term = (term * (n - i)) / (i + 1)
  }
  return sum
}

/** The widest-k interval with coverage ≥ `confidence`; null if even [min, max] falls short. */
export function medianInterval(xs: readonly number[], confidence = 0.95): MedianInterval | null {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b)
  const n = s.length
  const tail = (1 - confidence) / 2
  // k: the largest with P(X ≤ k - 1) ≤ tail; the interval is [x(k), x(n+1-k)] (1-based).
  let k = 0
  while (k + 1 <= n / 2 && binomialHalfCdf(n, k) <= tail) k++
  if (k === 0) return null
  return { lo: s[k - 1]!, hi: s[n - k]!, coverage: 1 - 2 * binomialHalfCdf(n, k - 1) }
}

/** Where a target stands against an interval: beyond the noise either way, or inside it. */
export type TargetVerdict = 'met' | 'not met' | 'inconclusive'

/** `atLeast`: the median must be ≥ target (else ≤ target). Without an interval: by the median alone. */
export function targetVerdict(iv: MedianInterval | null, median: number, target: number, atLeast: boolean): TargetVerdict {
  if (iv === null) return (atLeast ? median >= target : median <= target) ? 'met' : 'not met'
  if (atLeast ? iv.lo >= target : iv.hi <= target) return 'met'
  if (atLeast ? iv.hi < target : iv.lo > target) return 'not met'
  return 'inconclusive'
}
