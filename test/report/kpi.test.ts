/** kpis / kpiDelta: each tile's figure and its difference to the first variant, worked by hand from the fixtures. */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { kpiDelta, kpis, type KpiKey } from '../../harness/report/kpi.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'

const load = (name: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/results/${name}`, import.meta.url), 'utf8')) as RunResult
const crash = load('pod-crash-3-variants.json')
const [iptables, ipvs, userspace] = crash.variants as [VariantResult, VariantResult, VariantResult]

describe('kpiDelta against the first variant', () => {
  // Figures from pod-crash-3-variants.json; changes worked by hand:
  it.each<[string, KpiKey, VariantResult, number, string, 'better' | 'worse' | 'same']>([
    // 3692.461 / 3741.429 − 1 = −0.01309: under the 3% floor.
    ['ipvs-rr req/s', 'rps', ipvs, -0.01309, '−1.3%', 'same'],
    // 28.031 / 26.335 − 1 = +0.0644: higher latency is worse.
    ['ipvs-rr p99', 'p99', ipvs, 0.0644, '+6.4%', 'worse'],
    // 0.108757 − 0.091204 = +0.017553, in percentage points.
    ['ipvs-rr error rate', 'errorRate', ipvs, 0.017553, '+1.76 pp', 'worse'],
    // 0.854407 − 0.852002 = +0.002405: under the 0.01 floor.
    ['ipvs-rr Jain', 'jain', ipvs, 0.002405, '+0.002', 'same'],
    // (4126 + 0 + 355) − (3313 + 0 + 423) = 4481 − 3736 = +745 requests.
    ['ipvs-rr requests lost', 'requestsLost', ipvs, 745, '+745 req', 'worse'],
    // 4290.811 / 3741.429 − 1 = +0.14684: more throughput is better.
    ['userspace req/s', 'rps', userspace, 0.14684, '+14.7%', 'better'],
    // 6.743 / 7.491 − 1 = −0.09985: lower latency is better.
    ['userspace p50', 'p50', userspace, -0.09985, '−10.0%', 'better'],
    // 332 − 3736 = −3404.
    ['userspace requests lost', 'requestsLost', userspace, -3404, '−3,404 req', 'better'],
  ])('%s', (_, key, v, change, text, direction) => {
    const d = kpiDelta(key, iptables, v)!
    expect(d.change).toBeCloseTo(change, 4)
    expect(d.text).toBe(text)
    expect(d.direction).toBe(direction)
    expect(d.basis).toBe('floor')
  })

  it('judges by the trials when both sides ran at least 2: overlapping ranges are the same, apart ones are real', () => {
    const withTrials = (v: VariantResult, rps: number[]): VariantResult => ({ ...v, trials: rps.map((x, i) => ({ trial: i + 1, metrics: { 'requests.rps': x }, disturbed: false })) })
    // 10% apart on the medians, but the trials overlap (1000–1200 against 1100–1300).
    const a = withTrials({ ...iptables, requests: { ...iptables.requests, rps: 1100 } }, [1000, 1100, 1200])
    const b = withTrials({ ...iptables, requests: { ...iptables.requests, rps: 1210 } }, [1100, 1210, 1300])
    expect(kpiDelta('rps', a, b)).toMatchObject({ direction: 'same', basis: 'trials' })
    // 2% apart, under the floor, but every trial of one beats every trial of the other.
    const c = withTrials({ ...iptables, requests: { ...iptables.requests, rps: 1000 } }, [995, 1000, 1005])
    const d = withTrials({ ...iptables, requests: { ...iptables.requests, rps: 1020 } }, [1015, 1020, 1025])
    expect(kpiDelta('rps', c, d)).toMatchObject({ direction: 'better', basis: 'trials', text: '+2.0%' })
  })

  it('calls two latencies at the request timeout the same (both censored)', () => {
    const [open, closed] = load('hang-closed-vs-open.json').variants as [VariantResult, VariantResult]
    expect(kpiDelta('p99', open, closed)).toMatchObject({ direction: 'same', basis: 'censored' })
  })
})

describe('kpis', () => {
  it('gives every variant six tiles, the first with no difference, texts with units', () => {
    const k = kpis(crash)
    expect(k.map((x) => x.variant)).toEqual(['iptables', 'ipvs-rr', 'userspace'])
    expect(k[0]!.tiles.map((t) => t.key)).toEqual(['rps', 'p50', 'p99', 'errorRate', 'jain', 'requestsLost'])
    expect(k[0]!.tiles.every((t) => t.delta === null)).toBe(true)
    expect(k[0]!.tiles.map((t) => t.text)).toEqual(['3,741 req/s', '7.49 ms', '26.3 ms', '9.12% (3,736)', '0.852', '3,736 req'])
    expect(k[1]!.tiles.find((t) => t.key === 'requestsLost')!.delta!.text).toBe('+745 req')
  })

  it('shows no requests lost without faults, and no difference for it', () => {
    const k = kpis(load('nat-ip-hash.json'))
    const lost = k[1]!.tiles.find((t) => t.key === 'requestsLost')!
    expect(lost).toMatchObject({ value: null, text: 'no faults', delta: null })
    // 15966.878 / 20861.164 − 1 = −0.2346
    expect(k[1]!.tiles[0]!.delta).toMatchObject({ text: '−23.5%', direction: 'worse' })
  })
})
