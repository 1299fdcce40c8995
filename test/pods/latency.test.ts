import { describe, expect, it } from 'vitest'
import { createLatencySampler } from '../../harness/pods/latency.ts'
import { lognormalParams } from '../../harness/util/lognormal.ts'
import { createRng } from '../../harness/util/rng.ts'

function quantiles(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b)
  const q = (p: number) => s[Math.floor(p * (s.length - 1))] as number
  return { mean: s.reduce((a, b) => a + b, 0) / s.length, p50: q(0.5), p99: q(0.99) }
}

describe('createLatencySampler', () => {
  const N = 200_000
  it('constant is constant', () => {
    const f = createLatencySampler({ dist: 'constant', meanMs: 2, p99Ms: 2 }, createRng(1))
    expect(new Set(Array.from({ length: 100 }, f))).toEqual(new Set([2]))
  })
  it('exponential has the mean and p99 = mean·ln 100', () => {
    const f = createLatencySampler({ dist: 'exponential', meanMs: 2, p99Ms: 2 * Math.log(100) }, createRng(2))
    const q = quantiles(Array.from({ length: N }, f))
    expect(q.mean).toBeCloseTo(2, 1)
    expect(q.p99 / (2 * Math.log(100))).toBeCloseTo(1, 1)
  })
  it('lognormal hits the requested mean and p99', () => {
    const f = createLatencySampler({ dist: 'lognormal', meanMs: 1, p99Ms: 5 }, createRng(3))
    const q = quantiles(Array.from({ length: N }, f))
    expect(q.mean).toBeCloseTo(1, 1)
    expect(q.p99 / 5).toBeCloseTo(1, 1)
  })
  it('lognormalParams solves mean and p99 exactly', () => {
    const { mu, sigma } = lognormalParams(3, 12)
    expect(Math.exp(mu + (sigma * sigma) / 2)).toBeCloseTo(3, 9)
    expect(Math.exp(mu + 2.3263478740408408 * sigma)).toBeCloseTo(12, 9)
  })
  it('is reproducible per seed', () => {
    const a = createLatencySampler({ dist: 'exponential', meanMs: 1, p99Ms: 4.6 }, createRng(9))
    const b = createLatencySampler({ dist: 'exponential', meanMs: 1, p99Ms: 4.6 }, createRng(9))
    expect(Array.from({ length: 10 }, a)).toEqual(Array.from({ length: 10 }, b))
  })
})
