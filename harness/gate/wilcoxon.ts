/**
 * The Wilcoxon signed-rank test of paired differences, for the paired gate (--pair). Pure.
 *
 * Conventions (Wilcoxon 1945; scipy.stats.wilcoxon's default `zero_method='wilcox'`):
 *   - zero differences are dropped before ranking (Wilcoxon's convention, not Pratt's, which ranks
 *     them and then drops them from the statistic), so n is the number of non-zero differences;
 *   - tied |d| share their mid-rank;
 *   - T+ is the sum of the ranks of the positive differences.
 * The p-value is exact for every n: the null distribution of T+ over all 2^n equally likely sign
 * assignments of the observed ranks (conditional on the ties), built by convolution, which counts
 * exactly what enumerating the 2^n assignments counts. Two-sided: P(|T+ − μ| ≥ |t − μ|) with
 * μ = Σ ranks / 2, about which the null distribution is symmetric.
 */
import { midRanks } from './ranks.ts'

/**
 * The null distribution of T+ for these ranks: `probs[k]` = P(T+ = k / 2), since mid-ranks are
 * multiples of ½ and doubling them makes every sum an integer.
 */
function nullDistribution(ranks: readonly number[]): number[] {
  const doubled = ranks.map((r) => Math.round(r * 2))
  const total = doubled.reduce((s, r) => s + r, 0)
  let probs = new Array<number>(total + 1).fill(0)
  probs[0] = 1
  let reach = 0
  for (const r of doubled) {
    // Each rank is in T+ or not, each with probability ½ under the null.
    const next = new Array<number>(total + 1).fill(0)
    for (let s = 0; s <= reach; s++) {
      const p = probs[s] as number
      if (p === 0) continue
      next[s] = (next[s] as number) + p / 2
      next[s + r] = (next[s + r] as number) + p / 2
    }
    reach += r
    probs = next
  }
  return probs
}

/** Two-sided exact Wilcoxon signed-rank p-value of the differences `d` (1 when every difference is 0). */
export function signedRankP(d: readonly number[]): number {
  const nonZero = d.filter((x) => x !== 0 && !Number.isNaN(x))
  if (nonZero.length === 0) return 1
  const ranks = midRanks(nonZero.map((x) => Math.abs(x)))
  const tPlus2 = Math.round(2 * ranks.reduce((s, r, i) => s + ((nonZero[i] as number) > 0 ? r : 0), 0))
  const probs = nullDistribution(ranks)
  const mean2 = (probs.length - 1) / 2
  const observed = Math.abs(tPlus2 - mean2)
  let p = 0
  probs.forEach((q, k) => {
    if (Math.abs(k - mean2) >= observed - 1e-9) p += q
  })
  return Math.min(1, p)
}

/** The smallest two-sided p-value the exact test can give with n non-zero differences: 2 / 2^n (all of one sign). */
export function minimumSignedRankP(n: number): number {
  return n <= 0 ? 1 : Math.min(1, 2 / 2 ** n)
}
