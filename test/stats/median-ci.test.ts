import { describe, expect, it } from 'vitest'
import { medianInterval, targetVerdict } from '../../harness/stats/median-ci.ts'

describe('medianInterval', () => {
  // Ranks from the binomial table for p = ½ (two-sided 95%): n = 6 → [x1, x6] 96.9%; n = 8 →
  // [x1, x8] 99.2%; n = 9 → [x2, x8] 96.1%; n = 10 → [x2, x9] 97.9%; n = 15 → [x4, x12] 96.5%.
  it.each([
    [5, null],
    [6, [1, 6, 0.96875]],
    [8, [1, 8, 0.9921875]],
    [9, [2, 8, 0.9609375]],
    [10, [2, 9, 0.978515625]],
    [15, [4, 12, 0.96484375]],
  ] as const)('n = %i', (n, want) => {
    const xs = Array.from({ length: n }, (_, i) => n - i) // 1..n, given in reverse
    const iv = medianInterval(xs)
    if (want === null) expect(iv).toBeNull()
    else {
      expect(iv).not.toBeNull()
      expect([iv!.lo, iv!.hi]).toEqual([want[0], want[1]])
      expect(iv!.coverage).toBeCloseTo(want[2], 9)
    }
  })
  it('covers the true median about as often as it says (simulation)', () => {
    let seed = 12345
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    let covered = 0
    const trials = 4000
    for (let t = 0; t < trials; t++) {
      const xs = Array.from({ length: 10 }, () => -Math.log(1 - rand())) // exponential, median ln 2
      const iv = medianInterval(xs)!
      if (iv.lo <= Math.LN2 && Math.LN2 <= iv.hi) covered++
    }
    expect(covered / trials).toBeGreaterThan(0.96)
    expect(covered / trials).toBeLessThan(0.995)
  })
})

describe('targetVerdict', () => {
  it.each([
    [{ lo: 1.01, hi: 1.05, coverage: 0.98 }, 1.03, 1.0, true, 'met'],
    [{ lo: 0.97, hi: 1.02, coverage: 0.98 }, 0.99, 1.0, true, 'inconclusive'],
    [{ lo: 0.9, hi: 0.98, coverage: 0.98 }, 0.95, 1.0, true, 'not met'],
    [{ lo: -0.3, hi: -0.1, coverage: 0.98 }, -0.2, 0, false, 'met'],
    [{ lo: -0.1, hi: 0.2, coverage: 0.98 }, 0.05, 0, false, 'inconclusive'],
    [{ lo: 0.1, hi: 0.2, coverage: 0.98 }, 0.15, 0, false, 'not met'],
    [null, 1.0, 1.0, true, 'met'],
    [null, 0.99, 1.0, true, 'not met'],
  ] as const)('%o median %d vs %d (at least: %s) → %s', (iv, median, target, atLeast, want) => {
    expect(targetVerdict(iv, median, target, atLeast)).toBe(want)
  })
})
