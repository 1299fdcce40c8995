/**
 * Where the load came from, and how much stayed on its node: worked by hand from pod-side counts
 * (the client a request names: a client pod's address, or its node's where kube-proxy
 * masqueraded) and the proxies' decisions (a client address equal to the chosen pod's: hairpin).
 */
import { describe, expect, it } from 'vitest'
import { clientsSummary, sameNodeShares } from '../../harness/stats/clients.ts'
import { emptyProxyStats } from '../../harness/proxy/accounting.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { comparisonTable } from '../../harness/report/table.ts'
import type { PodStats, ProxyStats } from '../../harness/model/measurements.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'

const spec = { weight: 1, latency: { dist: 'constant' as const, meanMs: 1, p99Ms: 1 }, responseBytes: 128, errorRate: 0 }
const pod = (name: string, byClient: Record<string, number>): PodStats => ({ name, requests: Object.values(byClient).reduce((a, b) => a + b, 0), errors5xx: 0, connections: 1, byPeer: {}, byClient, perSecond: [] })
const proxy = (node: string, byClient: ProxyStats['byClient']): ProxyStats => ({ ...emptyProxyStats(node), byClient })

const topology = {
  nodes: [{ name: 'node-a', address: '10.0.0.1' }, { name: 'node-b', address: '10.0.0.2' }],
  pods: [{ name: 'pod-1', node: 'node-a', address: '10.1.0.2', port: 8080, spec }, { name: 'pod-2', node: 'node-b', address: '10.1.1.2', port: 8080, spec }],
  clients: [{ node: 'node-b', address: '10.1.1.129', pod: null }, { node: 'node-a', address: '10.1.0.129', pod: null }, { node: 'node-a', address: '10.1.0.2', pod: 'pod-1' }],
}
const inCluster = resolveScenario({ name: 'x', cluster: { nodes: 2, replicas: 2 }, service: { type: 'ClusterIP' } }).variants[0]!
const external = resolveScenario({ name: 'x', cluster: { nodes: 2, replicas: 2 } }).variants[0]!
const pods = [
  // pod-1 (node-a): 30 from node-a's client pod, 10 from node-b's, 20 from node-a itself (SNATed), 5 from an unknown address.
  pod('pod-1', { '10.1.0.129': 30, '10.1.1.129': 10, '10.0.0.1': 20, '192.0.2.9': 5 }),
  // pod-2 (node-b): 10 from node-a's address (masqueraded there), 30 from node-b's client.
  pod('pod-2', { '10.0.0.1': 10, '10.1.1.129': 30 }),
]
const proxies = [proxy('node-a', { '10.1.0.2': { 'pod-1': 3, 'pod-2': 1 }, '10.1.0.129': { 'pod-1': 2 } }), proxy('node-b', { '10.1.1.129': { 'pod-1': 1, 'pod-2': 2 } })]

describe('sameNodeShares and clientsSummary', () => {
  it('count a pod\'s requests from its own node over those whose client\'s node is known', () => {
    expect(sameNodeShares({ variant: inCluster, topology, pods, proxies })).toEqual([0.833333, 0.75]) // 50/60 and 30/40, rounded to 6 decimals
    expect(clientsSummary({ variant: inCluster, topology, pods, proxies })).toEqual({
      from: 'cluster',
      clientPods: 'separate',
      byNode: { 'node-b': 1, 'node-a': 2 },
      nodeByClient: { '10.1.0.2': 'node-a', '10.1.0.129': 'node-a', '10.1.1.129': 'node-b' },
      sameNodeShare: 80 / 100,
      // pod-1's own address chose pod-1 three times.
      hairpinDecisions: 3,
    })
  })
  it('take your own server\'s from what each node\'s proxy sent it (the client\'s own node balanced it)', () => {
    const own = resolveScenario({ name: 'x', cluster: { nodes: 2, replicas: 2, pod: { command: 'node server.js' } }, service: { type: 'ClusterIP' } }).variants[0]!
    const sent: ProxyStats[] = [{ ...proxy('node-a', {}), requestsByPod: { 'pod-1': 30, 'pod-2': 10 } }, { ...proxy('node-b', {}), requestsByPod: { 'pod-1': 10 } }]
    expect(sameNodeShares({ variant: own, topology, pods: [], proxies: sent })).toEqual([0.75, 0])
  })
  it('say nothing of nodes for clients outside the cluster', () => {
    expect(sameNodeShares({ variant: external, topology, pods, proxies })).toEqual([null, null])
    expect(clientsSummary({ variant: external, topology, pods, proxies })).toEqual({ from: 'external', clientPods: null, byNode: {}, nodeByClient: {}, sameNodeShare: null, hairpinDecisions: 0 })
  })
})

describe('comparisonTable with in-cluster clients', () => {
  it('names the internal policy, the client pods per node, the same-node share and hairpin, and each pod\'s ⌂', () => {
    const base = { name: 'local', proxyMode: 'iptables', alias: null, ipvsScheduler: null, ipvsFlags: [], balancing: 'connection', sessionAffinity: 'None', externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Local', countedBy: 'pods', requests: { rps: 100 }, latencyMs: { p50: 1, p99: 2 }, errors: { total: 0, rate: 0 }, fairness: { jain: 1, maxOverMean: 1, decisions: [1, 1], fitsPrediction: null, unit: 'connections' }, stickiness: { clientsOnOnePod: 2, clients: 2, meanPodsPerClient: 1 }, sourceAddresses: { clientAddressesSeen: 2, nodeAddressesSeen: 0 }, loadBalancer: null, cpu: null, failover: [] }
    const local = { ...base, clients: { from: 'cluster', clientPods: 'separate', byNode: { 'node-a': 1, 'node-b': 1 }, nodeByClient: {}, sameNodeShare: 1, hairpinDecisions: 0 }, pods: [{ name: 'pod-1', node: 'node-a', share: 0.5, requests: 50, expectedShare: 0.5, sameNodeShare: 1 }] }
    const ext = { ...base, name: 'ext', internalTrafficPolicy: 'Cluster', clients: { from: 'external', clientPods: null, byNode: {}, nodeByClient: {}, sameNodeShare: null, hairpinDecisions: 0 }, pods: [{ name: 'pod-1', node: 'node-a', share: 0.5, requests: 50, expectedShare: 0.5, sameNodeShare: null }] }
    const self = { ...local, name: 'self', internalTrafficPolicy: 'Cluster', clients: { ...local.clients, clientPods: 'endpoints', sameNodeShare: 0.4, hairpinDecisions: 7 } }
    const text = comparisonTable({ variants: [local, ext, self] as unknown as VariantResult[] } as RunResult)
    expect(text).toMatch(/policy\s+internal Local\s+Cluster\s+internal Cluster/)
    expect(text).toMatch(/clients\s+pods: node-a 1, node-b 1\s+external\s+the pods: node-a 1, node-b 1/)
    expect(text).toMatch(/same-node share\s+100\.0%\s+-\s+40\.0% \(7 hairpin\)/)
    expect(text).toMatch(/pod-1 \(node-a\)\s+50\.0% 50 ~50\.0% ⌂100\.0%\s+50\.0% 50 ~50\.0%\s+/)
    expect(text).toMatch(/⌂ share of its requests from client pods on its own node\)/)
    // Without in-cluster clients, none of it.
    expect(comparisonTable({ variants: [ext] as unknown as VariantResult[] } as RunResult)).not.toMatch(/same-node|⌂/)
  })
})
