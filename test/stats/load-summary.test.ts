import { describe, expect, it } from 'vitest'
import { failoverStats, type FailoverInput } from '../../harness/stats/failover.ts'
import { loadHonestyWarnings, loadSummary, MAX_SCHEDULE_LAG_P99_MS } from '../../harness/stats/load-summary.ts'
import { createLatencyHistogram, recordMs } from '../../harness/stats/latency.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import type { LoadResult } from '../../harness/model/measurements.ts'
import type { ResolvedFault, ResolvedProbe } from '../../harness/model/scenario.ts'

const probe: ResolvedProbe = { path: '/healthz', periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 2, successThreshold: 1, initialDelaySeconds: 0 }
const hang: ResolvedFault = { atMs: 5000, action: 'hang-pod', target: 'pod-2', pods: ['pod-2'], node: null, latencyMs: 0, errorRate: 1, replicas: 0, maxSurge: 1, maxUnavailable: 0 }

/** 10 s at `done` requests per 100 ms (100 before the fault at 5 s, `during` from 5.0 to 7.0 s). */
function input(during: number, extra: Partial<FailoverInput> = {}): FailoverInput {
  const per100 = Array.from({ length: 100 }, (_, i) => (i >= 50 && i < 70 ? during : 100))
  return {
    fault: hang,
    appliedAtMs: 5000,
    nextFaultAtMs: null,
    elapsedMs: 10_000,
    events: [{ type: 'published', ready: ['pod-1', 'pod-3'], changed: ['pod-2'], tMs: 7000 }],
    errors: [],
    okPer100ms: per100,
    completedPer100ms: per100,
    perSecondHistograms: [],
    probe,
    propagationMs: 500,
    ...extra,
  }
}

describe('failoverStats and the load model', () => {
  it.each([
    // Completions per 100 ms while the fault lasts → blocked (under half of the 100 before).
    [49, true],
    [50, false],
    [0, true],
  ])('closed model: clients completing %d per 100 ms against 100 before are blocked: %s', (during, blocked) => {
    expect(failoverStats(input(during, { model: 'closed' })).clientsBlocked).toBe(blocked)
  })

  it('closed model: no verdict without completions or without a baseline before the fault', () => {
    expect(failoverStats(input(0, { completedPer100ms: undefined })).clientsBlocked).toBeNull()
    expect(failoverStats(input(0, { appliedAtMs: 300 })).clientsBlocked).toBeNull()
  })

  it('open model: drops in the window are lost requests; there are no blocked clients to speak of', () => {
    const dropped = Array.from({ length: 100 }, (_, i) => (i === 55 ? 7 : i === 95 ? 1000 : 0))
    const errorsPer100ms = Array.from({ length: 100 }, (_, i) => (i === 60 ? [0, 0, 30, 0, 0] : [0, 0, 0, 0, 0]))
    const f = failoverStats(input(0, { model: 'open', droppedPer100ms: dropped, errorsPer100ms, errors: Array.from({ length: 30 }, () => ({ tMs: 6000, kind: 'timeout' as const })), nextFaultAtMs: 9000 }))
    // 30 timeouts and the 7 drops before the next fault at 9 s (the 1,000 at 9.5 s are not this fault's).
    expect([f.requestsLost, f.requestsDropped, f.errors.timeout, f.clientsBlocked]).toEqual([37, 7, 30, null])
  })
})

describe('loadSummary and loadHonestyWarnings', () => {
  const lagOf = (ms: number) => {
    const h = createLatencyHistogram()
    for (let i = 0; i < 100; i++) recordMs(h, i < 98 ? 0.2 : ms)
    return h
  }
  const loadWith = (lag: LoadResult['scheduleLag']) => ({ scheduleLag: lag }) as LoadResult

  it('says which model ran, its rates and the generator lag', () => {
    const v = resolveScenario({ name: 'x', load: { stages: [{ duration: '1s', target: 50 }, { duration: '1s', target: 10 }], arrival: 'poisson', requestTimeout: '2s' } }).variants[0]!
    const s = loadSummary(v, loadWith(lagOf(3)))
    expect(s).toMatchObject({ model: 'open', connections: 50, ratesRps: [0, 50, 10], arrival: 'poisson', keepAlive: true, requestTimeoutMs: 2000 })
    // HDR values: within their 0.1%.
    expect(s.scheduleLagMs!.p50).toBeCloseTo(0.2, 3)
    expect(s.scheduleLagMs!.p99).toBeCloseTo(3, 2)
    expect(s.scheduleLagMs!.max).toBeCloseTo(3, 2)
    const c = resolveScenario({ name: 'x' }).variants[0]!
    expect(loadSummary(c, loadWith(null))).toMatchObject({ model: 'closed', ratesRps: [], arrival: null, scheduleLagMs: null })
  })

  it(`warns when the open model's lag p99 exceeds ${MAX_SCHEDULE_LAG_P99_MS} ms, and when closed clients were blocked`, () => {
    const v = resolveScenario({ name: 'x', load: { rate: 100 } }).variants[0]!
    expect(loadHonestyWarnings(v, loadWith(lagOf(4.9)), [])).toEqual([])
    expect(loadHonestyWarnings(v, loadWith(lagOf(6)), [])[0]).toMatch(/^the load generator fell behind its schedule: lag p99 6(\.\d+)? ms \(max 6(\.\d+)? ms\) over 5 ms/)
    const c = resolveScenario({ name: 'x', load: { connections: 12 } }).variants[0]!
    const f = failoverStats(input(10, { model: 'closed' }))
    expect(loadHonestyWarnings(c, loadWith(null), [f])).toEqual([
      'hang-pod pod-2 at 5.00s: the 12 closed-model clients completed under half their rate before it, so these figures describe 12 blocked clients, not a stream of requests (users arriving meanwhile would have waited or failed); set load.rate to measure it under the open model (docs/load-models.md)',
    ])
  })
})
