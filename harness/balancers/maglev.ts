import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { hash32 } from '../util/hash.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createMaglev}; `flags.hashPort` is `mh-port`. */
export type MaglevOptions = Partial<BalancerOptions>

/** Lookup table size: 4093, the prime IPVS uses by default (CONFIG_IP_VS_MH_TAB_INDEX = 12). */
export const MH_TAB_SIZE = 4093

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * The Maglev lookup table (Eisenbud et al., NSDI 2016, §3.4; ip_vs_mh.c): endpoint i has a
 * permutation of the slots, offset_i + j·skip_i (mod M); endpoints take turns claiming their next
 * free preferred slot, `weight/gcd` claims per turn, until all M slots are filled. Weight-0
 * endpoints claim nothing. The hash keys are seeded (the kernel keys siphash randomly per service).
 */
export function buildMaglevTable(endpoints: readonly Endpoint[], seed = 0, size = MH_TAB_SIZE): (Endpoint | undefined)[] {
  const table: (Endpoint | undefined)[] = new Array(size).fill(undefined)
  const live = endpoints.filter((ep) => weightOf(ep) > 0)
  if (live.length === 0) return table
  const g = live.map(weightOf).reduce((a, b) => gcd(a, b), 0) || 1
  const perms = live.map((ep) => {
    const key = `${ep.address}:${ep.port}`
    return {
      ep,
      offset: hash32(key, seed ^ 0x5bd1e995) % size,
      skip: (hash32(key, seed ^ 0x27d4eb2f) % (size - 1)) + 1,
      next: 0,
      turns: Math.max(1, Math.round(weightOf(ep) / g)),
    }
  })
  let filled = 0
  while (filled < size) {
    for (const p of perms) {
      for (let t = 0; t < p.turns && filled < size; t++) {
        let slot = (p.offset + p.next * p.skip) % size
        while (table[slot] !== undefined) {
          p.next++
          slot = (p.offset + p.next * p.skip) % size
        }
        table[slot] = p.ep
        p.next++
        filled++
      }
      if (filled >= size) break
    }
  }
  return table
}

/**
 * IPVS `mh`, Maglev hashing: the source address (and port with `mh-port`) hashes to a slot of the
 * lookup table. Removing one of n endpoints moves its own clients (1/n of all) and very few of the
 * rest: clients of the other endpoints almost all stay where they were (disruption near the 1/n minimum).
 */
export function createMaglev(opts: MaglevOptions = {}): Balancer {
  const seed = opts.seed ?? 0
  const hashPort = opts.flags?.hashPort === true
  let table = buildMaglevTable([], seed)
  return {
    name: 'maglev',
    pick(ctx) {
      const key = hashPort ? `${ctx.clientIp}:${ctx.clientPort}` : ctx.clientIp
      return table[hash32(key, seed) % MH_TAB_SIZE]
    },
    release() {},
    update(next) {
      table = buildMaglevTable(next, seed)
    },
  }
}
