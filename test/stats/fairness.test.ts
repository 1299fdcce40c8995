import { describe, expect, it } from 'vitest'
import { jainIndex, coefficientOfVariation, maxOverMean, chiSquaredP, chiSquaredSurvival, gammaQ, logGamma } from '../../harness/stats/fairness.ts'
import { stickiness } from '../../harness/stats/stickiness.ts'

describe('jainIndex', () => {
  it.each([
    [[5, 5, 5, 5], 1],
    [[10, 0, 0, 0], 0.25],
    [[10, 0, 0, 0, 0, 0], 1 / 6],
    [[1, 2, 3], 36 / 42],
    [[7], 1],
    [[0, 0], 1],
    [[], 1],
  ])('jainIndex(%j) = %d', (counts, expected) => {
    expect(jainIndex(counts)).toBeCloseTo(expected, 12)
  })
  it('equals 1/(1+CV²) with the population CV', () => {
    for (const counts of [[1, 2, 3], [10, 20, 30, 40], [3, 3, 9]]) {
      const cv = coefficientOfVariation(counts)
      expect(jainIndex(counts)).toBeCloseTo(1 / (1 + cv * cv), 12)
    }
  })
})

describe('maxOverMean and coefficientOfVariation', () => {
  it.each([
    [[5, 5], 1, 0],
    [[10, 0], 2, 1],
    [[0, 0], 0, 0],
  ])('%j → max/mean %d, cov %d', (counts, mom, cov) => {
    expect(maxOverMean(counts)).toBeCloseTo(mom, 12)
    expect(coefficientOfVariation(counts)).toBeCloseTo(cov, 12)
  })
})

describe('chi-squared', () => {
  it('logGamma matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 12)
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12)
    expect(logGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12)
  })
  it.each([
    // χ² critical values from standard tables: P(X > x) for df
    [3.841, 1, 0.05],
    [6.635, 1, 0.01],
    [11.070, 5, 0.05],
    [15.086, 5, 0.01],
    [18.307, 10, 0.05],
    [2, 2, Math.exp(-1)],
  ])('chiSquaredSurvival(%d, df %d) ≈ %d', (x, df, p) => {
    expect(chiSquaredSurvival(x, df)).toBeCloseTo(p, 3)
  })
  it('gammaQ is 1 at 0 and falls to 0', () => {
    expect(gammaQ(2, 0)).toBe(1)
    expect(gammaQ(2, 200)).toBeLessThan(1e-80)
  })
  it('chiSquaredP is 1 for a perfect uniform split and ~0 for all on one pod', () => {
    expect(chiSquaredP([100, 100, 100], [1 / 3, 1 / 3, 1 / 3])).toBeCloseTo(1, 12)
    expect(chiSquaredP([300, 0, 0], [1 / 3, 1 / 3, 1 / 3])).toBeLessThan(1e-12)
  })
  it('chiSquaredP treats a zero-share pod with traffic as impossible', () => {
    expect(chiSquaredP([50, 50, 1], [0.5, 0.5, 0])).toBe(0)
    expect(chiSquaredP([50, 50, 0], [0.5, 0.5, 0])).toBeCloseTo(1, 12)
  })
  it('chiSquaredP tests against weighted shares', () => {
    expect(chiSquaredP([250, 250, 500], [0.25, 0.25, 0.5])).toBeCloseTo(1, 12)
    expect(chiSquaredP([333, 333, 334], [0.25, 0.25, 0.5])).toBeLessThan(1e-6)
  })
})

describe('stickiness', () => {
  it('counts clients that stayed on one pod', () => {
    const s = stickiness([
      { a: 5, b: 3 },
      { b: 2, c: 1 },
      { c: 4, d: 0 },
    ])
    expect(s).toEqual({ clients: 3, clientsOnOnePod: 1, meanPodsPerClient: 5 / 3, maxPodsPerClient: 2 })
  })
  it('is empty for no traffic', () => {
    expect(stickiness([{}, {}])).toEqual({ clients: 0, clientsOnOnePod: 0, meanPodsPerClient: 0, maxPodsPerClient: 0 })
  })
})
