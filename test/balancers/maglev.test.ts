/**
 * IPVS `mh` (net/netfilter/ipvs/ip_vs_mh.c) worked by hand: the table ip_vs_mh_populate fills, the
 * turns ip_vs_mh_permutate gives, and ip_vs_mh_get / ip_vs_mh_get_fallback with a quiesced endpoint.
 */
import { describe, expect, it } from 'vitest'
import { createMaglev, buildMaglevTable, maglevTurns, mhLookup, populateMaglev } from '../../harness/balancers/maglev.ts'
import type { Endpoint } from '../../harness/model/kube-proxy.ts'

const eps = (n: number, weights?: number[]): Endpoint[] =>
  Array.from({ length: n }, (_, i) => ({ name: `pod-${i + 1}`, address: `127.9.2.${i + 1}`, port: 8080, node: 'node-a', weight: weights?.[i] ?? 1 }))
const client = (k: number) => `127.9.${128 + Math.floor(k / 250)}.${(k % 250) + 1}`
const ctx = (clientIp: string) => ({ clientIp, clientPort: 40000, localIp: '127.9.1.1' })
const clients = Array.from({ length: 3000 }, (_, k) => client(k))

// The Maglev paper's example (Eisenbud et al., NSDI 2016, Table 1): M = 7; B0 offset 3 skip 4, B1
// offset 0 skip 2, B2 offset 3 skip 1. Preference lists (offset + j·skip mod 7):
//   B0: 3 0 4 1 5 2 6    B1: 0 2 4 6 1 3 5    B2: 3 4 5 6 0 1 2
const B0 = { offset: 3, skip: 4 }
const B1 = { offset: 0, skip: 2 }
const B2 = { offset: 3, skip: 1 }

describe('populateMaglev (ip_vs_mh_populate)', () => {
  it('fills the paper\'s M = 7 table, one claim per turn in list order', () => {
    // Round 1: B0 takes 3; B1 takes 0; B2 wants 3 (taken), takes 4.
    // Round 2: B0 wants 0, 4 (taken), takes 1; B1 takes 2; B2 takes 5.
    // Round 3: B0 wants 5, 2 (taken), takes 6: all 7 filled.
    expect(populateMaglev([{ ...B0, turns: 1 }, { ...B1, turns: 1 }, { ...B2, turns: 1 }], 7)).toEqual([1, 0, 1, 0, 2, 2, 0])
  })
  it('after B1 is removed, its slots 0 and 2 go to B0, and only slot 6 changes hands between the others', () => {
    // B0 3, B2 4; B0 0, B2 5; B0 (4 taken) 1, B2 6; B0 (5, 2…) 2. Indices now into [B0, B2].
    expect(populateMaglev([{ ...B0, turns: 1 }, { ...B2, turns: 1 }], 7)).toEqual([0, 0, 0, 0, 1, 1, 1])
  })
  it('takes weight/gcd claims per turn: B0 twice per round', () => {
    // Round 1: B0 takes 3, then 0; B1 wants 0 (taken), takes 2; B2 wants 3 (taken), takes 4.
    // Round 2: B0 wants 4 (taken), takes 1, then 5; B1 wants 4 (taken), takes 6: all 7 filled.
    expect(populateMaglev([{ ...B0, turns: 2 }, { ...B1, turns: 1 }, { ...B2, turns: 1 }], 7)).toEqual([0, 0, 1, 0, 2, 0, 1])
  })
  it('leaves every slot empty when no destination has a turn (gcd < 1: ip_vs_mh_reset)', () => {
    expect(populateMaglev([{ ...B0, turns: 0 }], 7)).toEqual(new Array(7).fill(undefined))
  })
})

describe('maglevTurns (ip_vs_mh_permutate, ip_vs_mh_gcd_weight, ip_vs_mh_shift_weight)', () => {
  it.each([
    [[1, 1, 1], [1, 1, 1]],
    [[4, 2, 6], [2, 1, 3]], // gcd 2
    [[1, 0, 1], [1, 0, 1]], // weight 0: no turn
    [[0, 0], [0, 0]], // gcd < 1: nothing
    [[63, 1], [63, 1]], // max w/gcd = 63: fls 6, no shift
    [[64, 1], [32, 1]], // fls(64) = 7 > 6 bits: shift 1; 1 >> 1 = 0, but w ≠ 0 gives 1
    [[100, 3], [50, 1]], // fls(100) = 7: shift 1
    [[128, 1], [32, 1]], // fls(128) = 8: shift 2
    [[200, 100], [2, 1]], // gcd 100 first
  ])('weights %j → turns %j', (weights, turns) => {
    expect(maglevTurns(weights)).toEqual(turns)
  })
})

describe('mhLookup (ip_vs_mh_get, ip_vs_mh_get_fallback), one endpoint at weight 0', () => {
  // The paper's table [B1, B0, B1, B0, B2, B2, B0] with B0 quiesced (weight 0): the kernel keeps its
  // slots, because it builds the table from last_weight, the latest non-zero weight.
  const [b0, b1, b2] = eps(3, [0, 1, 1]) as [Endpoint, Endpoint, Endpoint]
  const table = [b1, b0, b1, b0, b2, b2, b0]
  // A client's hash for rehash offset r (hash of r + port + addr, mod 7), written out as a list.
  const hashes = (list: number[]) => (r: number) => list[r] as number
  it('a client whose slot holds an available endpoint gets it, with or without mh-fallback', () => {
    const slotAt = hashes([4, 0, 0, 0, 0, 0, 0]) // slot 4: B2
    expect(mhLookup(table, slotAt, false)).toBe(b2)
    expect(mhLookup(table, slotAt, true)).toBe(b2)
  })
  it('without mh-fallback, a client whose slot holds the quiesced endpoint gets none', () => {
    expect(mhLookup(table, hashes([3, 4, 1, 0, 6, 2, 5]), false)).toBeUndefined()
  })
  it('with mh-fallback, it rehashes with roffset = ihash + offset until an available endpoint', () => {
    // ihash = hash(0) = 3: B0, unavailable. offset 0: roffset 3, hash(3) = 0: B1. (Rehashing with
    // roffset = offset, not ihash + offset, would try hash(0) = 3, B0, then hash(1) = 4, B2.)
    expect(mhLookup(table, hashes([3, 4, 1, 0, 6, 2, 5]), true)).toBe(b1)
    // ihash = 6: B0. offset 0: roffset 6, hash(6) = 3: B0. offset 1: roffset (1 + 6) mod 7 = 0,
    // hash(0) = 6: B0. offset 2: roffset 1, hash(1) = 5: B2.
    expect(mhLookup(table, hashes([6, 5, 2, 1, 3, 0, 3]), true)).toBe(b2)
  })
  it('with mh-fallback, gives none after M tries when no endpoint is available, and none from an empty table', () => {
    let tries = 0
    const slotAt = (r: number) => {
      tries++
      return (r * 2) % 7
    }
    expect(mhLookup([b0, b0, b0, b0, b0, b0, b0], slotAt, true)).toBeUndefined()
    expect(tries).toBe(1 + 7) // the lookup, then offsets 0..6
    expect(mhLookup(new Array(7).fill(undefined), slotAt, true)).toBeUndefined()
  })
})

describe('createMaglev: quiescing an endpoint (weight 0)', () => {
  function quiesced(fallback: boolean) {
    const b = createMaglev({ seed: 7, flags: { fallback } })
    b.update(eps(3))
    const before = clients.map((c) => b.pick(ctx(c))?.name)
    b.update(eps(3, [1, 0, 1]))
    const after = clients.map((c) => b.pick(ctx(c))?.name)
    b.update(eps(3))
    const restored = clients.map((c) => b.pick(ctx(c))?.name)
    return { before, after, restored }
  }
  it('without mh-fallback, its clients get no endpoint and every other client stays', () => {
    const { before, after, restored } = quiesced(false)
    expect(before.filter((p) => p === 'pod-2').length).toBeGreaterThan(clients.length / 4)
    clients.forEach((_, k) => expect(after[k]).toBe(before[k] === 'pod-2' ? undefined : before[k]))
    expect(restored).toEqual(before) // its slots were kept: weight 1 again, the same table
  })
  it('with mh-fallback, its clients move to the others, and only they', () => {
    const { before, after, restored } = quiesced(true)
    clients.forEach((_, k) => {
      if (before[k] === 'pod-2') expect(['pod-1', 'pod-3']).toContain(after[k])
      else expect(after[k]).toBe(before[k])
    })
    expect(new Set(after.filter((_, k) => before[k] === 'pod-2'))).toEqual(new Set(['pod-1', 'pod-3']))
    expect(restored).toEqual(before)
  })
  it('an endpoint listed at weight 0 from the start has no slots (last_weight 0), so nobody is refused', () => {
    expect(buildMaglevTable(eps(3, [1, 0, 1]), 7).filter((e) => e?.name === 'pod-2')).toHaveLength(0)
    const b = createMaglev({ seed: 7 })
    b.update(eps(3, [1, 0, 1]))
    expect(clients.every((c) => ['pod-1', 'pod-3'].includes(b.pick(ctx(c))?.name ?? 'none'))).toBe(true)
  })
})
