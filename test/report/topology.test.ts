/**
 * The topology view's layout (pure) on hand-built variants: 2 nodes, 3 pods, counts chosen so
 * that every link's figure is worked by hand below; then the charts it gives per variant.
 */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { topologyLayout, type Topology } from '../../harness/report/charts/topology-layout.ts'
import { topologyCharts } from '../../harness/report/charts/topology.ts'
import type { Chart } from '../../harness/report/charts/common.ts'
import type { RunResult, VariantResult } from '../../harness/model/results.ts'
import type { FailoverResult } from '../../harness/model/variant-parts.ts'

const base = (JSON.parse(fs.readFileSync(new URL('../fixtures/results/pod-crash-3-variants.json', import.meta.url), 'utf8')) as RunResult)

/**
 * node-a runs pod-1 and pod-2, node-b runs pod-3; 10 s measured. Under Cluster node-a's proxy
 * sent 30, 30 and 40 connections to pod-1, pod-2 and pod-3, node-b's 20 to each.
 */
function variant(o: Partial<VariantResult> & { byPod?: [Record<string, number>, Record<string, number>] | null } = {}): VariantResult {
  const v0 = base.variants[0]!
  const byPod = o.byPod === undefined ? [{ 'pod-1': 30, 'pod-2': 30, 'pod-3': 40 }, { 'pod-1': 20, 'pod-2': 20, 'pod-3': 20 }] : o.byPod
  const decisions = byPod === null ? [100, 60] : byPod.map((b) => Object.values(b).reduce((a, x) => a + x, 0))
  const pod = (name: string, node: string, requests: number, share: number) => ({ ...v0.pods[0]!, name, node, requests, share, expectedShare: 1 / 3 })
  const node = (name: string, i: number) => ({ name, address: `127.9.1.${i + 1}`, connections: decisions[i]!, decisions: decisions[i]!, ...(byPod === null ? {} : { byPod: byPod[i]! }) })
  const { byPod: _ignored, ...rest } = o
  return {
    ...v0,
    name: 'hand',
    durationSec: 10,
    externalTrafficPolicy: 'Cluster',
    balancing: 'connection',
    pods: [pod('pod-1', 'node-a', 100, 0.25), pod('pod-2', 'node-a', 100, 0.25), pod('pod-3', 'node-b', 200, 0.5)],
    nodes: [node('node-a', 0), node('node-b', 1)],
    failover: [],
    loadBalancer: null,
    clients: undefined,
    sourceAddresses: { clientAddressesSeen: 0, nodeAddressesSeen: 2 },
    ...rest,
  }
}

/** The links as `from → to: count (hop)`, sorted. */
function links(t: Topology): string[] {
  return t.links.map((l) => `${l.from} → ${l.to}: ${l.count} (${l.hop})`).sort()
}

const fault = (fault: FailoverResult['fault'], pods: string[], atSec: number): FailoverResult => ({ ...base.variants[0]!.failover[0]!, fault, pods, target: pods[0] ?? '', atSec })

describe('topology layout', () => {
  it('under Cluster draws the extra hop to the other node\'s pods as links of their own, with the proxies\' counts', () => {
    const t = topologyLayout(variant())
    expect(t.columns).toEqual(['clients', 'nodes', 'pods'])
    expect(links(t)).toEqual([
      'clients → node:node-a: 100 (to node)',
      'clients → node:node-b: 60 (to node)',
      'node:node-a → pod:pod-1: 30 (same node)',
      'node:node-a → pod:pod-2: 30 (same node)',
      'node:node-a → pod:pod-3: 40 (cross-node)',
      'node:node-b → pod:pod-1: 20 (cross-node)',
      'node:node-b → pod:pod-2: 20 (cross-node)',
      'node:node-b → pod:pod-3: 20 (same node)',
    ])
    // Width is per second of the 10 s measured phase: 40 connections → 4/s.
    expect(t.links.find((l) => l.to === 'pod:pod-3' && l.from === 'node:node-a')!.perSec).toBe(4)
    expect(t.links.every((l) => !l.estimated)).toBe(true)
    // The pods saw node addresses only: every node → pod link is SNATed; the clients reach the nodes from their own.
    expect(new Set(t.links.filter((l) => l.hop !== 'to node').map((l) => l.source))).toEqual(new Set(['SNAT to a node address']))
    expect(new Set(t.links.filter((l) => l.hop === 'to node').map((l) => l.source))).toEqual(new Set(['client address kept']))
  })
  it('under Local has no cross-node link, and the pods keep the client address', () => {
    const t = topologyLayout(variant({ externalTrafficPolicy: 'Local', byPod: [{ 'pod-1': 50, 'pod-2': 50 }, { 'pod-3': 60 }], sourceAddresses: { clientAddressesSeen: 32, nodeAddressesSeen: 0 } }))
    expect(t.links.filter((l) => l.hop === 'cross-node')).toEqual([])
    expect(links(t).filter((l) => l.startsWith('node:'))).toEqual(['node:node-a → pod:pod-1: 50 (same node)', 'node:node-a → pod:pod-2: 50 (same node)', 'node:node-b → pod:pod-3: 60 (same node)'])
    expect(new Set(t.links.map((l) => l.source))).toEqual(new Set(['client address kept']))
  })
  it('tells the source address the pods saw as measured, and falls back on the policy only when they saw none', () => {
    const pods = (t: Topology) => [...new Set(t.links.filter((l) => l.from.startsWith('node:')).map((l) => l.source))]
    // Measured beats the policy: Cluster, yet the pods saw client addresses (e.g. a dataplane that did not masquerade).
    expect(pods(topologyLayout(variant({ sourceAddresses: { clientAddressesSeen: 5, nodeAddressesSeen: 0 } })))).toEqual(['client address kept'])
    expect(pods(topologyLayout(variant({ sourceAddresses: { clientAddressesSeen: 5, nodeAddressesSeen: 2 } })))).toEqual(['client and node addresses seen'])
    // Nothing seen (command pods count nothing): Cluster predicts SNAT, and the subtitle says it is a prediction.
    const none = topologyLayout(variant({ sourceAddresses: { clientAddressesSeen: 0, nodeAddressesSeen: 0 } }))
    expect(pods(none)).toEqual(['SNAT to a node address'])
    expect(none.notes[0]).toContain('what the policy predicts')
  })
  it('without per-node counts (older results) estimates the split from the pods\' requests, and says so', () => {
    // node-a's 100 decisions over pods with 100, 100 and 200 requests: 25, 25, 50.
    const cluster = topologyLayout(variant({ byPod: null }))
    expect(links(cluster).filter((l) => l.startsWith('node:node-a'))).toEqual(['node:node-a → pod:pod-1: 25 (same node)', 'node:node-a → pod:pod-2: 25 (same node)', 'node:node-a → pod:pod-3: 50 (cross-node)'])
    expect(cluster.links.filter((l) => l.hop === 'cross-node').every((l) => l.estimated)).toBe(true)
    expect(cluster.notes.join(' ')).toContain('estimated')
    // Under Local only the node's own pods: node-a's 100 over pod-1 and pod-2 (100 requests each).
    const local = topologyLayout(variant({ byPod: null, externalTrafficPolicy: 'Local' }))
    expect(links(local).filter((l) => l.startsWith('node:'))).toEqual(['node:node-a → pod:pod-1: 50 (same node)', 'node:node-a → pod:pod-2: 50 (same node)', 'node:node-b → pod:pod-3: 60 (same node)'])
  })
  it('marks a killed pod as taken out, and a recovered one no more', () => {
    const killed = topologyLayout(variant({ failover: [fault('kill-pod', ['pod-2'], 3.004)] }))
    const pod2 = killed.boxes.find((b) => b.id === 'pod:pod-2')!
    expect(pod2).toMatchObject({ down: true, status: 'killed at 3.0 s' })
    expect(killed.boxes.filter((b) => b.down).map((b) => b.id)).toEqual(['pod:pod-2'])
    const back = topologyLayout(variant({ failover: [fault('kill-pod', ['pod-2'], 3), fault('recover-pod', ['pod-2'], 9.3), fault('fail-pod', ['pod-1'], 9.5)] }))
    expect(back.boxes.find((b) => b.id === 'pod:pod-2')).toMatchObject({ down: false, status: 'killed at 3.0 s, recovered at 9.3 s' })
    expect(back.boxes.find((b) => b.id === 'pod:pod-1')).toMatchObject({ down: false, status: 'failing (5xx) at 9.5 s' })
  })
  it('puts the predicted share beside the measured one on every pod', () => {
    const t = topologyLayout(variant())
    expect(t.boxes.filter((b) => b.kind === 'pod').map((b) => [b.label, b.share, b.expectedShare])).toEqual([
      ['pod-1', 0.25, 1 / 3],
      ['pod-2', 0.25, 1 / 3],
      ['pod-3', 0.5, 1 / 3],
    ])
  })
  it('draws the load balancer between clients and nodes, SNATed when it connects from its own address', () => {
    const v = variant({ loadBalancer: { preset: 'aws-clb', algorithm: 'round-robin', preserveClientIp: false, allUnhealthy: 'fail-open', tls: false, healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 }, byNode: { 'node-a': 100, 'node-b': 60 }, refused: 0, events: [] } })
    const t = topologyLayout(v)
    expect(t.columns).toEqual(['clients', 'load balancer', 'nodes', 'pods'])
    expect(links(t).filter((l) => !l.startsWith('node:'))).toEqual(['clients → lb: 160 (to LB)', 'lb → node:node-a: 100 (to node)', 'lb → node:node-b: 60 (to node)'])
    expect(t.links.find((l) => l.from === 'lb')!.source).toBe('SNAT to the LB address')
  })
  it('counts flows on every link of a UDP Service behind the NLB (and connections for results without lb.unit)', () => {
    const lb = { preset: 'aws-nlb', algorithm: 'flow-hash', preserveClientIp: true, allUnhealthy: 'fail-open' as const, tls: false, healthCheck: { intervalSeconds: 1, timeoutSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 }, byNode: { 'node-a': 100, 'node-b': 60 }, refused: 3, events: [] }
    const udp = { sourcePort: 'fixed', flows: 160, clients: [], clientsOnOnePod: 0, pods: [] } as unknown as VariantResult['udp']
    const t = topologyLayout(variant({ loadBalancer: { ...lb, unit: 'flows' }, udp }))
    expect(new Set(t.links.map((l) => l.unit))).toEqual(new Set(['flows']))
    expect(t.boxes.find((b) => b.kind === 'lb')!.detail).toBe('flow-hash, keeps the client address; 3 datagrams refused')
    expect(t.notes[0]).toMatch(/^externalTrafficPolicy Cluster; flows per second \(line width\); pods saw 0 client and 2 node addresses as UDP source/)
    const old = topologyLayout(variant({ loadBalancer: lb }))
    expect(new Set(old.links.map((l) => l.unit))).toEqual(new Set(['connections']))
    expect(old.boxes.find((b) => b.kind === 'lb')!.detail).toBe('flow-hash, keeps the client address; 3 refused')
  })
  it('draws in-cluster client pods on their own node', () => {
    const t = topologyLayout(variant({ clients: { from: 'cluster', clientPods: 'separate', byNode: { 'node-b': 3 }, nodeByClient: {}, sameNodeShare: null, hairpinDecisions: 0 }, sourceAddresses: { clientAddressesSeen: 3, nodeAddressesSeen: 0 } }))
    expect(t.columns[0]).toBe('client pods')
    expect(t.boxes.filter((b) => b.kind === 'clients').map((b) => b.label)).toEqual(['3 client pods'])
    expect(links(t).filter((l) => l.startsWith('clients'))).toEqual(['clients:node-b → node:node-b: 60 (to node)'])
  })
  it('aggregates the pods per node past the limit, and says so', () => {
    const t = topologyLayout(variant(), { maxPods: 2 })
    expect(t.boxes.filter((b) => b.kind === 'pods').map((b) => [b.label, b.share])).toEqual([['2 pods', 0.5], ['1 pod', 0.5]])
    expect(links(t).filter((l) => l.startsWith('node:node-a'))).toEqual(['node:node-a → pods:node-a: 60 (same node)', 'node:node-a → pods:node-b: 40 (cross-node)'])
    expect(t.notes.join(' ')).toContain('one box per node')
  })
})

describe('topology charts', () => {
  it('give one chart per variant, named for it (file-safe, numbered on a collision), with one width scale for the run', () => {
    const r: RunResult = { ...base, variants: [variant({ name: 'a b/c' }), variant({ name: 'a-b-c' }), variant({ name: 'x', byPod: [{ 'pod-1': 300 }, { 'pod-3': 60 }] })] }
    const charts = topologyCharts(r) as Chart[]
    expect(charts.map((c) => c.name)).toEqual(['topology-a-b-c', 'topology-a-b-c-2', 'topology-x'])
    const widthDomains = charts.map((c) => JSON.stringify((c.spec as { layer: { encoding: { strokeWidth?: { scale: { domain: number[] } } } }[] }).layer[0]!.encoding.strokeWidth!.scale.domain))
    // The widest link of the run: variant x's node-a → pod-1, 300 in 10 s.
    expect(new Set(widthDomains)).toEqual(new Set([JSON.stringify([0, 30])]))
  })
})
