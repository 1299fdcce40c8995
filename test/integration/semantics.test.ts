/**
 * Real sockets, real processes: what pods see must match the balancing semantics.
 * Each run sends traffic for well under 2 s.
 */
import { describe, expect, it } from 'vitest'
import { runVariants as run } from '../helpers/run.ts'
import type { VariantResult } from '../../harness/model/results.ts'

const podsWithTraffic = (v: VariantResult) => v.pods.filter((p) => p.requests > 0).length

describe('client source addresses', () => {
  it('pods see exactly the configured number of distinct client addresses (autocannon setupClient shim)', async () => {
    const [v] = await run({
      name: 'addresses',
      cluster: { nodes: 2, replicas: 2, pod: { latencyMs: 0 } },
      // Local keeps the client address all the way to the pod.
      service: { externalTrafficPolicy: 'Local' },
      load: { duration: '500ms', warmup: 0, connections: 24, clientIps: 24 },
    })
    expect(v!.clientAddresses).toEqual({ configured: 24, used: 24, seenByPods: 24, seenByProxies: 24, tcpSourcesSeenByPods: 24 })
    expect(v!.sourceAddresses).toEqual({ clientAddressesSeen: 24, nodeAddressesSeen: 0 })
    expect(v!.stickiness.clients).toBe(24)
  })
})

describe('warm-up', () => {
  it('is excluded from every count, while keep-alive connections opened during it still count once', async () => {
    const [v] = await run({
      name: 'warm',
      cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0 } },
      load: { duration: '400ms', warmup: '600ms', connections: 4, clientIps: 4 },
    })
    // Requests in flight at either end of the window may be counted on one side only.
    expect(Math.abs(v!.requests.podSide - v!.requests.total)).toBeLessThanOrEqual(8)
    expect(v!.durationSec).toBeGreaterThanOrEqual(0.4)
    expect(v!.durationSec).toBeLessThan(0.6)
    expect(v!.timeline).toHaveLength(1)
    expect(v!.pods.reduce((a, p) => a + p.connections, 0)).toBe(4)
    expect(v!.nodes[0]!.connections).toBe(4)
    expect(v!.nodes[0]!.decisions).toBe(4)
  })
})

describe('connection vs request balancing', () => {
  it('L4 pins keep-alive connections (≤ 3 of 6 pods busy); L7 spreads every request', async () => {
    const [l4, l7] = await run({
      name: 'keepalive',
      cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0 } },
      service: { balancer: 'round-robin' },
      load: { duration: '600ms', warmup: 0, connections: 3, clientIps: 3, keepAlive: true },
      variants: { l4: { service: { balancing: 'connection' } }, l7: { service: { balancing: 'request' } } },
    })
    expect(podsWithTraffic(l4!)).toBeLessThanOrEqual(3)
    expect(l4!.stickiness.clientsOnOnePod).toBe(3)
    expect(podsWithTraffic(l7!)).toBe(6)
    expect(l7!.fairness.jain).toBeGreaterThan(0.95)
    expect(l7!.stickiness.meanPodsPerClient).toBe(6)
    // In request mode the pods see the node as TCP source and the client in X-Forwarded-For.
    expect(l7!.clientAddresses.seenByPods).toBe(3)
    expect(l7!.clientAddresses.tcpSourcesSeenByPods).toBe(3)
  })

  it('without keep-alive, L4 round-robin reaches every pod and spreads evenly', async () => {
    const [v] = await run({
      name: 'no-keepalive',
      cluster: { nodes: 1, replicas: 3, pod: { latencyMs: 0 } },
      load: { duration: '600ms', warmup: 0, connections: 2, clientIps: 2, keepAlive: false },
    })
    expect(podsWithTraffic(v!)).toBe(3)
    expect(v!.fairness.jain).toBeGreaterThan(0.95)
    // One connection per request: pods accept about as many connections as requests.
    const conns = v!.pods.reduce((a, p) => a + p.connections, 0)
    expect(conns / v!.requests.podSide).toBeGreaterThan(0.9)
  })
})

describe('round-robin and ip-hash over real connections', () => {
  it('round-robin over 64 connections and 6 pods is fair (Jain ≥ 0.95)', async () => {
    const [v] = await run({
      name: 'rr',
      cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } },
      service: { balancer: 'round-robin' },
      load: { duration: '800ms', warmup: 0, connections: 64, clientIps: 64 },
    })
    expect(podsWithTraffic(v!)).toBe(6)
    expect(v!.fairness.jain).toBeGreaterThanOrEqual(0.95)
    expect(v!.errors.total).toBe(0)
  })

  it('ip-hash keeps every client address on exactly one pod, across reconnects and nodes', async () => {
    const [v] = await run({
      name: 'ip-hash',
      cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0 } },
      service: { balancer: 'ip-hash' },
      // Twice as many connections as addresses: each address connects via two different nodes,
      // and without keep-alive every request is a new connection.
      load: { duration: '600ms', warmup: 0, connections: 32, clientIps: 16, keepAlive: false },
    })
    expect(v!.stickiness.clients).toBe(16)
    expect(v!.stickiness.clientsOnOnePod).toBe(16)
    expect(v!.stickiness.maxPodsPerClient).toBe(1)
    expect(podsWithTraffic(v!)).toBeGreaterThan(1)
  })

  it('one client address + ip-hash sends 100% to one pod', async () => {
    const [v] = await run({
      name: 'nat',
      cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0 } },
      service: { balancer: 'ip-hash' },
      load: { duration: '500ms', warmup: 0, connections: 8, clientIps: 1 },
    })
    expect(podsWithTraffic(v!)).toBe(1)
    expect(Math.max(...v!.pods.map((p) => p.share))).toBe(1)
    expect(v!.fairness.jain).toBeCloseTo(1 / 6, 6)
  })

  it('counts 5xx from pods with an error rate as http-5xx errors', async () => {
    const [v] = await run({
      name: 'errors',
      cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0, errorRate: 0.5 } },
      load: { duration: '400ms', warmup: 0, connections: 4, clientIps: 4 },
    })
    expect(v!.errors.byKind['http-5xx']).toBeGreaterThan(0)
    expect(v!.errors.rate).toBeGreaterThan(0.3)
    expect(v!.errors.rate).toBeLessThan(0.7)
    expect(v!.requests.ok + v!.errors.byKind['http-5xx']).toBe(v!.requests.total)
  })
})
