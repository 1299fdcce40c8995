/**
 * Pearson's χ² test of homogeneity: do the rows of a contingency table (here: two runs' counts
 * over the same categories, such as decisions per pod) come from one distribution? Pure.
 *
 * For an r×k table with row totals R_i, column totals C_j and grand total N, the expected count
 * under homogeneity is E_ij = R_i·C_j/N, the statistic X² = Σ (O_ij − E_ij)²/E_ij, and the
 * p-value its upper tail under χ² with (r−1)(k−1) degrees of freedom (Agresti, Categorical Data
 * Analysis, 3rd ed., §3.2; no continuity correction). Columns that are zero in every row carry
 * no information and are left out before the degrees of freedom are counted; a table left with
 * one column or one non-empty row has nothing to test (p = 1, df = 0).
 *
 * The χ² approximation needs enough expected counts: Cochran's rule (Cochran 1954, "Some methods
 * for strengthening the common χ² tests", Biometrics 10: every E_ij ≥ 1 and at most 20% of them
 * below 5), reported as `approximationHolds`; a caller must not read the p-value as a verdict
 * when it is false.
 */
import { chiSquaredSurvival, logGamma } from './fairness.ts'

/** The outcome of {@link homogeneityTest}. */
export interface HomogeneityTest {
  /** Pearson's X² statistic. */
  statistic: number
  /** Degrees of freedom, (rows − 1)(columns − 1) over the non-empty rows and columns. */
  df: number
  /** Upper-tail p-value of `statistic`; 1 when df is 0. */
  p: number
  /** Cochran's rule holds: every expected count ≥ 1, at most 20% of them below 5 (vacuously true when df is 0). */
  approximationHolds: boolean
  /** The smallest expected count over the cells tested; 0 when there are none. */
  minExpected: number
}

/** Share of cells Cochran's rule allows below 5. */
const COCHRAN_SMALL_SHARE = 0.2

/**
 * χ² test of homogeneity of the rows of `table` (each row one sample's counts over the same
 * categories, in the same order; missing cells count 0).
 */
export function homogeneityTest(table: readonly (readonly number[])[]): HomogeneityTest {
  const k = Math.max(0, ...table.map((r) => r.length))
  const cell = (i: number, j: number) => table[i]?.[j] ?? 0
  const colTotals = Array.from({ length: k }, (_, j) => table.reduce((s, _r, i) => s + cell(i, j), 0))
  const cols = colTotals.map((c, j) => (c > 0 ? j : -1)).filter((j) => j >= 0)
  const rowTotals = table.map((_r, i) => cols.reduce((s, j) => s + cell(i, j), 0))
  const rows = rowTotals.map((r, i) => (r > 0 ? i : -1)).filter((i) => i >= 0)
  const n = rows.reduce((s, i) => s + (rowTotals[i] as number), 0)
  const df = (rows.length - 1) * (cols.length - 1)
  if (df <= 0) return { statistic: 0, df: 0, p: 1, approximationHolds: true, minExpected: 0 }
  let statistic = 0
  let minExpected = Number.POSITIVE_INFINITY
  let small = 0
  for (const i of rows) {
    for (const j of cols) {
      const e = ((rowTotals[i] as number) * (colTotals[j] as number)) / n
      const o = cell(i, j)
      statistic += ((o - e) * (o - e)) / e
      minExpected = Math.min(minExpected, e)
      if (e < 5) small++
    }
  }
  const cells = rows.length * cols.length
  return { statistic, df, p: chiSquaredSurvival(statistic, df), approximationHolds: minExpected >= 1 && small <= COCHRAN_SMALL_SHARE * cells, minExpected }
}

/** ln C(n, k). */
function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
}

/**
 * Fisher's exact test of a 2×2 table `[[a, b], [c, d]]`, two-sided: the probability, under fixed
 * margins (the hypergeometric law of the top-left cell), of every table no more likely than the
 * one observed (Agresti, Categorical Data Analysis, 3rd ed., §3.5; ties within a relative 1e-7).
 * For the small counts where χ²'s approximation fails.
 */
export function fisherExact2x2(table: readonly [readonly [number, number], readonly [number, number]]): number {
  const [[a, b], [c, d]] = table
  const r1 = a + b
  const r2 = c + d
  const c1 = a + c
  const n = r1 + r2
  const logP = (x: number) => logChoose(r1, x) + logChoose(r2, c1 - x) - logChoose(n, c1)
  const observed = logP(a)
  let p = 0
  for (let x = Math.max(0, c1 - r2); x <= Math.min(r1, c1); x++) {
    const lp = logP(x)
    if (lp <= observed + 1e-7) p += Math.exp(lp)
  }
  return Math.min(1, p)
}
