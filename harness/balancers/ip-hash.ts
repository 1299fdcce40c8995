import type { Balancer, BalancerOptions, Endpoint } from './types.ts'
import { ipv4ToInt } from '../util/ip.ts'

/** Options for {@link createIpHash}. */
export interface IpHashOptions extends Partial<BalancerOptions> {
  /** Hash the source port too (IPVS `sh-port`). @default false */
  hashPort?: boolean
}

/** IPVS `sh` table size: 2^8 buckets (CONFIG_IP_VS_SH_TAB_BITS). */
export const SH_TAB_BITS = 8
export const SH_TAB_SIZE = 1 << SH_TAB_BITS

const GOLDEN_RATIO_32 = 0x61c88647

/**
 * Bucket of a source address, as ip_vs_sh_hashkey (net/netfilter/ipvs/ip_vs_sh.c):
 * hash_32(port + addr, 8) = top 8 bits of (port + addr) · GOLDEN_RATIO_32 (mod 2^32).
 * IPv6 addresses are folded by xor of their four 32-bit words, as the kernel does.
 */
export function shBucket(clientIp: string, port = 0): number {
  const addr = ipv4ToInt(clientIp)
  return Math.imul((port + addr) >>> 0, GOLDEN_RATIO_32) >>> (32 - SH_TAB_BITS)
}

/**
 * The 256-entry bucket table as ip_vs_sh_reassign fills it: walk the endpoint list,
 * each endpoint taking `weight` consecutive buckets (1 when unweighted), wrapping around.
 */
export function buildShTable(ready: readonly Endpoint[]): (Endpoint | undefined)[] {
  const table: (Endpoint | undefined)[] = new Array(SH_TAB_SIZE).fill(undefined)
  if (ready.length === 0) return table
  const weighted = ready.some((ep) => (ep.weight ?? 1) !== 1)
  let idx = 0
  let count = 0
  for (let b = 0; b < SH_TAB_SIZE; b++) {
    const ep = ready[idx] as Endpoint
    table[b] = ep
    if (++count >= (weighted ? Math.max(1, ep.weight ?? 1) : 1)) {
      idx = (idx + 1) % ready.length
      count = 0
    }
  }
  return table
}

/**
 * IPVS `sh` ("IP hash"): a client address always lands on the same bucket, and so on the same
 * endpoint while the endpoint set is unchanged. The table is rebuilt on every update by
 * position (bucket b → endpoint b mod n), so removing or adding one endpoint remaps most
 * clients, not only those of the changed endpoint (this is not consistent hashing; `mh` is).
 */
export function createIpHash(opts: IpHashOptions = {}): Balancer {
  let table = buildShTable([])
  return {
    name: 'ip-hash',
    pick(ctx) {
      return table[shBucket(ctx.clientIp, opts.hashPort === true ? ctx.clientPort : 0)]
    },
    release() {},
    update(next) {
      table = buildShTable(next)
    },
  }
}
