/** Seeded statistical and exact tests of every kube-proxy mode and IPVS scheduler. */
import { describe, expect, it } from 'vitest'
import type { Balancer } from '../../harness/balancers/types.ts'
import { createBalancer, algorithmFor } from '../../harness/balancers/registry.ts'
import { createIpHash, buildShTable } from '../../harness/balancers/ip-hash.ts'
import { createMaglev, buildMaglevTable, MH_TAB_SIZE } from '../../harness/balancers/maglev.ts'
import { createDestinationHash } from '../../harness/balancers/destination-hash.ts'
import { createWeightedRoundRobin } from '../../harness/balancers/weighted-round-robin.ts'
import { createWeightedLeastConn } from '../../harness/balancers/weighted-least-conn.ts'
import { createShortestExpectedDelay } from '../../harness/balancers/shortest-expected-delay.ts'
import { createNeverQueue } from '../../harness/balancers/never-queue.ts'
import { createUserspace } from '../../harness/balancers/userspace.ts'
import { withSessionAffinity } from '../../harness/balancers/session-affinity.ts'
import { chiSquaredP } from '../../harness/stats/fairness.ts'
import { createRng } from '../../harness/util/rng.ts'
import { type Endpoint, IPVS_SCHEDULERS, ALGORITHM_NAMES } from '../../harness/model/kube-proxy.ts'

const eps = (n: number, weights?: number[]): Endpoint[] =>
  Array.from({ length: n }, (_, i) => ({ name: `pod-${i + 1}`, address: `127.9.2.${i + 1}`, port: 8080, node: 'node-a', weight: weights?.[i] ?? 1 }))
const client = (k: number) => `127.9.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`
const ctx = (clientIp = '127.9.128.1', clientPort = 40000, localIp = '127.9.1.1') => ({ clientIp, clientPort, localIp })

function counts(b: Balancer, n: number, names: string[], mk: (k: number) => ReturnType<typeof ctx> = () => ctx()): number[] {
  const c = new Map<string, number>()
  for (let k = 0; k < n; k++) {
    const ep = b.pick(mk(k))
    if (ep) c.set(ep.name, (c.get(ep.name) ?? 0) + 1)
  }
  return names.map((x) => c.get(x) ?? 0)
}
const names = (n: number) => eps(n).map((e) => e.name)

describe('algorithmFor', () => {
  it('maps kube-proxy modes and schedulers to algorithms', () => {
    expect(algorithmFor('iptables')).toBe('random')
    expect(algorithmFor('nftables')).toBe('nftables')
    expect(algorithmFor('userspace')).toBe('userspace')
    expect(IPVS_SCHEDULERS.map((s) => algorithmFor('ipvs', s))).toEqual([
      'round-robin', 'weighted-round-robin', 'least-conn', 'weighted-least-conn', 'ip-hash', 'destination-hash', 'shortest-expected-delay', 'never-queue', 'maglev',
    ])
  })
  it('never picks a weight-0 (quiesced) endpoint for a new connection, whatever the algorithm', () => {
    for (const a of ALGORITHM_NAMES) {
      const b = createBalancer(a, { rng: createRng(3), flags: { fallback: true } })
      b.update(eps(3, [1, 0, 1]))
      for (let k = 0; k < 300; k++) expect(b.pick(ctx(client(k), k, client(k % 7)))?.name).not.toBe('pod-2')
    }
  })
})

/** An rng that returns `draws` in order (and fails the test if asked for more). */
function scripted(draws: number[]): () => number {
  let i = 0
  return () => {
    const d = draws[i++]
    if (d === undefined) throw new Error(`rng asked for draw ${i}, only ${draws.length} scripted`)
    return d
  }
}

describe.each([
  ['random', 'iptables'],
  ['nftables', 'nftables'],
] as const)('%s (%s mode)', (algorithm, _mode) => {
  const weighted = eps(6, [5, 1, 1, 1, 1, 1])
  const run = () => {
    const b = createBalancer(algorithm, { rng: createRng(42) })
    b.update(weighted)
    return counts(b, 60_000, names(6))
  }
  it('connection counts fit uniform (χ², seed 42, 60k picks) and ignore weights', () => {
    expect(chiSquaredP(run(), new Array(6).fill(1 / 6))).toBeGreaterThan(0.01)
  })
  it('the same picks are rejected against the weighted split and against a split 5% off uniform', () => {
    const c = run()
    // Weights 5,1,1,1,1,1 would give pod-1 half the connections: these modes ignore weights.
    expect(chiSquaredP(c, [5, 1, 1, 1, 1, 1].map((w) => w / 10))).toBeLessThan(0.01)
    // pod-1 at 1.05/6 and the others at 0.99/6: 60k picks are enough to tell that from uniform.
    expect(chiSquaredP(c, [1.05, 0.99, 0.99, 0.99, 0.99, 0.99].map((x) => x / 6))).toBeLessThan(0.01)
  })
})

describe('createRandom (iptables mode): the rule chain, one draw per rule tried', () => {
  // pkg/proxy/iptables/proxier.go writes, for endpoint i of n, `-m statistic --mode random
  // --probability 1/(n−i)` (the last rule has none); a rule matches when its draw is below that.
  it.each([
    [[0.2], 'pod-1'], // rule 0: 0.2 < 1/3
    [[0.5, 0.4], 'pod-2'], // rule 0: 0.5 ≥ 1/3; rule 1: 0.4 < 1/2
    [[0.9, 0.6], 'pod-3'], // neither 0.9 < 1/3 nor 0.6 < 1/2: the last rule always matches (no third draw)
  ])('draws %j over 3 endpoints → %s', (draws, pod) => {
    const b = createBalancer('random', { rng: scripted(draws) })
    b.update(eps(3))
    expect(b.pick(ctx())?.name).toBe(pod)
  })
})

describe('createNftables (nftables mode): one draw, numgen random mod N', () => {
  // pkg/proxy/nftables/proxier.go: `numgen random mod N vmap { 0 : goto ep0, … }`; nft_numgen.c
  // takes reciprocal_scale(random u32, N) = floor(draw · N).
  it.each([
    [0, 'pod-1'],
    [0.15, 'pod-1'], // floor(0.9) = 0: index 0 takes draws in [0, 1/6)
    [0.5, 'pod-4'], // floor(0.5 · 6) = 3
    [0.99, 'pod-6'], // floor(5.94) = 5
  ])('draw %d over 6 endpoints → %s', (draw, pod) => {
    const b = createBalancer('nftables', { rng: scripted([draw]) })
    b.update(eps(6))
    expect(b.pick(ctx())?.name).toBe(pod)
  })
})

describe('createWeightedRoundRobin (ipvs wrr)', () => {
  it('gives each endpoint exactly weight/gcd picks per cycle, interleaved', () => {
    const b = createWeightedRoundRobin()
    b.update(eps(3, [4, 2, 6]))
    const seq = Array.from({ length: 6 }, () => b.pick(ctx())?.name)
    // cw = 6: pod-3; cw = 4: pod-1, pod-3; cw = 2: pod-1, pod-2, pod-3
    expect(seq).toEqual(['pod-3', 'pod-1', 'pod-3', 'pod-1', 'pod-2', 'pod-3'])
    expect(counts(b, 600, names(3))).toEqual([200, 100, 300])
  })
})

describe('connection-aware schedulers', () => {
  it('wlc spreads held connections in proportion to weight', () => {
    const b = createWeightedLeastConn()
    b.update(eps(2, [3, 1]))
    expect(counts(b, 400, names(2))).toEqual([300, 100])
  })
  it('sed picks the smallest (active + 1)/weight; nq takes an idle endpoint first', () => {
    const sed = createShortestExpectedDelay()
    sed.update(eps(2, [3, 1]))
    // (0+1)/3 < (0+1)/1 → pod-1; (1+1)/3 < 1 → pod-1; (2+1)/3 = 1 = (0+1)/1 → first: pod-1; then (3+1)/3 > 1 → pod-2
    expect(Array.from({ length: 4 }, () => sed.pick(ctx())?.name)).toEqual(['pod-1', 'pod-1', 'pod-1', 'pod-2'])
    const nq = createNeverQueue()
    nq.update(eps(2, [3, 1]))
    expect(Array.from({ length: 3 }, () => nq.pick(ctx())?.name)).toEqual(['pod-1', 'pod-2', 'pod-1'])
  })
})

describe('createDestinationHash (ipvs dh)', () => {
  it('sends every connection to one destination address to one endpoint', () => {
    const b = createDestinationHash()
    b.update(eps(6))
    for (const dest of ['127.9.1.1', '127.9.1.2', '127.9.1.3']) {
      const picks = new Set(Array.from({ length: 50 }, (_, k) => b.pick(ctx(client(k), k, dest))?.name))
      expect(picks.size).toBe(1)
    }
  })
})

describe('createIpHash (ipvs sh) flags and failover', () => {
  const six = eps(6)
  const clients = Array.from({ length: 1000 }, (_, k) => client(k))
  it('with sh-fallback, quiescing one endpoint moves only its own clients', () => {
    const b = createIpHash({ flags: { fallback: true } })
    b.update(six)
    const before = clients.map((c) => b.pick(ctx(c))?.name)
    b.update(six.map((e) => (e.name === 'pod-6' ? { ...e, weight: 0 } : e)))
    const after = clients.map((c) => b.pick(ctx(c))?.name)
    const moved = clients.filter((_, k) => before[k] !== after[k])
    expect(moved.length).toBeGreaterThan(0)
    expect(clients.every((_, k) => before[k] === after[k] || before[k] === 'pod-6')).toBe(true)
    expect(after.every((p) => p !== undefined && p !== 'pod-6')).toBe(true)
  })
  it('without sh-fallback, a quiesced endpoint’s clients get no endpoint; the others stay', () => {
    const b = createIpHash()
    b.update(six)
    const before = clients.map((c) => b.pick(ctx(c))?.name)
    b.update(six.map((e) => (e.name === 'pod-6' ? { ...e, weight: 0 } : e)))
    clients.forEach((c, k) => expect(b.pick(ctx(c))?.name).toBe(before[k] === 'pod-6' ? undefined : before[k]))
  })
  it('keeps a quiesced endpoint’s buckets in the table (weight 0 takes one bucket per round)', () => {
    const t = buildShTable(eps(3, [1, 0, 1]))
    expect(t.filter((e) => e?.name === 'pod-2')).toHaveLength(85)
  })
  it('with sh-port, one address spreads over endpoints by source port', () => {
    const b = createIpHash({ flags: { hashPort: true } })
    b.update(six)
    const c = counts(b, 6000, names(6), (k) => ctx('127.9.128.1', 20000 + k))
    expect(c.every((x) => x > 500)).toBe(true)
  })
})

describe('createMaglev (ipvs mh)', () => {
  const ten = eps(10)
  const clients = Array.from({ length: 20_000 }, (_, k) => client(k))
  it('fills all M slots, about M/n each', () => {
    const t = buildMaglevTable(ten, 7)
    expect(t.every((e) => e !== undefined)).toBe(true)
    for (const ep of ten) {
      const share = t.filter((e) => e === ep).length / MH_TAB_SIZE
      expect(share).toBeGreaterThan(0.08)
      expect(share).toBeLessThan(0.12)
    }
  })
  it('gives slots in proportion to weight', () => {
    const t = buildMaglevTable(eps(2, [2, 1]), 7)
    const first = t.filter((e) => e?.name === 'pod-1').length / MH_TAB_SIZE
    expect(first).toBeCloseTo(2 / 3, 2)
  })
  it('removing one of 10 endpoints moves its clients and only a few others (disruption near 1/n)', () => {
    const b = createMaglev({ seed: 7 })
    b.update(ten)
    const before = clients.map((c) => b.pick(ctx(c))?.name)
    b.update(ten.filter((e) => e.name !== 'pod-10'))
    const after = clients.map((c) => b.pick(ctx(c))?.name)
    const movedTotal = clients.filter((_, k) => before[k] !== after[k]).length / clients.length
    const movedOthers = clients.filter((_, k) => before[k] !== 'pod-10' && before[k] !== after[k]).length / clients.length
    expect(movedTotal).toBeGreaterThan(0.08) // pod-10's own ~1/10
    expect(movedTotal).toBeLessThan(0.15)
    expect(movedOthers).toBeLessThan(0.03)
  })
  it('sends a client to the same pod through any node: two nodes\' balancers, built apart, agree (IPVS mh keys are constants)', () => {
    // generate_hash_secret (ip_vs_mh.c) sets the hsiphash keys to fixed values, so each node's kube-proxy
    // builds the same table from the same endpoints: a client reaching node a or node b gets the same
    // pod. (Keys drawn at random per node would send most clients to different pods.)
    const nodeA = createMaglev({ seed: 7 })
    const nodeB = createMaglev({ seed: 7 })
    nodeA.update(ten)
    nodeB.update(ten.map((e) => ({ ...e })))
    const sample = clients.slice(0, 2000)
    const viaA = sample.map((c) => nodeA.pick(ctx(c, 40000, '127.9.1.1'))?.name)
    const viaB = sample.map((c) => nodeB.pick(ctx(c, 40000, '127.9.1.2'))?.name)
    expect(new Set(viaA).size).toBe(10)
    expect(viaB).toEqual(viaA)
  })
})

describe('createUserspace', () => {
  it('is round robin that retries on connect failure', () => {
    const b = createUserspace()
    b.update(eps(3))
    expect(b.retryOnConnectFailure).toBe(true)
    expect(Array.from({ length: 4 }, () => b.pick(ctx())?.name)).toEqual(['pod-1', 'pod-2', 'pod-3', 'pod-1'])
  })
})

describe('withSessionAffinity (ClientIP)', () => {
  function setup(timeoutSeconds = 10) {
    let now = 0
    const inner = createBalancer('round-robin', { rng: createRng(1) })
    const b = withSessionAffinity(inner, { timeoutSeconds, now: () => now })
    b.update(eps(3))
    return { b, tick: (ms: number) => (now += ms) }
  }
  it('keeps a client address on its endpoint while the entry is fresh', () => {
    const { b, tick } = setup()
    const first = b.pick(ctx('127.9.128.1'))
    for (let i = 0; i < 20; i++) {
      tick(5_000) // each connection restarts the 10 s timer
      expect(b.pick(ctx('127.9.128.1'))).toBe(first)
    }
  })
  it('balances afresh after the timeout without a connection', () => {
    const { b, tick } = setup()
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1')
    expect(b.pick(ctx('127.9.128.2'))?.name).toBe('pod-2')
    tick(10_001)
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-3')
  })
  it('holds exactly at the timeout and expires just after', () => {
    const { b, tick } = setup(1)
    const first = b.pick(ctx('127.9.128.1'))
    tick(1000)
    expect(b.pick(ctx('127.9.128.1'))).toBe(first)
    tick(1001)
    expect(b.pick(ctx('127.9.128.1'))).not.toBe(first)
  })
  it('re-balances a client whose endpoint went away', () => {
    const { b } = setup()
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1')
    b.update(eps(3).slice(1))
    expect(b.pick(ctx('127.9.128.1'))?.name).not.toBe('pod-1')
  })
  it('counts affinity connections for least-conn', () => {
    const inner = createBalancer('least-conn', { rng: createRng(1) })
    const b = withSessionAffinity(inner, { timeoutSeconds: 10, now: () => 0 })
    b.update(eps(2))
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1')
    expect(b.pick(ctx('127.9.128.1'))?.name).toBe('pod-1') // affinity: pod-1 now has 2 active
    expect(b.pick(ctx('127.9.128.2'))?.name).toBe('pod-2')
    expect(b.pick(ctx('127.9.128.3'))?.name).toBe('pod-2') // 2 vs 1: pod-2 is least
  })
})
