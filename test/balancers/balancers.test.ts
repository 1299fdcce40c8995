import { describe, expect, it } from 'vitest'
import { createRoundRobin } from '../../harness/balancers/round-robin.ts'
import { createRandom } from '../../harness/balancers/random.ts'
import { createLeastConn } from '../../harness/balancers/least-conn.ts'
import { createIpHash, shBucket, buildShTable, SH_TAB_SIZE } from '../../harness/balancers/ip-hash.ts'
import { createBalancer, registry, algorithmFor } from '../../harness/balancers/registry.ts'
import { createRng } from '../../harness/util/rng.ts'
import { type Endpoint, ALGORITHM_NAMES, BALANCER_ALIASES, BALANCER_NAMES } from '../../harness/model/kube-proxy.ts'

const eps = (n: number): Endpoint[] =>
  Array.from({ length: n }, (_, i) => ({ name: `pod-${i + 1}`, address: `127.9.2.${i + 1}`, port: 8080, node: 'node-a' }))
const ctx = (clientIp = '127.9.128.1', clientPort = 40000) => ({ clientIp, clientPort, localIp: '127.9.1.1' })
const client = (k: number) => `127.9.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`

function tally(picks: (Endpoint | undefined)[]): Record<string, number> {
  const out: Record<string, number> = {}
  for (const p of picks) if (p) out[p.name] = (out[p.name] ?? 0) + 1
  return out
}

describe('createRoundRobin', () => {
  it.each([1, 2, 3, 6, 7])('spreads n·k picks exactly evenly over %i endpoints', (n) => {
    const b = createRoundRobin()
    b.update(eps(n))
    const k = 13
    const counts = tally(Array.from({ length: n * k }, () => b.pick(ctx())))
    expect(Object.values(counts)).toEqual(new Array(n).fill(k))
  })
  it('goes in list order and wraps', () => {
    const b = createRoundRobin()
    b.update(eps(3))
    expect(Array.from({ length: 7 }, () => b.pick(ctx())?.name)).toEqual(['pod-1', 'pod-2', 'pod-3', 'pod-1', 'pod-2', 'pod-3', 'pod-1'])
  })
  it('returns undefined with no endpoints and keeps working after an update', () => {
    const b = createRoundRobin()
    expect(b.pick(ctx())).toBeUndefined()
    b.update(eps(2))
    expect(b.pick(ctx())?.name).toBe('pod-1')
    b.update(eps(1))
    expect(b.pick(ctx())?.name).toBe('pod-1')
  })
})

describe('createRandom', () => {
  it('is uniform (iptables 1/(n−i) rule chain): each of 6 counts within 5σ of 10k over 60k picks', () => {
    const b = createRandom({ rng: createRng(7) })
    b.update(eps(6))
    const counts = tally(Array.from({ length: 60_000 }, () => b.pick(ctx())))
    const sigma = Math.sqrt(60_000 * (1 / 6) * (5 / 6)) // ≈ 91
    expect(Object.keys(counts)).toHaveLength(6)
    for (const c of Object.values(counts)) expect(Math.abs(c - 10_000)).toBeLessThan(5 * sigma)
  })
  it('makes the same picks for the same seed', () => {
    const run = (seed: number) => {
      const b = createRandom({ rng: createRng(seed) })
      b.update(eps(5))
      return Array.from({ length: 50 }, () => b.pick(ctx())?.name)
    }
    expect(run(42)).toEqual(run(42))
    expect(run(42)).not.toEqual(run(43))
  })
  it('always picks the only endpoint and nothing when there is none', () => {
    const b = createRandom({ rng: createRng(1) })
    expect(b.pick(ctx())).toBeUndefined()
    b.update(eps(1))
    expect(b.pick(ctx())?.name).toBe('pod-1')
  })
})

describe('createLeastConn', () => {
  it('picks the endpoint with the fewest active, ties to the first in list order', () => {
    const b = createLeastConn()
    b.update(eps(3))
    const a = b.pick(ctx())
    const c = b.pick(ctx())
    const d = b.pick(ctx())
    expect([a?.name, c?.name, d?.name]).toEqual(['pod-1', 'pod-2', 'pod-3'])
    b.release(c as Endpoint)
    expect(b.pick(ctx())?.name).toBe('pod-2')
  })
  it('sends every sequential request to the first endpoint (L7: a finished request leaves no connection entry)', () => {
    const b = createLeastConn()
    b.update(eps(3))
    for (let i = 0; i < 5; i++) {
      const ep = b.pick(ctx()) as Endpoint
      expect(ep.name).toBe('pod-1')
      b.release(ep)
    }
  })
  it('never goes below zero on extra releases', () => {
    const b = createLeastConn()
    b.update(eps(2))
    b.release(eps(2)[1] as Endpoint)
    expect(b.pick(ctx())?.name).toBe('pod-1')
    expect(b.pick(ctx())?.name).toBe('pod-2')
  })
})

describe('createIpHash', () => {
  it('keeps a client address on the same endpoint, whatever its port', () => {
    const b = createIpHash()
    b.update(eps(6))
    for (let k = 0; k < 300; k++) {
      const first = b.pick(ctx(client(k), 1000))
      for (const port of [1001, 40000, 65535]) expect(b.pick(ctx(client(k), port))).toBe(first)
    }
  })
  it('hashes the port too with hashPort (sh-port)', () => {
    const b = createIpHash({ flags: { hashPort: true } })
    b.update(eps(6))
    const pods = new Set(Array.from({ length: 64 }, (_, p) => b.pick(ctx('127.9.128.1', 30000 + p))?.name))
    expect(pods.size).toBeGreaterThan(1)
  })
  it('sends one client address to one endpoint (everyone behind one NAT)', () => {
    const b = createIpHash()
    b.update(eps(6))
    const counts = tally(Array.from({ length: 100 }, () => b.pick(ctx('127.9.128.1'))))
    expect(Object.keys(counts)).toHaveLength(1)
  })
  it('spreads 256 consecutive addresses over all 6 endpoints', () => {
    const b = createIpHash()
    b.update(eps(6))
    const counts = tally(Array.from({ length: 256 }, (_, k) => b.pick(ctx(client(k)))))
    expect(Object.keys(counts)).toHaveLength(6)
    for (const c of Object.values(counts)) expect(c).toBeGreaterThan(256 / 6 / 2)
  })
  it('fills the 256-bucket table round-robin over endpoints (bucket b → endpoint b mod n)', () => {
    const table = buildShTable(eps(3))
    expect(table).toHaveLength(SH_TAB_SIZE)
    table.forEach((ep, b) => expect(ep?.name).toBe(`pod-${(b % 3) + 1}`))
  })
  it('gives weighted endpoints weight consecutive buckets', () => {
    const e = eps(2).map((x, i) => ({ ...x, weight: i === 0 ? 3 : 1 }))
    const names = buildShTable(e).slice(0, 8).map((x) => x?.name)
    expect(names).toEqual(['pod-1', 'pod-1', 'pod-1', 'pod-2', 'pod-1', 'pod-1', 'pod-1', 'pod-2'])
  })
  it('computes the kernel bucket: (offset + top 8 bits of (port + addr) · 0x61C88647) mod 256', () => {
    // ip_vs_sh_hashkey (net/netfilter/ipvs/ip_vs_sh.c) with hash_32 (include/linux/hash.h), by hand,
    // G = GOLDEN_RATIO_32 = 0x61c88647: 127.0.0.1 = 0x7f000001, so addr · G = 0x7f · 2^24 · G + G (mod 2^32).
    // 0x7f · 2^24 · G mod 2^32 keeps only the low byte of 0x7f · 0x47 (G's low byte) = 0x2339, shifted
    // up: 0x39000000. Plus G: 0x39000000 + 0x61c88647 = 0x9ac88647, whose top byte is 0x9a = 154.
    expect(shBucket('127.0.0.1')).toBe(154)
    expect(shBucket('::ffff:127.0.0.1')).toBe(154) // IPv4-mapped: the same address
    // 127.0.0.2: one more G, 0x9ac88647 + 0x61c88647 = 0xfc910c8e → 0xfc = 252.
    expect(shBucket('127.0.0.2')).toBe(252)
    // sh-port adds the port before hashing: 0x7f000001 + 1000 = 0x7f000000 + 1001, so the product is
    // 0x39000000 + 1001 · G = 0x39000000 + 0x59150b9f (1001 · G = 0x17e59150b9f, low 32 bits) = 0x92150b9f → 0x92 = 146.
    expect(shBucket('127.0.0.1', 1000)).toBe(146)
    // The fallback offset is added after hashing, mod 256: (154 + 200) mod 256 = 98.
    expect(shBucket('127.0.0.1', 0, 200)).toBe(98)
  })
  it('remaps most clients when one endpoint is removed (hash by position, not consistent)', () => {
    const b = createIpHash()
    const six = eps(6)
    b.update(six)
    const before = Array.from({ length: 1000 }, (_, k) => b.pick(ctx(client(k)))?.name)
    b.update(six.filter((e) => e.name !== 'pod-6'))
    const after = Array.from({ length: 1000 }, (_, k) => b.pick(ctx(client(k)))?.name)
    const movedNotFromPod6 = before.filter((p, k) => p !== 'pod-6' && p !== after[k]).length
    // Only pod-6's clients (~1/6) would have to move; position-based rebuild moves far more.
    expect(movedNotFromPod6).toBeGreaterThan(1000 / 3)
  })
})

describe('registry', () => {
  it('creates every algorithm, whose name is its registry key, and it picks', () => {
    expect(Object.keys(registry).sort()).toEqual([...ALGORITHM_NAMES].sort())
    for (const name of ALGORITHM_NAMES) {
      const b = createBalancer(name, { rng: createRng(1) })
      expect(b.name).toBe(name)
      b.update(eps(2))
      expect(b.pick(ctx()), name).toBeDefined()
    }
  })
  it('gives each service.balancer alias the algorithm its kube-proxy configuration runs, by the same name', () => {
    for (const alias of BALANCER_NAMES) {
      const { proxyMode, ipvsScheduler } = BALANCER_ALIASES[alias]
      expect(algorithmFor(proxyMode, ipvsScheduler)).toBe(alias)
      expect(createBalancer(alias, { rng: createRng(1) }).name).toBe(alias)
    }
  })
})
