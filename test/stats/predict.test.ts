import { describe, expect, it } from 'vitest'
import { predictShares, decisionUnit, type NodeDecisions, type PredictInput, type PredictPod } from '../../harness/stats/predict.ts'

const pod = (name: string, node: string, weight = 1, behaviourKey = 'same'): PredictPod => ({ name, node, weight, behaviourKey, address: `127.9.2.${name.slice(4)}`, port: 8080 })
const base: Omit<PredictInput, 'pods' | 'nodes'> = {
  algorithm: 'random',
  flags: {},
  hashSeed: 1,
  balancing: 'connection',
  sessionAffinity: false,
  externalTrafficPolicy: 'Cluster',
}
const node = (name: string, decisions: number, clients: string[] = [], extra: Partial<NodeDecisions> = {}) => ({ name, address: `127.9.1.${name === 'node-a' ? 1 : 2}`, decisions, clients, ...extra })

describe('decisionUnit', () => {
  it.each([
    [{ algorithm: 'random', flags: {}, balancing: 'connection', sessionAffinity: false }, 'connections'],
    [{ algorithm: 'random', flags: {}, balancing: 'request', sessionAffinity: false }, 'requests'],
    [{ algorithm: 'ip-hash', flags: {}, balancing: 'connection', sessionAffinity: false }, 'clients'],
    [{ algorithm: 'ip-hash', flags: { hashPort: true }, balancing: 'connection', sessionAffinity: false }, 'connections'],
    [{ algorithm: 'maglev', flags: {}, balancing: 'request', sessionAffinity: false }, 'clients'],
    [{ algorithm: 'round-robin', flags: {}, balancing: 'connection', sessionAffinity: true }, 'clients'],
    [{ algorithm: 'random', flags: {}, balancing: 'connection', sessionAffinity: false, protocol: 'UDP' }, 'flows'],
    [{ algorithm: 'random', flags: {}, balancing: 'connection', sessionAffinity: true, protocol: 'UDP' }, 'clients'],
    [{ algorithm: 'random', flags: {}, balancing: 'connection', sessionAffinity: false, protocol: 'TCP' }, 'connections'],
  ] as const)('%j → %s', (i, unit) => expect(decisionUnit(i)).toBe(unit))
})

describe('predictShares', () => {
  it('Local with 2 pods on one node and 1 on the other, clients evenly over nodes → 25/25/50', () => {
    const p = predictShares({
      ...base,
      externalTrafficPolicy: 'Local',
      pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-b'), pod('pod-3', 'node-a')],
      nodes: [node('node-a', 500), node('node-b', 500)],
    })
    expect(p.expectedShares).toEqual([0.25, 0.5, 0.25])
    expect(p.unit).toBe('connections')
  })
  it('Cluster spreads every node over every pod', () => {
    const p = predictShares({ ...base, pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-b'), pod('pod-3', 'node-a')], nodes: [node('node-a', 900), node('node-b', 100)] })
    expect(p.expectedShares!.map((x) => Number(x.toFixed(6)))).toEqual([0.333333, 0.333333, 0.333333])
  })
  it('weights under wrr, exact', () => {
    const p = predictShares({ ...base, algorithm: 'weighted-round-robin', pods: [pod('pod-1', 'node-a', 3), pod('pod-2', 'node-a', 1)], nodes: [node('node-a', 400)] })
    expect(p.expectedCounts).toEqual([300, 100])
  })
  it('round robin per node with few keep-alive connections: the exact split', () => {
    // 22 connections over 6 pods at one node: pods 1-4 get 4, pods 5-6 get 3.
    const pods = Array.from({ length: 6 }, (_, i) => pod(`pod-${i + 1}`, 'node-a'))
    const p = predictShares({ ...base, algorithm: 'round-robin', pods, nodes: [node('node-a', 22)] })
    expect(p.expectedCounts).toEqual([4, 4, 4, 4, 3, 3])
  })
  it('ip-hash places each client address by its bucket', () => {
    const pods = Array.from({ length: 3 }, (_, i) => pod(`pod-${i + 1}`, 'node-a'))
    const clients = Array.from({ length: 30 }, (_, k) => `127.9.128.${k + 1}`)
    const p = predictShares({ ...base, algorithm: 'ip-hash', pods, nodes: [node('node-a', 999, clients)] })
    expect(p.unit).toBe('clients')
    expect(p.expectedCounts!.reduce((a, b) => a + b, 0)).toBe(30)
    // By hand (ip_vs_sh.c): 3 pods of weight 1 fill the 256 buckets in turn, bucket b → pod (b mod 3) + 1.
    // Client k = 127.9.128.k = 0x7f098000 + k; its bucket is the top byte of (0x7f098000 + k) · G mod 2^32,
    // G = 0x61c88647, and 0x7f098000 · G ≡ 0x34a28000, so each next client adds G (≈ 97.8 buckets):
    // k =  1..10: 150 248  89 187  29 127 225  66 164   6 → mod 3: 0 2 2 1 2 1 0 0 2 0
    // k = 11..20: 104 202  43 141 239  81 178  20 118 216 → mod 3: 2 1 1 0 2 0 1 2 1 0
    // k = 21..30:  58 155 253  95 193  35 132 230  72 170 → mod 3: 1 2 1 2 1 2 0 2 0 2
    // pod-1 (0): 9 clients, pod-2 (1): 9, pod-3 (2): 12.
    expect(p.expectedCounts).toEqual([9, 9, 12])
  })
  it('ignores weight-0 pods, and withholds a prediction for load-aware schedulers unless the node never held two connections at once', () => {
    const p = predictShares({ ...base, pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-a', 0)], nodes: [node('node-a', 10)] })
    expect(p.expectedShares).toEqual([1, 0])
    const lc = predictShares({ ...base, algorithm: 'least-conn', pods: [pod('pod-1', 'node-a', 1, 'fast'), pod('pod-2', 'node-a', 1, 'slow')], nodes: [node('node-a', 10)] })
    expect(lc.expectedShares).toBeNull()
    const lcSame = predictShares({ ...base, algorithm: 'least-conn', pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-a')], nodes: [node('node-a', 10, [], { peakConnections: 1 })] })
    expect(lcSame.expectedShares).toEqual([0.5, 0.5])
  })
  it('destination-hash sends each node to one pod', () => {
    const pods = Array.from({ length: 4 }, (_, i) => pod(`pod-${i + 1}`, 'node-a'))
    const p = predictShares({ ...base, algorithm: 'destination-hash', pods, nodes: [node('node-a', 100)] })
    expect(p.expectedCounts!.filter((c) => c > 0)).toEqual([100])
  })
  it('round robin follows each node’s own list order (ipvs: the kernel’s, head first)', () => {
    // 4 connections over 3 pods from the head of [pod-3, pod-2, pod-1]: pod-3 twice, then pod-2, pod-1.
    const pods = Array.from({ length: 3 }, (_, i) => pod(`pod-${i + 1}`, 'node-a'))
    const p = predictShares({ ...base, algorithm: 'round-robin', pods, nodes: [node('node-a', 4, [], { realServers: ['pod-3', 'pod-2', 'pod-1'] })] })
    expect(p.expectedCounts).toEqual([1, 1, 2])
  })
})

describe('predictShares for lc, wlc, sed and nq (no replay of the scheduler)', () => {
  const serialNode = (extra: Partial<NodeDecisions> = {}) => node('node-a', 400, [], { peakConnections: 1, ...extra })
  const three = (w: number[]) => w.map((x, i) => pod(`pod-${i + 1}`, 'node-a', x))
  it('one connection at a time, no entry lapsing: lc rotates (1/n each), wlc follows the weights', () => {
    // lc's cost (active << 8) + inactive is 0 active + the picks so far: the fewest wins, so n/k each.
    const lc = predictShares({ ...base, algorithm: 'least-conn', pods: three([3, 1, 1]), nodes: [serialNode()] })
    lc.expectedShares!.forEach((x) => expect(x).toBeCloseTo(1 / 3, 12))
    // wlc: picks so far / weight, the smallest wins: picks follow the weights 3 : 1.
    expect(predictShares({ ...base, algorithm: 'weighted-least-conn', pods: three([3, 1]).slice(0, 2), nodes: [serialNode()] }).expectedCounts).toEqual([300, 100])
  })
  it('sed and nq ignore inactive entries: every pick the same pod (sed: the largest weight; nq: the first listed)', () => {
    // sed: (0 + 1)/w is smallest for w = 2; pod-2 and pod-3 tie, the first in list order wins.
    expect(predictShares({ ...base, algorithm: 'shortest-expected-delay', pods: three([1, 2, 2]), nodes: [serialNode()] }).expectedCounts).toEqual([0, 400, 0])
    // nq: every pod idle, the first listed: pod-3 at the head of the node's list.
    const nq = predictShares({ ...base, algorithm: 'never-queue', pods: three([1, 1, 1]), nodes: [serialNode({ realServers: ['pod-3', 'pod-1', 'pod-2'] })] })
    expect(nq.expectedCounts).toEqual([0, 0, 400])
  })
  it('none under concurrent connections, in request mode, with persistence, or when TIME_WAIT entries lapse within the run; the basis says why', () => {
    const lc = { ...base, algorithm: 'least-conn' as const, pods: three([1, 1, 1]) }
    const concurrent = predictShares({ ...lc, nodes: [serialNode({ peakConnections: 8 })] })
    expect(concurrent.expectedShares).toBeNull()
    expect(concurrent.basis).toMatch(/under concurrent connections \(node-a held 8 at once\)/)
    expect(predictShares({ ...lc, balancing: 'request', nodes: [serialNode()] }).basis).toMatch(/request mode/)
    expect(predictShares({ ...lc, sessionAffinity: true, nodes: [serialNode({ clients: ['127.9.128.1'] })] }).basis).toMatch(/persistence/)
    expect(predictShares({ ...lc, runMs: 180_000, nodes: [serialNode()] }).basis).toMatch(/TIME_WAIT/)
  })
})
