import { describe, expect, it } from 'vitest'
import { failoverStats, expectedDetection, lbTookOut, type FailoverInput } from '../../harness/stats/failover.ts'
import { lbHealth } from '../../harness/stats/lb.ts'
import { createLatencyHistogram, recordMs } from '../../harness/stats/latency.ts'
import type { ResolvedFault, ResolvedProbe } from '../../harness/model/scenario.ts'

const probe: ResolvedProbe = { path: '/healthz', periodSeconds: 10, timeoutSeconds: 1, failureThreshold: 3, successThreshold: 1, initialDelaySeconds: 0 }
const fault = (action: ResolvedFault['action'], extra: Partial<ResolvedFault> = {}): ResolvedFault => ({ atMs: 5000, action, target: 'pod-2', pods: ['pod-2'], node: null, latencyMs: 0, errorRate: 1, replicas: 0, maxSurge: 1, maxUnavailable: 0, ...extra })

describe('expectedDetection', () => {
  it.each([
    ['kill-pod', {}, { min: 20.5, max: 30.5 }],
    ['hang-pod', {}, { min: 21.5, max: 31.5 }],
    ['slow-pod', { latencyMs: 2000 }, { min: 21.5, max: 31.5 }],
    ['slow-pod', { latencyMs: 200 }, null],
    ['fail-pod', {}, null],
    ['recover-pod', {}, { min: 0.5, max: 10.5 }],
  ] as const)('%s %j with the Kubernetes defaults and 500 ms propagation → %j', (action, extra, expected) => {
    expect(expectedDetection(fault(action, extra), probe, 500)).toEqual(expected)
  })
})

describe('expectedDetection of kill-node behind a load balancer', () => {
  const lb = { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10, unhealthyThreshold: 3 }, events: [] }
  it('is the health check\'s window (2 to 3 intervals), and none when no node can pass the check', () => {
    const killNode = fault('kill-node', { target: 'node-a', node: 'node-a', pods: ['pod-1'] })
    expect(expectedDetection(killNode, probe, 500, { lb })).toEqual({ min: 20, max: 30 })
    expect(expectedDetection(killNode, probe, 500, { lb: { ...lb, checkCanPass: false } })).toBeNull()
  })
})

describe('lbTookOut: when the load balancer\'s health check marked node-a down after the fault', () => {
  const hc = { intervalSeconds: 10, timeoutSeconds: 10, unhealthyThreshold: 3 }
  const ev = (node: string, healthy: boolean, tMs: number) => ({ node, healthy, tMs })
  it.each([
    ['node-a turns unhealthy', true, [ev('node-a', false, 18_000)], 18_000],
    ['an event before the fault does not count', true, [ev('node-a', false, 500), ev('node-a', true, 900)], undefined],
    ['another node turning unhealthy does not count', true, [ev('node-b', false, 18_000)], undefined],
    // A UDP NodePort's TCP check: every node goes down whatever the fault (here 15 s after it, as the
    // checks' third failure came due): no detection of the fault.
    ['a check no node can pass', false, [ev('node-a', false, 17_999), ev('node-b', false, 18_000), ev('node-c', false, 18_002)], undefined],
  ] as const)('%s', (_what, checkCanPass, events, expected) => {
    expect(lbTookOut({ healthCheck: hc, events: [...events], checkCanPass }, 'node-a', 3000)?.tMs).toBe(expected)
  })
})

describe('failoverStats', () => {
  function input(): FailoverInput {
    // 10 s at 100 responses per 100 ms; from 5.0 s to 6.0 s half of that; errors 5.0–5.8 s.
    const b = Array.from({ length: 100 }, (_, i) => (i >= 50 && i < 60 ? 50 : 100))
    const hists = Array.from({ length: 10 }, (_, s) => {
      const h = createLatencyHistogram()
      for (let k = 0; k < 100; k++) recordMs(h, s === 5 ? 20 : 2)
      return h
    })
    return {
      fault: fault('kill-pod'),
      appliedAtMs: 5000,
      nextFaultAtMs: null,
      elapsedMs: 10_000,
      events: [
        { type: 'not-ready', pod: 'pod-2', tMs: 5400 },
        { type: 'published', ready: ['pod-1', 'pod-3'], changed: ['pod-2'], tMs: 5900 },
      ],
      errors: Array.from({ length: 9 }, (_, k) => ({ tMs: 5000 + k * 100, kind: 'reset' as const })),
      okPer100ms: b,
      perSecondHistograms: hists,
      probe,
      propagationMs: 500,
    }
  }
  it('measures detection, the error window, the dip, recovery and latency around the fault', () => {
    const f = failoverStats(input())
    expect(f).toMatchObject({
      fault: 'kill-pod',
      atSec: 5,
      detectedAtSec: 5.9,
      detectionSec: 0.9,
      expectedDetectionSec: { min: 20.5, max: 30.5 },
      firstErrorSec: 5,
      lastErrorSec: 5.8,
      requestsLost: 9,
      throughputDipPct: 50,
    })
    expect(f.errors.reset).toBe(9)
    // Back at full rate from 6.0 s; a 500 ms window with one half-rate slot already counts (5.9 s).
    expect(f.recoveredAtSec).toBeGreaterThanOrEqual(5.9)
    expect(f.recoveredAtSec).toBeLessThanOrEqual(6.0)
    expect(f.latencyMs.before.p99).toBeCloseTo(2, 1)
    expect(f.latencyMs.during.p99).toBeCloseTo(20, 0)
    expect(f.latencyMs.after.p99).toBeCloseTo(2, 1)
  })
  it('has no detection for a fault the probe cannot see, and no baseline right at the start', () => {
    const i = input()
    const f = failoverStats({ ...i, fault: fault('fail-pod'), appliedAtMs: 200, events: [] })
    expect(f.detectedAtSec).toBeNull()
    expect(f.expectedDetectionSec).toBeNull()
    expect(f.throughputDipPct).toBeNull()
  })
  it('counts the clients a fault moved to another pod (hashing balancers)', () => {
    const f = failoverStats({
      ...input(),
      clientPods: {
        a: [[1000, 'pod-1']],
        b: [[1000, 'pod-2'], [5500, 'pod-3']],
        c: [[1000, 'pod-2'], [5600, 'pod-1']],
        d: [[6000, 'pod-3']], // first seen after the fault: not counted
      },
    })
    expect(f.clientsRemapped).toBeCloseTo(2 / 3, 3)
    expect(failoverStats(input()).clientsRemapped).toBeNull()
  })
  it('counts exactly from the 100 ms slots when the event list was cut short', () => {
    const slots: number[][] = []
    for (let slot = 50; slot < 70; slot++) slots[slot] = [0, 1000, 0, 0, 0] // 1000 resets per 100 ms, 5.0–7.0 s
    const f = failoverStats({ ...input(), errors: [{ tMs: 5000, kind: 'reset' }], errorsPer100ms: Array.from(slots, (r) => r ?? [0, 0, 0, 0, 0]) })
    expect(f.requestsLost).toBe(20_000)
    expect(f.errors.reset).toBe(20_000)
    expect(f.firstErrorSec).toBe(5)
    expect(f.lastErrorSec).toBe(7)
  })
  it('ends a fault’s error window at the next fault', () => {
    const f = failoverStats({ ...input(), nextFaultAtMs: 5350 })
    expect(f.requestsLost).toBe(4)
    expect(f.lastErrorSec).toBe(5.3)
  })
})

describe('lbHealth: what the failover figures learn of the load balancer', () => {
  const m = (from: 'external' | 'cluster', protocol: 'TCP' | 'UDP', externalTrafficPolicy: 'Cluster' | 'Local') =>
    ({
      variant: { load: { from }, service: { protocol, externalTrafficPolicy, loadBalancer: { healthCheck: { intervalSeconds: 10, timeoutSeconds: 10, healthyThreshold: 3, unhealthyThreshold: 3 } } } },
      lb: { epochMs: 1000, events: [{ node: 'node-a', healthy: false, atMs: 4000 }] },
    }) as unknown as Parameters<typeof lbHealth>[0]
  it.each([
    ['external clients, TCP', 'external', 'TCP', 'Cluster', { checkCanPass: true, events: [{ node: 'node-a', healthy: false, tMs: 3000 }] }],
    ['external clients, UDP under Cluster: a check no node can pass', 'external', 'UDP', 'Cluster', { checkCanPass: false }],
    ['external clients, UDP under Local', 'external', 'UDP', 'Local', { checkCanPass: true }],
  ] as const)('%s', (_what, from, protocol, etp, expected) => {
    expect(lbHealth(m(from, protocol, etp))).toMatchObject(expected)
  })
  it('nothing for client pods at the ClusterIP: their traffic does not pass the load balancer', () => {
    expect(lbHealth(m('cluster', 'UDP', 'Cluster'))).toBeUndefined()
  })
})
