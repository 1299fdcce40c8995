/**
 * The two-sample test every counted figure of the verify cross-check takes (cross-check.ts,
 * cross-check-udp.ts): two rows of counts over the same categories, χ² test of homogeneity where
 * Cochran's rule holds, Fisher's exact test for a 2×2 table too small for it, else none. Pure.
 */
import { fisherExact2x2, homogeneityTest } from './homogeneity.ts'
import type { VerifyFigure } from '../model/verify.ts'

/** A two-sample test's outcome: its p-value and what it was, or why none could be made. */
export interface TwoSample {
  /** The p-value; null when no test could be made. */
  p: number | null
  /** What decided, as printed. */
  basis: string
  /** Both rows in one category: equal without a test. */
  trivial?: boolean
}

/** Options for {@link twoSampleTest}. */
export interface TwoSampleOptions {
  /** What to run more of when the counts are too few, as printed. @default 'connections or clients' */
  more?: string
}

const fmtP = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4).replace(/0+$/, '').replace(/\.$/, ''))

/** The two rows tested for homogeneity: χ², else Fisher's exact test for a 2×2 table, else none. */
export function twoSampleTest(a: readonly number[], b: readonly number[], opts: TwoSampleOptions = {}): TwoSample {
  const sum = (r: readonly number[]) => r.reduce((x, y) => x + y, 0)
  if ((sum(a) === 0) !== (sum(b) === 0)) return { p: 0, basis: `nothing counted on the ${sum(a) === 0 ? 'proxy' : 'kernel'} side, something on the other` }
  const t = homogeneityTest([a, b])
  if (t.df === 0) return { p: 1, trivial: true, basis: 'every count in one category on both sides: the same, nothing to test' }
  if (t.approximationHolds) return { p: t.p, basis: `χ² test of homogeneity, X² = ${t.statistic.toFixed(2)}, df ${t.df}, p = ${fmtP(t.p)}` }
  const cols = a.map((_, j) => j).filter((j) => (a[j] ?? 0) + (b[j] ?? 0) > 0)
  if (cols.length === 2) {
    const [x, y] = cols as [number, number]
    const p = fisherExact2x2([[a[x] ?? 0, a[y] ?? 0], [b[x] ?? 0, b[y] ?? 0]])
    return { p, basis: `Fisher's exact test (too few for χ²: smallest expected count ${t.minExpected.toFixed(1)}), p = ${fmtP(p)}` }
  }
  return { p: null, basis: `too few for a χ² test (Cochran's rule: every expected count ≥ 1 and at most 20% below 5; the smallest is ${t.minExpected.toFixed(1)}); run longer or with more ${opts.more ?? 'connections or clients'}` }
}

/** A figure judged by {@link twoSampleTest}: agrees at p ≥ alpha (or trivially), not compared without a test. */
export function testedFigure(figure: VerifyFigure['figure'], shown: { proxy: string; kernel: string }, rows: [readonly number[], readonly number[]], alpha: number, opts: TwoSampleOptions = {}): VerifyFigure {
  const { proxy, kernel } = shown
  const t = twoSampleTest(rows[0], rows[1], opts)
  if (t.p === null) return { figure, proxy, kernel, verdict: 'not-compared', basis: t.basis }
  if (t.trivial === true) return { figure, proxy, kernel, verdict: 'agrees', basis: t.basis }
  return { figure, proxy, kernel, verdict: t.p >= alpha ? 'agrees' : 'differs', basis: `${t.basis}; agrees at p ≥ ${alpha}`, p: t.p }
}
