/**
 * Fairness of a split of requests over pods. Pure functions over plain count arrays.
 *
 * - Jain's index J = (Σx)² / (n·Σx²), from 1/n (all on one) to 1 (equal)
 *   (Jain, Chiu, Hawe, DEC TR-301, 1984). J = 1/(1+CV²) with the population CV.
 * - CV: population coefficient of variation, σ/μ (σ with divisor n).
 * - max/mean: the busiest pod's load relative to the mean.
 * - chi-squared goodness of fit of the counts against expected shares, as a p-value
 *   (upper tail of χ² with n−1 degrees of freedom). With large counts even small deviations
 *   give p ≈ 0: it answers "is this split what the configuration predicts", not "is it close".
 *   (simple-statistics has only a table of critical values at fixed significance levels, not
 *   this p-value, so the incomplete gamma function is here.)
 */
import { gammaln, max, mean, standardDeviation } from 'simple-statistics'

/** Jain's fairness index of `counts`; 1 when all are zero or there is one count. */
export function jainIndex(counts: readonly number[]): number {
  const n = counts.length
  if (n === 0) return 1
  let sum = 0
  let sumSq = 0
  for (const x of counts) {
    sum += x
    sumSq += x * x
  }
  return sumSq === 0 ? 1 : (sum * sum) / (n * sumSq)
}

/**
 * Population coefficient of variation σ/μ (simple-statistics' standardDeviation, divisor n; not
 * its coefficientOfVariation, which uses the sample σ with divisor n − 1); 0 when the mean is 0.
 */
export function coefficientOfVariation(counts: readonly number[]): number {
  if (counts.length === 0) return 0
  const mu = mean(counts)
  return mu === 0 ? 0 : standardDeviation(counts) / mu
}

/** Largest count over the mean; 0 when the mean is 0. */
export function maxOverMean(counts: readonly number[]): number {
  if (counts.length === 0) return 0
  const mu = mean(counts)
  return mu === 0 ? 0 : max(counts) / mu
}

/** ln Γ(x) for x > 0 (simple-statistics' gammaln: Lanczos, g = 607/128, 15 terms; ~15 significant digits). */
export function logGamma(x: number): number {
  return gammaln(x)
}

/**
 * Regularized upper incomplete gamma Q(s, x) = Γ(s, x)/Γ(s): series for x < s+1,
 * Lentz continued fraction otherwise (Numerical Recipes §6.2).
 */
export function gammaQ(s: number, x: number): number {
  if (x <= 0) return 1
  const lg = logGamma(s)
  if (x < s + 1) {
    let sum = 1 / s
    let term = sum
    for (let k = 1; k < 10_000; k++) {
      term *= x / (s + k)
      sum += term
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break
    }
    return Math.max(0, 1 - sum * Math.exp(-x + s * Math.log(x) - lg))
  }
  const tiny = 1e-300
  let b = x + 1 - s
  let c = 1 / tiny
  let d = 1 / b
  let h = d
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - s)
    b += 2
    d = an * d + b
    if (Math.abs(d) < tiny) d = tiny
    c = b + an / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-15) break
  }
  return Math.min(1, Math.exp(-x + s * Math.log(x) - lg) * h)
}

/** Upper-tail p-value of a χ² statistic with `df` degrees of freedom. */
export function chiSquaredSurvival(stat: number, df: number): number {
  if (df <= 0) return 1
  return gammaQ(df / 2, stat / 2)
}

/**
 * Pearson χ² goodness-of-fit p-value of `observed` against `expectedShares` (which sum to 1).
 * Pods with an expected share of 0 must have 0 observations (else p = 0) and add no degree of
 * freedom. Returns 1 when there is nothing to test (fewer than 2 pods or no observations).
 */
export function chiSquaredP(observed: readonly number[], expectedShares: readonly number[]): number {
  const total = observed.reduce((a, b) => a + b, 0)
  if (total === 0) return 1
  let stat = 0
  let cells = 0
  for (let i = 0; i < observed.length; i++) {
    const share = expectedShares[i] ?? 0
    const o = observed[i] ?? 0
    if (share <= 0) {
      if (o > 0) return 0
      continue
    }
    const e = total * share
    stat += ((o - e) * (o - e)) / e
    cells++
  }
  return cells < 2 ? 1 : chiSquaredSurvival(stat, cells - 1)
}
