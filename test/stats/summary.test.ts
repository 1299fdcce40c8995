import { describe, expect, it } from 'vitest'
import { summarizeVariant } from '../../harness/stats/summary.ts'
import { createLatencyHistogram, recordMs, summarizeLatency } from '../../harness/stats/latency.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { comparisonTable } from '../../harness/report/table.ts'
import type { LoadResult, PodStats } from '../../harness/model/measurements.ts'
import type { RunResult } from '../../harness/model/results.ts'

function pod(name: string, requests: number, byClient: Record<string, number>, perSecond: number[]): PodStats {
  return { name, requests, errors5xx: 0, connections: Object.keys(byClient).length, byPeer: Object.fromEntries(Object.keys(byClient).map((c) => [c, { requests: byClient[c]!, connections: 1 }])), byClient, perSecond }
}

function fixture() {
  const variant = resolveScenario({ name: 'x', cluster: { nodes: 1, replicas: 2 }, service: { balancer: 'round-robin' }, load: { clientIps: 3, connections: 3 } }).variants[0]!
  const spec = variant.cluster.nodes[0]!.podSpecs[0]!
  const h = createLatencyHistogram()
  const perH = [createLatencyHistogram(), createLatencyHistogram()]
  for (let i = 0; i < 100; i++) {
    recordMs(h, 1 + i / 100)
    recordMs(perH[i < 60 ? 0 : 1]!, 1 + i / 100)
  }
  const load: LoadResult = {
    elapsedMs: 1500,
    responses: 100,
    ok: 98,
    statusCounts: { 200: 98, 500: 2 },
    errorsByKind: { 'connect-refused': 0, reset: 1, timeout: 0, 'http-5xx': 2, other: 0 },
    errorsByCode: { ECONNRESET: 1, HTTP_500: 2 },
    latency: h,
    perSecond: [
      { responses: 60, ok: 59, errors: 1, latency: summarizeLatency(perH[0]!) },
      { responses: 40, ok: 39, errors: 2, latency: summarizeLatency(perH[1]!) },
    ],
    perSecondHistograms: perH,
    okPer100ms: [],
    errorEvents: [],
    errorsPer100ms: [],
    clientAddressesUsed: 3,
    interrupted: false,
  }
  const topology = {
    nodes: [{ name: 'node-a', address: '127.9.1.1' }],
    pods: [
      { name: 'pod-1', node: 'node-a', address: '127.9.2.1', port: 8080, spec },
      { name: 'pod-2', node: 'node-a', address: '127.9.2.2', port: 8080, spec },
    ],
  }
  const pods = [pod('pod-1', 75, { a: 50, b: 25 }, [45, 30]), pod('pod-2', 25, { b: 5, c: 20 }, [15, 10])]
  const proxies = [
    {
      node: 'node-a',
      connections: 4,
      decisions: 4,
      byPod: { 'pod-1': 2, 'pod-2': 2 },
      byClient: { a: { 'pod-1': 1 }, b: { 'pod-1': 1, 'pod-2': 1 }, c: { 'pod-2': 1 } },
      clientPods: {},
      noEndpoint: 0,
      upstreamConnectErrors: 0,
      upstreamErrors: 0,
      requestsByPod: {},
      requestsPerSecondByPod: {},
    },
  ]
  return { variant, topology, load, pods, proxies, hashSeed: 1 }
}

describe('summarizeVariant', () => {
  it('derives requests, errors, shares, fairness, stickiness and the timeline', () => {
    const v = summarizeVariant(fixture())
    expect(v.requests).toEqual({ total: 101, ok: 98, rps: 66.667, okRps: 65.333, podSide: 100, scheduled: 101, sent: 101, dropped: 0 })
    expect(v.errors).toEqual({ total: 3, rate: 0.029703, byKind: { 'connect-refused': 0, reset: 1, timeout: 0, 'http-5xx': 2, other: 0 }, byCode: { ECONNRESET: 1, HTTP_500: 2 } })
    expect(v.pods.map((p) => [p.name, p.requests, p.share, p.decisions, p.expectedShare])).toEqual([
      ['pod-1', 75, 0.75, 2, 0.5],
      ['pod-2', 25, 0.25, 2, 0.5],
    ])
    expect(v.fairness.jain).toBeCloseTo(0.8, 6) // 100² / (2·(75²+25²)) = 0.8
    // Round robin over 4 connections at one node: exactly 2 and 2, as observed.
    expect(v.fairness).toMatchObject({ unit: 'connections', decisions: [2, 2], expectedShares: [0.5, 0.5], chiSquaredP: 1, fitsPrediction: true })
    expect(v.stickiness).toEqual({
      clients: 3,
      clientsOnOnePod: 2,
      meanPodsPerClient: 1.333,
      maxPodsPerClient: 2,
      matrix: [
        { client: 'a', pod: 'pod-1', decisions: 1 },
        { client: 'b', pod: 'pod-1', decisions: 1 },
        { client: 'b', pod: 'pod-2', decisions: 1 },
        { client: 'c', pod: 'pod-2', decisions: 1 },
      ],
    })
    expect(v.clientAddresses).toEqual({ configured: 3, used: 3, seenByPods: 3, seenByProxies: 3, tcpSourcesSeenByPods: 3 })
    expect(v.sourceAddresses).toEqual({ clientAddressesSeen: 3, nodeAddressesSeen: 0 })
    expect([v.balancer, v.alias, v.proxyMode, v.ipvsScheduler]).toEqual(['round-robin', 'round-robin', 'ipvs', 'rr'])
    // 1.5 s measured: the second bucket is half a second wide, so its rates double.
    expect(v.timeline.map((t) => [t.tSec, t.rps, t.errors, t.byPod])).toEqual([
      [0, 60, 1, { 'pod-1': 45, 'pod-2': 15 }],
      [1, 80, 4, { 'pod-1': 60, 'pod-2': 20 }],
    ])
    expect(v.latencyMs.p50).toBeCloseTo(1.49, 2)
    expect(v.latencyMs.max).toBeCloseTo(1.99, 2)
  })
})

describe('summarizeVariant timeline', () => {
  it('folds a trailing fragment under half a second into the last whole second', () => {
    const f = fixture()
    // 1.2 s measured: the 0.2 s fragment joins second 0, which is then 1.2 s wide.
    const v = summarizeVariant({ ...f, load: { ...f.load, elapsedMs: 1200 } })
    expect(v.timeline.map((t) => [t.tSec, t.rps, t.errors, t.byPod])).toEqual([[0, 83.333, 2.5, { 'pod-1': 62.5, 'pod-2': 20.833 }]])
    // Its latency is both seconds' histograms merged, not the first second's.
    expect(v.timeline[0]!.p99Ms).toBe(v.latencyMs.p99)
  })
})

describe('comparisonTable', () => {
  it('puts variants side by side with per-pod shares and stickiness', () => {
    const v = summarizeVariant(fixture())
    const result = { variants: [v, { ...v, name: 'other' }] } as unknown as RunResult
    const text = comparisonTable(result)
    const lines = text.split('\n')
    expect(lines[0]).toMatch(/^\s+default\s+other$/)
    expect(text).toMatch(/req\/s\s+67\s+67/)
    expect(text).toMatch(/pod-1 \(node-a\)\s+75\.0% 75 ~50\.0%\s+75\.0% 75 ~50\.0%/)
    expect(text).toMatch(/prediction\s+fits p=1\.000 \(4 connections\)/)
    expect(text).toMatch(/kube-proxy\s+round-robin=ipvs\/rr L4/)
    expect(text).toMatch(/clients on one pod\s+2\/3\s+2\/3/)
    expect(text).toMatch(/Jain index\s+0\.800\s+0\.800/)
  })
  it('makes a split that disagrees with the prediction impossible to miss', () => {
    const v = summarizeVariant(fixture())
    const bad = { ...v, name: 'skewed', fairness: { ...v.fairness, chiSquaredP: 0.0001, fitsPrediction: false } }
    const text = comparisonTable({ variants: [v, bad] } as unknown as RunResult)
    expect(text).toMatch(/prediction\s+fits p=1\.000 \(4 connections\)\s+DIFFERS p<0\.001 \(4 connections\)/)
    expect(text).toMatch(/^! skewed: the observed split of connections differs from what the configuration predicts \(χ² p <0\.001\)/m)
  })
})
