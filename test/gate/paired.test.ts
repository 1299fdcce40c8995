import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { comparePaired, matchPairs, pairedBootstrapCi, MIN_CLEAN_PAIRS } from '../../harness/gate/paired.ts'
import { DEFAULT_COMPARE, DEFAULT_COMPARE_OPTIONS, mannWhitneyP, type CompareSpec } from '../../harness/gate/verdict.ts'
import { evaluateGate } from '../../harness/gate/gate.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'
import { gateText, gateMarkdown, junitXml } from '../../harness/gate/output.ts'
import type { RunResult } from '../../harness/model/results.ts'

const spec = (path: string): CompareSpec => DEFAULT_COMPARE.find((s) => s.path === path)!
const pairsOf = (a: number[], b: number[]) => a.map((x, i) => ({ pair: i + 1, a: x, b: b[i]! }))
const opts = DEFAULT_COMPARE_OPTIONS

describe('comparePaired', () => {
  it('six pairs all 20% slower: change −20%, p = 2/64 (all six of one sign), a regression', () => {
    const a = [1000, 1010, 990, 1005, 995, 1000]
    const c = comparePaired('b', spec('requests.rps'), pairsOf(a, a.map((x) => x * 0.8)), opts)
    expect(c).toMatchObject({ verdict: 'regression', mode: 'ratio', test: 'wilcoxon-signed-rank', trials: { baseline: 6, current: 6 } })
    expect(c.change).toBeCloseTo(-0.2, 6)
    expect(c.pValue).toBe(0.0313) // 2/64, rounded to 4 decimals as results store it
    expect(c.ci[0]).toBeCloseTo(-0.2, 6)
    expect(c.ci[1]).toBeCloseTo(-0.2, 6)
    expect(c.pairs!.map((p) => p.pair)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('drift larger than the regression: the pairs still see −10% where the unpaired test sees nothing', () => {
    // The machine slows from 1000 to 750 req/s over the run; the candidate is 10% slower in each pair.
    const a = [1000, 950, 900, 850, 800, 750]
    const b = a.map((x) => x * 0.9)
    expect(mannWhitneyP(a, b)).toBeGreaterThan(0.05)
    const c = comparePaired('b', spec('requests.rps'), pairsOf(a, b), opts)
    expect(c.verdict).toBe('regression')
    expect(c.change).toBeCloseTo(-0.1, 6)
  })

  it('drift with nothing changed: mixed signs are not significant', () => {
    const a = [1000, 950, 900, 850, 800, 750]
    const b = [1010, 940, 905, 845, 808, 747]
    expect(comparePaired('b', spec('requests.rps'), pairsOf(a, b), opts)).toMatchObject({ verdict: 'unchanged', reason: expect.stringMatching(/^not significant/) })
  })

  it('ranks the log ratios: one pair 50% faster weighs more than five pairs 10% slower, whatever their absolute sizes', () => {
    // a = 100 ×5 and 1; b = 90 ×5 and 1.5. Log ratios: ln 0.9 ×5 (tied, mid-rank 3) and ln 1.5
    // (rank 6): T+ = 6 over ranks {3,3,3,3,3,6}. T+ = 3k + 6j (k of the five, j of the one) has
    // |T+ − 10.5| ≥ 4.5 for T+ ≤ 6 (1 + 5 + 10 + 1 = 17 assignments) and T+ ≥ 15 (17 more): p = 34/64.
    // (Ranked by the differences, −10 ×5 against +0.5, it would be 4/64.)
    const c = comparePaired('b', spec('requests.rps'), pairsOf([100, 100, 100, 100, 100, 1], [90, 90, 90, 90, 90, 1.5]), opts)
    expect(c.pValue).toBeCloseTo(34 / 64, 3)
  })

  it('five pairs can never fail (smallest p 2/32 = 0.0625)', () => {
    const a = [1000, 1000, 1000, 1000, 1000]
    const c = comparePaired('b', spec('requests.rps'), pairsOf(a, a.map((x, i) => x * (0.5 - i / 100))), opts)
    expect(c.pValue).toBeCloseTo(0.0625, 4)
    expect(c.verdict).toBe('unchanged')
  })

  it('the same min-change and noise floors as the unpaired gate', () => {
    const a = [1000, 1010, 990, 1005, 995, 1000]
    expect(comparePaired('b', spec('requests.rps'), pairsOf(a, a.map((x) => x * 0.97)), opts).reason).toBe('below min-change (3% < 5%)')
    // p99 needs three times min-change: +10% in every pair passes, +20% fails.
    const t = [10, 10.2, 9.8, 10.1, 9.9, 10]
    expect(comparePaired('b', spec('latency.p99'), pairsOf(t, t.map((x) => x * 1.1)), opts).reason).toBe('below min-change (10% < 15%)')
    expect(comparePaired('b', spec('latency.p99'), pairsOf(t, t.map((x) => x * 1.2)), opts).verdict).toBe('regression')
    // p50 of 0.1 ms, 0.01 ms slower in every pair: +10%, but under the 0.02 ms floor.
    const f = [0.1, 0.1, 0.1, 0.1, 0.1, 0.1]
    expect(comparePaired('b', spec('latency.p50'), pairsOf(f, f.map((x) => x + 0.01)), opts).reason).toBe('below the noise floor (|Δ| < 0.02)')
  })

  it('a clear improvement is reported, not failed', () => {
    const a = [10, 10.2, 9.8, 10.1, 9.9, 10]
    expect(comparePaired('b', spec('latency.p50'), pairsOf(a, a.map((x) => x * 0.7)), opts).verdict).toBe('improvement')
  })

  it('errors.rate is a difference: 0 → 1% in every pair is +1 pp, a regression', () => {
    const c = comparePaired('b', spec('errors.rate'), pairsOf([0, 0, 0, 0, 0, 0], [0.01, 0.011, 0.009, 0.01, 0.012, 0.0095]), opts)
    expect(c).toMatchObject({ mode: 'difference', verdict: 'regression' })
    expect(c.change).toBeCloseTo(0.01, 6)
    expect(c.pValue).toBe(0.0313) // 2/64, rounded to 4 decimals as results store it
  })

  it('a ratio metric with a zero in some pair is compared as a difference', () => {
    const c = comparePaired('b', spec('failover.totalRequestsLost'), pairsOf([0, 10, 12, 8, 9, 11], [50, 60, 55, 52, 58, 61]), opts)
    expect(c.mode).toBe('difference')
  })

  it('the bootstrap interval is seeded and holds the median change', () => {
    const ch = [-0.1, -0.12, -0.08, -0.11, -0.09, -0.1]
    const ci = pairedBootstrapCi(ch, 2000, 3)
    expect(pairedBootstrapCi(ch, 2000, 3)).toEqual(ci)
    expect(ci[0]).toBeLessThanOrEqual(-0.1)
    expect(ci[1]).toBeGreaterThanOrEqual(-0.1)
    expect(ci[0]).toBeGreaterThanOrEqual(-0.12)
    expect(ci[1]).toBeLessThanOrEqual(-0.08)
  })
})

/** A paired run from the fixture: candidate rps = baseline rps × `ratio[i]` in pair i; `disturbed` pairs flagged. */
function pairedRun(ratio: number[], disturbed: number[] = []): RunResult {
  const r = JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult
  const m = variantMetrics(r.variants[0]!)
  const [a, b] = r.variants as [RunResult['variants'][number], RunResult['variants'][number]]
  const rps = ratio.map((_, i) => 10_000 - 300 * i) // drifting down
  a.trials = rps.map((x, i) => ({ trial: i + 1, pair: i + 1, disturbed: disturbed.includes(i + 1), metrics: { ...m, 'requests.rps': x } }))
  b.trials = rps.map((x, i) => ({ trial: i + 1, pair: i + 1, disturbed: false, metrics: { ...m, 'requests.rps': x * ratio[i]! } }))
  r.trials = ratio.length
  r.aborted = null
  r.paired = { baseline: a.name, candidate: b.name, pairs: ratio.map((_, i) => ({ pair: i + 1, first: i % 2 === 0 ? 'baseline' : 'candidate', disturbed: disturbed.includes(i + 1) })) }
  return r
}

const gateOpts = { normalize: false, minChange: 0.05, alpha: 0.05 }

describe('evaluateGate on a paired run', () => {
  it('gates the candidate against the baseline variant, mode paired, and prints the pairs', () => {
    const g = evaluateGate(pairedRun([0.8, 0.82, 0.79, 0.81, 0.8, 0.78]), gateOpts)
    expect(g).toMatchObject({ mode: 'paired', verdict: 'fail', baseline: null })
    expect(g.paired!.used).toEqual([1, 2, 3, 4, 5, 6])
    const rps = g.comparisons.find((c) => c.path === 'requests.rps')!
    expect(rps).toMatchObject({ variant: 'distinct-clients', verdict: 'regression' })
    // The metrics identical in every pair (latency, errors, jain) are unchanged.
    expect(g.comparisons.filter((c) => c.verdict === 'regression').map((c) => c.path)).toEqual(['requests.rps'])
    const text = gateText(g)
    expect(text).toMatch(/^paired: candidate distinct-clients \(B\) against baseline one-nat-address \(A\), 6 pairs used of 6 run/m)
    expect(text).toMatch(/^ {2}pair {2}order {2}requests\.rps/m)
    expect(text).toMatch(/^ {2}1 {5}A B {4}-20\.0%/m)
    expect(text).toMatch(/^ {2}2 {5}B A {4}-18\.0%/m)
    expect(text).toMatch(/gate: FAIL/)
    expect(gateMarkdown(g)).toContain('### Paired')
    const x = junitXml(g, 'nat', 1)
    expect(x).toContain('<property name="mode" value="paired"/>')
    expect(x).toMatch(/classname="svcbench.nat.paired" name="distinct-clients requests.rps" time="0">\s*<failure message="regressed -20.0%/)
  })

  it('leaves disturbed pairs out while enough are clean, and says so', () => {
    const ratios = [1, 1, 1, 1, 1, 1, 1]
    const g = evaluateGate(pairedRun(ratios, [3]), gateOpts)
    expect(g.paired!.used).toEqual([1, 2, 4, 5, 6, 7])
    expect(g.notes.join('\n')).toMatch(/1 of 7 pairs were disturbed by another program .* run again and left out/)
    expect(gateText(g)).toMatch(/^ {2}3 {5}A B {4}disturbed/m)
    expect(g.verdict).toBe('pass')
    // Fewer than MIN_CLEAN_PAIRS clean: every complete pair is used.
    expect(matchPairs(pairedRun(ratios.slice(0, MIN_CLEAN_PAIRS), [1])).used).toHaveLength(MIN_CLEAN_PAIRS)
  })

  it('says when too few pairs make failure impossible', () => {
    const g = evaluateGate(pairedRun([0.5, 0.5, 0.5, 0.5, 0.5]), gateOpts)
    expect(g.verdict).toBe('pass')
    expect(g.notes.join('\n')).toMatch(/with 5 pairs the signed-rank test cannot reach p < 0.05 \(smallest p 2\/2\^5 = 0.0625\), so nothing can fail; use --pairs 6 or more/)
  })

  it('matches trials by pair number, ignoring a pair whose partner never ran', () => {
    const r = pairedRun([0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8])
    r.variants[1]!.trials.pop()
    expect(matchPairs(r).used).toEqual([1, 2, 3, 4, 5, 6])
  })
})
