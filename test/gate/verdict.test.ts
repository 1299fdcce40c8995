import { describe, it, expect } from 'vitest'
import { mannWhitneyP, bootstrapCi, compareMetric, median, minimumP, specFor, DEFAULT_COMPARE, DEFAULT_COMPARE_OPTIONS, type CompareSpec } from '../../harness/gate/verdict.ts'

const rps: CompareSpec = { path: 'requests.rps', better: 'higher', mode: 'ratio', floor: 0 }
const p99: CompareSpec = { path: 'latency.p99', better: 'lower', mode: 'ratio', floor: 0.05 }
const errRate: CompareSpec = { path: 'errors.rate', better: 'lower', mode: 'difference', floor: 0.001 }

describe('mannWhitneyP', () => {
  it.each([
    ['5 v 5 fully separated: 2/252', [1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 2 / 252],
    ['3 v 3 fully separated: 2/20', [1, 2, 3], [4, 5, 6], 0.1],
    ['identical samples', [5, 5, 5, 5, 5], [5, 5, 5, 5, 5], 1],
    ['perfectly interleaved', [1, 3, 5, 7, 9], [2, 4, 6, 8, 10], 0.6904761904761905],
    ['one overlap 4 v 4', [1, 2, 3, 5], [4, 6, 7, 8], 4 / 70],
  ])('%s', (_n, a, b, p) => expect(mannWhitneyP(a, b)).toBeCloseTo(p, 6))
  it('is symmetric and handles ties (all-zero baseline vs 1% errors)', () => {
    expect(mannWhitneyP([0, 0, 0, 0, 0], [0.01, 0.011, 0.009, 0.01, 0.012])).toBeCloseTo(2 / 252, 6)
    expect(mannWhitneyP([4, 6, 7, 8], [1, 2, 3, 5])).toBeCloseTo(mannWhitneyP([1, 2, 3, 5], [4, 6, 7, 8]), 9)
  })
  it('uses the normal approximation beyond 20 values (separated 15 v 15 is tiny, noise is not)', () => {
    const a = Array.from({ length: 15 }, (_, i) => i)
    const b = Array.from({ length: 15 }, (_, i) => i + 100)
    expect(mannWhitneyP(a, b)).toBeLessThan(1e-4)
    expect(mannWhitneyP(a, a.map((x) => x + 0.5))).toBeGreaterThan(0.5)
  })
  it('minimumP: 3 v 3 can never reach 0.05, 4 v 4 and 5 v 5 can', () => {
    expect(minimumP(3, 3)).toBeCloseTo(0.1, 9)
    expect(minimumP(4, 4)).toBeCloseTo(2 / 70, 9)
    expect(minimumP(5, 5)).toBeCloseTo(2 / 252, 9)
  })
})

describe('compareMetric: the verdict on fixture trials', () => {
  const base = [10_000, 10_150, 9_900, 10_050, 9_980]
  it('a clear regression fails', () => {
    const c = compareMetric('v', rps, base, base.map((x) => x * 0.8))
    expect(c.verdict).toBe('regression')
    expect(c.change).toBeCloseTo(-0.2, 3)
    expect(c.pValue).toBeCloseTo(0.0079, 4)
    expect(c.ci[1]).toBeLessThan(0)
  })
  it('a clear improvement is reported, not failed', () => {
    const c = compareMetric('v', p99, [12, 12.5, 11.8, 12.2, 12.1], [8, 8.2, 7.9, 8.1, 8.3])
    expect(c.verdict).toBe('improvement')
    expect(c.change).toBeLessThan(-0.3)
  })
  it('pure noise passes (not significant) even with a large median change', () => {
    const c = compareMetric('v', rps, [10_000, 7_000, 12_000, 9_000, 11_000], [11_500, 6_500, 10_500, 8_000, 8_600])
    expect(c.verdict).toBe('unchanged')
    expect(c.reason).toMatch(/not significant/)
  })
  it('a tiny but significant change below min-change passes', () => {
    const c = compareMetric('v', rps, base, base.map((x) => x * 0.98 - 200))
    expect(c.pValue).toBeLessThan(0.05)
    expect(c.verdict).toBe('unchanged')
    expect(c.reason).toMatch(/below min-change/)
    // ... and fails once min-change is lowered below it
    expect(compareMetric('v', rps, base, base.map((x) => x * 0.98 - 200), { ...DEFAULT_COMPARE_OPTIONS, minChange: 0.01 }).verdict).toBe('regression')
  })
  it('p99 needs three times min-change (its run-to-run drift): +10% passes, +20% fails', () => {
    const tail = DEFAULT_COMPARE.find((x) => x.path === 'latency.p99')!
    const b = [10, 10.1, 9.9, 10.05, 9.95]
    expect(compareMetric('v', tail, b, b.map((x) => x * 1.1))).toMatchObject({ verdict: 'unchanged', reason: 'below min-change (10% < 15%)' })
    expect(compareMetric('v', tail, b, b.map((x) => x * 1.2)).verdict).toBe('regression')
  })
  it('a significant change under the absolute noise floor passes', () => {
    const c = compareMetric('v', p99, [0.5, 0.51, 0.5, 0.52, 0.5], [0.54, 0.55, 0.54, 0.56, 0.545])
    expect(c.verdict).toBe('unchanged')
    expect(c.reason).toMatch(/noise floor/)
  })
  it('error rate: a difference, from zero to 1% is a regression; 0.05 pp is under the floor', () => {
    const z = [0, 0, 0, 0, 0]
    const c = compareMetric('v', errRate, z, [0.01, 0.011, 0.0095, 0.0102, 0.0099])
    expect(c).toMatchObject({ mode: 'difference', verdict: 'regression' })
    expect(c.change).toBeCloseTo(0.01, 4)
    expect(compareMetric('v', errRate, z, [0.0005, 0.0004, 0.0006, 0.0005, 0.0005]).reason).toMatch(/noise floor/)
  })
  it('a ratio metric with a zero baseline median falls back to the difference', () => {
    expect(compareMetric('v', { ...rps, path: 'failover.totalRequestsLost', better: 'lower', floor: 10 }, [0, 0, 0, 0, 0], [50, 60, 55, 52, 58]).mode).toBe('difference')
  })
  it('the bootstrap interval is seeded (same numbers every time) and contains the point estimate', () => {
    const cur = base.map((x) => x * 0.9)
    const a = bootstrapCi(base, cur, 'ratio', 2000, 7)
    expect(bootstrapCi(base, cur, 'ratio', 2000, 7)).toEqual(a)
    const point = median(cur) / median(base) - 1
    expect(a[0]).toBeLessThanOrEqual(point)
    expect(a[1]).toBeGreaterThanOrEqual(point)
  })
  it('specFor guesses direction for any path', () => {
    expect(specFor('latencyMs.p99')).toMatchObject({ better: 'lower', floor: 0.05 })
    expect(specFor('pods.pod-1.requests').better).toBe('higher')
    expect(specFor('failover.0.requestsLost').better).toBe('lower')
    expect(specFor('errors.byKind.timeout').better).toBe('lower')
  })
})
