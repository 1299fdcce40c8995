import { describe, expect, it } from 'vitest'
import { createSchedule, expectedArrivals, rateAt, type ScheduleOptions } from '../../harness/load/schedule.ts'

/** Every arrival of a schedule, ms. */
function times(o: ScheduleOptions): number[] {
  const s = createSchedule(o)
  const out: number[] = []
  for (let t = s.next(); t !== Infinity; t = s.next()) out.push(t)
  return out
}

const gaps = (ts: number[]) => ts.slice(1).map((t, i) => t - (ts[i] as number))

describe('createSchedule constant', () => {
  it.each([
    // rate, duration: arrivals at k/rate s while before the end.
    [1000, 1000, 1000, 1],
    [3, 2000, 6, 1000 / 3],
    [250, 100, 25, 4],
    [0.5, 1000, 1, 2000],
  ])('at %d req/s over %d ms sends %d requests %f ms apart, the first at 0', (startRps, durationMs, n, gapMs) => {
    const ts = times({ startRps, durationMs })
    expect(ts).toHaveLength(n)
    expect(ts[0]).toBe(0)
    for (const g of gaps(ts)) expect(g).toBeCloseTo(gapMs, 9)
    expect(ts.at(-1)!).toBeLessThan(durationMs)
  })

  it('is the same every time (no randomness)', () => {
    expect(times({ startRps: 777, durationMs: 500, seed: 1 })).toEqual(times({ startRps: 777, durationMs: 500, seed: 99 }))
  })

  it('sends nothing at rate 0', () => {
    expect(times({ startRps: 0, durationMs: 1000 })).toEqual([])
  })
})

describe('createSchedule poisson', () => {
  const o = { startRps: 1000, durationMs: 20_000, arrival: 'poisson' as const, seed: 7 }

  it('is reproducible from its seed and differs with another seed', () => {
    expect(times(o)).toEqual(times(o))
    expect(times({ ...o, seed: 8 })).not.toEqual(times(o))
  })

  it('has the mean rate and exponential gaps (mean 1/rate, coefficient of variation 1)', () => {
    const ts = times(o)
    // A Poisson count with mean 20,000 has σ ≈ 141: within 4σ.
    expect(Math.abs(ts.length - 20_000)).toBeLessThan(4 * Math.sqrt(20_000))
    const g = gaps(ts)
    const mean = g.reduce((a, b) => a + b, 0) / g.length
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length)
    expect(mean).toBeCloseTo(1, 1)
    expect(sd / mean).toBeGreaterThan(0.95)
    expect(sd / mean).toBeLessThan(1.05)
    // P(gap > 3 ms) = e^-3 ≈ 0.0498 for an exponential gap of mean 1 ms.
    expect(g.filter((x) => x > 3).length / g.length).toBeCloseTo(Math.exp(-3), 2)
  })

  it('follows a ramp: a ramp from 0 puts three times as many arrivals in its second half as in its first', () => {
    // rate(t) = 200·t/s over 10 s: Λ(5 s) = 2,500, Λ(10 s) = 10,000, so [5, 10) holds three times [0, 5).
    const ts = times({ startRps: 0, stages: [{ durationMs: 10_000, targetRps: 2000 }], durationMs: 10_000, arrival: 'poisson', seed: 3 })
    const first = ts.filter((t) => t < 5000).length
    expect(Math.abs(first - 2500)).toBeLessThan(4 * Math.sqrt(2500))
    expect(Math.abs(ts.length - first - 7500)).toBeLessThan(4 * Math.sqrt(7500))
  })
})

describe('createSchedule stages', () => {
  it('ramps linearly from 0: the k-th arrival of rate 50·t/s is at √(k/25) s', () => {
    // One stage of 10 s to 500 req/s: rate(t) = 50·t, Λ(t) = 25·t², so arrival k at √(k/25) s.
    const ts = times({ startRps: 0, stages: [{ durationMs: 10_000, targetRps: 500 }], durationMs: 10_000 })
    expect(ts).toHaveLength(2500)
    expect(ts[100]).toBeCloseTo(2000, 6)
    expect(ts[625]).toBeCloseTo(5000, 6)
    expect(ts[2499]).toBeCloseTo(Math.sqrt(2499 / 25) * 1000, 6)
  })

  it('ramps from the previous target: 100 → 300 req/s over the second second', () => {
    // Λ(1 s) = 50; then Λ(1 + τ) = 50 + 100τ + 100τ², so u = 150 at τ = (√5 − 1)/2.
    const o = { startRps: 0, stages: [{ durationMs: 1000, targetRps: 100 }, { durationMs: 1000, targetRps: 300 }], durationMs: 2000 }
    const ts = times(o)
    expect(ts).toHaveLength(250)
    expect(ts[50]).toBeCloseTo(1000, 6)
    expect(ts[150]).toBeCloseTo(1000 + ((Math.sqrt(5) - 1) / 2) * 1000, 6)
    expect(rateAt(o, 1500)).toBe(200)
    expect(expectedArrivals(o, 1500)).toBeCloseTo(50 + 100 * 0.5 + 100 * 0.25, 9)
  })

  it('holds the last target after the stages, steps on a 0-duration stage, and ramps down', () => {
    const o = { startRps: 0, stages: [{ durationMs: 0, targetRps: 100 }, { durationMs: 1000, targetRps: 0 }], durationMs: 2000 }
    // Step to 100, down to 0 over 1 s (50 arrivals), then 0 holds: nothing after 1 s.
    const ts = times(o)
    expect(ts).toHaveLength(50)
    expect(ts[0]).toBe(0)
    expect(ts.at(-1)!).toBeLessThan(1000)
    expect(rateAt(o, 500)).toBe(50)
    const held = times({ startRps: 0, stages: [{ durationMs: 1000, targetRps: 100 }], durationMs: 3000 })
    // 50 in the ramp, then 100 req/s for 2 s.
    expect(held).toHaveLength(250)
    expect(gaps(held.slice(60))[0]).toBeCloseTo(10, 9)
  })

  it('cuts a ramp at the end of the schedule at the rate reached by then', () => {
    const o = { startRps: 0, stages: [{ durationMs: 10_000, targetRps: 1000 }], durationMs: 5000 }
    expect(rateAt(o, 4999)).toBeCloseTo(499.9, 6)
    expect(times(o)).toHaveLength(1250)
  })
})
