/**
 * Kubernetes fidelity on real sockets: traffic policies, SNAT, the hop between nodes, affinity,
 * and predictions the chi-squared test does not reject. Each run sends traffic for ≤ 1.5 s.
 */
import { describe, expect, it } from 'vitest'
import { runVariants as run } from '../helpers/run.ts'

describe('externalTrafficPolicy', () => {
  it('Local: only local pods, client address preserved, split fits the per-node prediction (2 pods vs 1)', async () => {
    const [v] = await run({
      name: 'local',
      cluster: { nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 1 }], pod: { latencyMs: 0 } },
      service: { proxyMode: 'iptables', externalTrafficPolicy: 'Local' },
      load: { duration: '800ms', warmup: 0, connections: 8, clientIps: 8, keepAlive: false },
    })
    // pod-1 and pod-3 are on node-a, pod-2 alone on node-b.
    const [a1, b, a2] = v!.pods
    expect(v!.fairness.unit).toBe('connections')
    expect(v!.fairness.fitsPrediction).toBe(true)
    expect(b!.decisions).toBe(v!.nodes[1]!.decisions)
    expect(a1!.decisions + a2!.decisions).toBe(v!.nodes[0]!.decisions)
    expect(Math.abs(a1!.expectedShare! - a2!.expectedShare!)).toBeLessThan(1e-9)
    expect(v!.sourceAddresses).toEqual({ clientAddressesSeen: 8, nodeAddressesSeen: 0 })
  })

  it('Cluster: SNAT, the pods see only the receiving nodes’ addresses; remote pods are reached through a real hop', async () => {
    const [v] = await run({
      name: 'cluster',
      cluster: { nodes: [{ name: 'node-a', pods: 0 }, { name: 'node-b', pods: 2 }], pod: { latencyMs: 0 } },
      service: { balancer: 'round-robin', externalTrafficPolicy: 'Cluster' },
      load: { duration: '500ms', warmup: 0, connections: 4, clientIps: 4, via: ['node-a'] },
    })
    expect(v!.errors.total).toBe(0)
    expect(v!.requests.ok).toBeGreaterThan(0)
    expect(v!.sourceAddresses).toEqual({ clientAddressesSeen: 0, nodeAddressesSeen: 1 })
    expect(v!.clientAddresses.seenByPods).toBe(0)
    expect(v!.clientAddresses.seenByProxies).toBe(4)
    expect(v!.stickiness.clients).toBe(4)
    expect(v!.fairness.fitsPrediction).toBe(true)
  })

  it('Cluster with hopLatencyMs adds the delay to every crossing (lower bound only)', async () => {
    const [v] = await run({
      name: 'hop-delay',
      cluster: { nodes: [{ name: 'node-a', pods: 0 }, { name: 'node-b', pods: 1 }], pod: { latencyMs: 0 }, network: { hopLatencyMs: 5 } },
      load: { duration: '500ms', warmup: 0, connections: 2, clientIps: 2, via: ['node-a'] },
    })
    // Request and response each cross the hop once: at least 2 × 5 ms.
    expect(v!.latencyMs.p50).toBeGreaterThanOrEqual(10)
  })

  it('Local on a node with no local pod drops the connection: the client times out', async () => {
    const [v] = await run({
      name: 'local-empty',
      cluster: { nodes: [{ name: 'node-a', pods: 1 }, { name: 'node-b', pods: 0 }], pod: { latencyMs: 0 } },
      service: { externalTrafficPolicy: 'Local' },
      load: { duration: '1300ms', warmup: 0, connections: 2, clientIps: 2, via: ['node-b'], requestTimeout: '1s' },
    })
    expect(v!.requests.ok).toBe(0)
    expect(v!.errors.byKind.timeout).toBeGreaterThan(0)
    expect(v!.errors.byKind['connect-refused'] + v!.errors.byKind.reset).toBe(0)
  })
})

describe('sessionAffinity ClientIP', () => {
  it('keeps every client address on one pod across new connections, and the placement fits the prediction', async () => {
    const [v] = await run({
      name: 'affinity',
      cluster: { nodes: 1, replicas: 3, pod: { latencyMs: 0 } },
      service: { proxyMode: 'iptables', sessionAffinity: 'ClientIP' },
      load: { duration: '600ms', warmup: 0, connections: 8, clientIps: 8, keepAlive: false },
    })
    expect(v!.stickiness).toMatchObject({ clients: 8, clientsOnOnePod: 8, maxPodsPerClient: 1 })
    expect(v!.fairness.unit).toBe('clients')
    expect(v!.fairness.decisions.reduce((a, b) => a + b, 0)).toBe(8)
    expect(v!.fairness.fitsPrediction).toBe(true)
  })
  it('without affinity the same clients spread over pods', async () => {
    const [v] = await run({
      name: 'no-affinity',
      cluster: { nodes: 1, replicas: 3, pod: { latencyMs: 0 } },
      service: { proxyMode: 'iptables' },
      load: { duration: '400ms', warmup: 0, connections: 8, clientIps: 8, keepAlive: false },
    })
    expect(v!.stickiness.clientsOnOnePod).toBe(0)
    expect(v!.fairness.fitsPrediction).toBe(true)
  })
})

describe('IPVS schedulers on real connections', () => {
  it('wrr splits connections by pod weight, exactly as predicted', async () => {
    const [v] = await run({
      name: 'wrr',
      cluster: { nodes: [{ name: 'node-a', pods: [{ weight: 3 }, { weight: 1 }] }], pod: { latencyMs: 0 } },
      service: { proxyMode: 'ipvs', ipvsScheduler: 'wrr' },
      load: { duration: '600ms', warmup: 0, connections: 4, clientIps: 4, keepAlive: false },
    })
    const [p1, p2] = v!.fairness.decisions
    expect(p1! / (p1! + p2!)).toBeGreaterThan(0.7)
    expect(p1! / (p1! + p2!)).toBeLessThan(0.8)
    expect(v!.fairness.fitsPrediction).toBe(true)
  })
  it('mh keeps every client address on one pod', async () => {
    const [v] = await run({
      name: 'maglev',
      cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 0 } },
      service: { ipvsScheduler: 'mh' },
      load: { duration: '500ms', warmup: 0, connections: 16, clientIps: 16, keepAlive: false },
    })
    expect(v!.stickiness).toMatchObject({ clients: 16, clientsOnOnePod: 16 })
    expect(v!.fairness.chiSquaredP).toBe(1)
  })
})
