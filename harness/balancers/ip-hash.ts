import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { ipv4ToInt } from '../util/ip.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createIpHash}; `flags.hashPort` is `sh-port`, `flags.fallback` is `sh-fallback`. */
export type IpHashOptions = Partial<BalancerOptions>

/** IPVS `sh` table size: 2^8 buckets (CONFIG_IP_VS_SH_TAB_BITS). */
export const SH_TAB_BITS = 8
export const SH_TAB_SIZE = 1 << SH_TAB_BITS

const GOLDEN_RATIO_32 = 0x61c88647

/**
 * Bucket of a source address, as ip_vs_sh_hashkey (net/netfilter/ipvs/ip_vs_sh.c):
 * (offset + hash_32(port + addr, 8)) mod 256, hash_32 being the top 8 bits of
 * (port + addr)·GOLDEN_RATIO_32 mod 2^32. IPv6 addresses are folded by xor of their words.
 */
export function shBucket(clientIp: string, port = 0, offset = 0): number {
  const addr = ipv4ToInt(clientIp)
  return (offset + (Math.imul((port + addr) >>> 0, GOLDEN_RATIO_32) >>> (32 - SH_TAB_BITS))) & (SH_TAB_SIZE - 1)
}

/**
 * The 256-entry bucket table as ip_vs_sh_reassign fills it: walk the endpoint list (quiesced
 * weight-0 endpoints included: they keep their buckets), each endpoint taking max(1, weight)
 * consecutive buckets, wrapping around.
 */
export function buildShTable(endpoints: readonly Endpoint[]): (Endpoint | undefined)[] {
  const table: (Endpoint | undefined)[] = new Array(SH_TAB_SIZE).fill(undefined)
  if (endpoints.length === 0) return table
  let idx = 0
  let count = 0
  for (let b = 0; b < SH_TAB_SIZE; b++) {
    const ep = endpoints[idx] as Endpoint
    table[b] = ep
    if (++count >= Math.max(1, weightOf(ep))) {
      idx = (idx + 1) % endpoints.length
      count = 0
    }
  }
  return table
}

/**
 * The destination for one client, as ip_vs_sh_schedule: the endpoint in the client's bucket if it
 * is available (weight > 0); else, with `fallback` (sh-fallback, ip_vs_sh_get_fallback), the first
 * available one in the buckets hashed with offsets ihash, ihash + 1, … (mod 256); else none.
 */
export function shLookup(table: readonly (Endpoint | undefined)[], clientIp: string, port: number, fallback: boolean): Endpoint | undefined {
  const usable = (ep: Endpoint | undefined): ep is Endpoint => ep !== undefined && weightOf(ep) > 0
  const ihash = shBucket(clientIp, port)
  const ep = table[ihash]
  if (usable(ep) || !fallback) return usable(ep) ? ep : undefined
  for (let offset = 0; offset < SH_TAB_SIZE; offset++) {
    const alt = table[shBucket(clientIp, port, (offset + ihash) % SH_TAB_SIZE)]
    if (usable(alt)) return alt
  }
  return undefined
}

/**
 * IPVS `sh` ("IP hash"): a client address always lands on the same bucket, and so on the same
 * endpoint while the endpoint list is unchanged.
 * - An endpoint quiesced to weight 0 keeps its buckets: its clients get no endpoint (the
 *   connection is refused) unless `sh-fallback`, which walks other buckets
 *   (ip_vs_sh_get_fallback); then only that endpoint's clients move. This is what a removed
 *   endpoint goes through first under kube-proxy: graceful termination sets it to weight 0 and
 *   deletes it only once its connections are gone (ipvs-service.ts).
 * - An endpoint deleted from the list rebuilds the table by position (bucket b → endpoint
 *   b mod n), which remaps most clients, not only the deleted endpoint's: this is not
 *   consistent hashing (`maglev` is).
 */
export function createIpHash(opts: IpHashOptions = {}): Balancer {
  let table = buildShTable([])
  const hashPort = opts.flags?.hashPort === true
  const fallback = opts.flags?.fallback === true
  return {
    name: 'ip-hash',
    pick: (ctx) => shLookup(table, ctx.clientIp, hashPort ? ctx.clientPort : 0, fallback),
    release() {},
    update(next) {
      table = buildShTable(next)
    },
  }
}
