import { available, type Balancer, type BalancerOptions } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createNftables}. */
export type NftablesOptions = BalancerOptions

/**
 * kube-proxy `nftables` mode (GA 1.33): one rule with `numgen random mod N` into a verdict map
 * (pkg/proxy/nftables/proxier.go): a uniform random index per new connection.
 */
export function createNftables(opts: NftablesOptions): Balancer {
  let ready: readonly Endpoint[] = []
  return {
    name: 'nftables',
    pick() {
      if (ready.length === 0) return undefined
      return ready[Math.min(ready.length - 1, Math.floor(opts.rng() * ready.length))]
    },
    release() {},
    update(next) {
      ready = available(next)
    },
  }
}
