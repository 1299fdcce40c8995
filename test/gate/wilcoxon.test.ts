/**
 * The exact Wilcoxon signed-rank test against values worked by hand and published tables, never
 * against a recomputation of its own formula.
 */
import { describe, expect, it } from 'vitest'
import { minimumSignedRankP, signedRankP } from '../../harness/gate/wilcoxon.ts'

/** Differences ±1, ±2, …, ±n whose positive ranks are `positive` (so T+ = their sum). */
const signed = (n: number, positive: number[]) => Array.from({ length: n }, (_, i) => (positive.includes(i + 1) ? i + 1 : -(i + 1)))

describe('signedRankP', () => {
  // The exact null distribution of T+ for n = 6: the number of subsets of {1, …, 6} with each sum
  // (64 in all), counted by hand: sum 0: {} → 1; 1: {1} → 1; 2: {2} → 1; 3: {3} {1,2} → 2;
  // 4: {4} {1,3} → 2; 5: {5} {1,4} {2,3} → 3; 6: {6} {1,5} {2,4} {1,2,3} → 4;
  // 7: {1,6} {2,5} {3,4} {1,2,4} → 4; 8: {2,6} {3,5} {1,2,5} {1,3,4} → 4;
  // 9: {3,6} {4,5} {1,2,6} {1,3,5} {2,3,4} → 5; 10: {4,6} {1,3,6} {1,4,5} {2,3,5} {1,2,3,4} → 5.
  // Cumulative: 1 2 3 5 7 10 14 18 22 27 32 (of 64), as the standard tables of the signed-rank
  // statistic list (P(T+ ≤ 2) = 0.0469, P(T+ ≤ 3) = 0.0781, …). Two-sided p = 2 · P(T+ ≤ t).
  const cumulative6 = [1, 2, 3, 5, 7, 10, 14, 18, 22, 27, 32]
  const withSum = [[], [1], [2], [3], [4], [5], [6], [1, 6], [2, 6], [3, 6], [4, 6]]
  it.each(withSum.map((pos, t) => [t, pos, Math.min(1, (2 * cumulative6[t]!) / 64)] as const))('n = 6, T+ = %i: two-sided p from the exact null distribution', (_t, pos, p) => {
    expect(signedRankP(signed(6, [...pos]))).toBeCloseTo(p, 12)
  })

  it('is the same for the mirror image: T+ = 15 of 21 is T− = 6', () => {
    expect(signedRankP(signed(6, [1, 2, 3, 4, 5]))).toBeCloseTo((2 * 14) / 64, 12)
    expect(signedRankP(signed(6, [6]))).toBeCloseTo((2 * 14) / 64, 12)
  })

  // Published critical values of T (the smaller rank sum) for a two-sided test at 0.05: the largest
  // T with p ≤ 0.05 (the usual table: n 6 → 0, 7 → 2, 8 → 3, 10 → 8, 12 → 13, 15 → 25, 20 → 52).
  it.each([
    [6, 0],
    [7, 2],
    [8, 3],
    [10, 8],
    [12, 13],
    [15, 25],
    [20, 52],
  ])('n = %i: T = %i is significant at 0.05, T + 1 is not (published critical values)', (n, crit) => {
    // A positive set with sum crit (and crit + 1): the ranks 1..k and one more.
    const subsetWithSum = (s: number): number[] => {
      const out: number[] = []
      let left = s
      for (let r = n; r >= 1 && left > 0; r--) if (r <= left) (out.push(r), (left -= r))
      return out
    }
    expect(signedRankP(signed(n, subsetWithSum(crit)))).toBeLessThanOrEqual(0.05)
    expect(signedRankP(signed(n, subsetWithSum(crit + 1)))).toBeGreaterThan(0.05)
  })

  it('n = 5 all of one sign gives 2/32 = 0.0625: five pairs can never reject at 0.05', () => {
    expect(signedRankP([0.1, 0.2, 0.3, 0.4, 0.5])).toBeCloseTo(0.0625, 12)
    expect(signedRankP([-0.1, -0.2, -0.3, -0.4, -0.5])).toBeCloseTo(0.0625, 12)
    expect(minimumSignedRankP(5)).toBeCloseTo(0.0625, 12)
    expect(minimumSignedRankP(6)).toBeCloseTo(0.03125, 12)
  })

  it('ties share mid-ranks; the distribution is over the sign assignments of those ranks (worked by hand)', () => {
    // d = 1, −1, 2: |d| ranks 1.5, 1.5, 3; T+ = 1.5 + 3 = 4.5, mean 3. The 8 sign assignments give
    // T+ = 0, 1.5, 1.5, 3, 3, 4.5, 4.5, 6; |T+ − 3| ≥ 1.5 for 6 of them → p = 6/8.
    expect(signedRankP([1, -1, 2])).toBeCloseTo(0.75, 12)
    // d = 2, 2, 2: ranks 2, 2, 2, all positive: T+ = 6 of {0, 2, 2, 2, 4, 4, 4, 6} → 2/8.
    expect(signedRankP([2, 2, 2])).toBeCloseTo(0.25, 12)
  })

  it("zero differences are dropped before ranking (Wilcoxon's convention, not Pratt's)", () => {
    // 0, 1, 2, 3 → n = 3, all positive: 2/8. (Pratt would rank the zero: ranks 2, 3, 4 positive of
    // 1..4 with the zero's rank left out, a different p.)
    expect(signedRankP([0, 1, 2, 3])).toBeCloseTo(0.25, 12)
    expect(signedRankP([0, 0, 0])).toBe(1)
    expect(signedRankP([])).toBe(1)
  })
})
