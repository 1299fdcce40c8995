import { describe, expect, it } from 'vitest'
import { predictShares, decisionUnit, type PredictInput, type PredictPod } from '../../harness/stats/predict.ts'

const pod = (name: string, node: string, weight = 1, behaviourKey = 'same'): PredictPod => ({ name, node, weight, behaviourKey, address: `127.9.2.${name.slice(4)}`, port: 8080 })
const base: Omit<PredictInput, 'pods' | 'nodes'> = {
  algorithm: 'random',
  flags: {},
  hashSeed: 1,
  balancing: 'connection',
  sessionAffinity: false,
  externalTrafficPolicy: 'Cluster',
}
const node = (name: string, decisions: number, clients: string[] = []) => ({ name, address: `127.9.1.${name === 'node-a' ? 1 : 2}`, decisions, clients })

describe('decisionUnit', () => {
  it.each([
    [{ algorithm: 'random', flags: {}, balancing: 'connection', sessionAffinity: false }, 'connections'],
    [{ algorithm: 'random', flags: {}, balancing: 'request', sessionAffinity: false }, 'requests'],
    [{ algorithm: 'ip-hash', flags: {}, balancing: 'connection', sessionAffinity: false }, 'clients'],
    [{ algorithm: 'ip-hash', flags: { hashPort: true }, balancing: 'connection', sessionAffinity: false }, 'connections'],
    [{ algorithm: 'maglev', flags: {}, balancing: 'request', sessionAffinity: false }, 'clients'],
    [{ algorithm: 'round-robin', flags: {}, balancing: 'connection', sessionAffinity: true }, 'clients'],
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
  it('ignores weight-0 pods and withholds a prediction for load-aware schedulers over different pods', () => {
    const p = predictShares({ ...base, pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-a', 0)], nodes: [node('node-a', 10)] })
    expect(p.expectedShares).toEqual([1, 0])
    const lc = predictShares({ ...base, algorithm: 'least-conn', pods: [pod('pod-1', 'node-a', 1, 'fast'), pod('pod-2', 'node-a', 1, 'slow')], nodes: [node('node-a', 10)] })
    expect(lc.expectedShares).toBeNull()
    const lcSame = predictShares({ ...base, algorithm: 'least-conn', pods: [pod('pod-1', 'node-a'), pod('pod-2', 'node-a')], nodes: [node('node-a', 10)] })
    expect(lcSame.expectedShares).toEqual([0.5, 0.5])
  })
  it('destination-hash sends each node to one pod', () => {
    const pods = Array.from({ length: 4 }, (_, i) => pod(`pod-${i + 1}`, 'node-a'))
    const p = predictShares({ ...base, algorithm: 'destination-hash', pods, nodes: [node('node-a', 100)] })
    expect(p.expectedCounts!.filter((c) => c > 0)).toEqual([100])
  })
})
