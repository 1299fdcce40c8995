import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { ipv4ToInt } from '../util/ip.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createDestinationHash}. */
export type DestinationHashOptions = Partial<BalancerOptions>

/** IPVS `dh` table size (CONFIG_IP_VS_DH_TAB_BITS = 8). */
export const DH_TAB_SIZE = 256

/** Bucket of a destination address, as ip_vs_dh_hashkey: (addr · 2654435761) mod 256. */
export function dhBucket(destIp: string): number {
  return Math.imul(ipv4ToInt(destIp), 2654435761 | 0) & (DH_TAB_SIZE - 1)
}

/**
 * IPVS `dh`, destination hashing (ip_vs_dh.c): the bucket of the *destination* address picks the
 * endpoint. Behind a Service the destination is the address the client connected to (here the
 * node's), so every connection through one node goes to one endpoint. The table is filled by
 * position (bucket b → endpoint b mod n, unweighted); an unavailable endpoint's bucket has no
 * fallback.
 */
export function createDestinationHash(_opts: DestinationHashOptions = {}): Balancer {
  let table: (Endpoint | undefined)[] = new Array(DH_TAB_SIZE).fill(undefined)
  return {
    name: 'destination-hash',
    pick(ctx) {
      const ep = table[dhBucket(ctx.localIp)]
      return ep !== undefined && weightOf(ep) > 0 ? ep : undefined
    },
    release() {},
    update(next) {
      table = Array.from({ length: DH_TAB_SIZE }, (_, b) => (next.length === 0 ? undefined : next[b % next.length]))
    },
  }
}
