/**
 * homogeneityTest against 2×k tables worked by hand (expected counts R_i·C_j/N, X² summed cell by
 * cell, the p-value from the χ² tail: for df 2 it is exp(−X²/2), for df 1 erfc(√(X²/2)); the
 * numbers below were worked with a calculator, not with this code).
 */
import { describe, expect, it } from 'vitest'
import { fisherExact2x2, homogeneityTest } from '../../harness/stats/homogeneity.ts'

describe('homogeneityTest', () => {
  it.each([
    {
      // Rows 60 and 60, columns 30, 40, 50, N 120: E = 15, 20, 25 in both rows;
      // X² = 25/15 + 0 + 25/25 + 25/15 + 0 + 25/25 = 16/3; df 2; p = exp(−8/3).
      name: '2×3, equal row totals',
      table: [[10, 20, 30], [20, 20, 20]],
      statistic: 16 / 3, df: 2, p: 0.06948345122280154, holds: true,
    },
    {
      // E = 20 in every cell; X² = 4 · 100/20 = 20; df 1; p = erfc(√10).
      name: '2×2, opposite splits',
      table: [[30, 10], [10, 30]],
      statistic: 20, df: 1, p: 7.744216431044074e-6, holds: true,
    },
    {
      // Rows 20 and 40, columns 25 and 35, N 60: E = 25/3, 35/3, 50/3, 70/3; every |O − E| = 10/3,
      // so X² = (100/9)(3/25 + 3/35 + 3/50 + 3/70) = 24/7; df 1; p = erfc(√(12/7)).
      name: '2×2, unequal row totals',
      table: [[5, 15], [20, 20]],
      statistic: 24 / 7, df: 1, p: 0.06407750645105952, holds: true,
    },
    {
      // The empty middle column is left out: [10, 30] against [20, 20], E = 15, 25;
      // X² = 25/15 + 25/25 + 25/15 + 25/25 = 16/3; df 1; p = erfc(√(8/3)).
      name: 'a column empty in both rows adds no degree of freedom',
      table: [[10, 0, 30], [20, 0, 20]],
      statistic: 16 / 3, df: 1, p: 0.020921335337794028, holds: true,
    },
    { name: 'identical single-column rows: nothing to test', table: [[8], [8]], statistic: 0, df: 0, p: 1, holds: true },
    { name: 'an empty row: nothing to test', table: [[0, 0, 0], [3, 4, 5]], statistic: 0, df: 0, p: 1, holds: true },
    // E = 1 in each of the 8 cells: every one below 5 breaks Cochran's rule (X² = 0, p = 1 all the same).
    { name: 'expected counts of 1: the approximation does not hold', table: [[1, 1, 1, 1], [1, 1, 1, 1]], statistic: 0, df: 3, p: 1, holds: false },
  ])('$name', ({ table, statistic, df, p, holds }) => {
    const t = homogeneityTest(table)
    expect(t.statistic).toBeCloseTo(statistic, 10)
    expect(t.df).toBe(df)
    expect(t.p).toBeCloseTo(p, 10)
    expect(t.approximationHolds).toBe(holds)
  })

  it('finds no difference between two samples of the same split, and a clear one between different splits', () => {
    expect(homogeneityTest([[250, 250, 250, 250], [240, 260, 255, 245]]).p).toBeGreaterThan(0.5)
    expect(homogeneityTest([[250, 250, 250, 250], [400, 200, 200, 200]]).p).toBeLessThan(1e-6)
  })

  it('reports the smallest expected count and Cochran\'s 20% allowance', () => {
    // Columns 2, 50, 50, 50, 48 over two equal rows: E = 1 in the first column (2 of 10 cells below 5: allowed).
    const t = homogeneityTest([[1, 25, 25, 25, 24], [1, 25, 25, 25, 24]])
    expect(t.minExpected).toBeCloseTo(1, 12)
    expect(t.approximationHolds).toBe(true)
    // Three columns with E below 5: 6 of 12 cells, more than 20%.
    expect(homogeneityTest([[2, 2, 2, 30], [2, 2, 2, 30]]).approximationHolds).toBe(false)
  })
})

describe('fisherExact2x2', () => {
  it.each([
    // Fisher's tea tasting: margins 4, 4, 4, 4; P(x) = C(4,x)·C(4,4−x)/C(8,4) = 1, 16, 36, 16, 1 (/70);
    // x = 3 has 16/70, so p = (1 + 16 + 16 + 1)/70.
    { table: [[3, 1], [1, 3]] as const, p: 34 / 70 },
    // The most extreme table of those margins: p = (1 + 1)/70.
    { table: [[4, 0], [0, 4]] as const, p: 2 / 70 },
    // Margins 3, 3 and 1, 5: P(a = 0) = C(3,0)·C(3,1)/C(6,1) = 3/6, P(a = 1) = 3/6: both as likely, p = 1.
    { table: [[1, 2], [0, 3]] as const, p: 1 },
    // All 10 of each row in one column: P = 1, nothing else possible.
    { table: [[10, 0], [10, 0]] as const, p: 1 },
  ])('$table → p = $p', ({ table, p }) => {
    expect(fisherExact2x2(table)).toBeCloseTo(p, 10)
  })
})
