import { available, type Balancer, type BalancerOptions } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createRandom}. */
export type RandomOptions = BalancerOptions

/**
 * kube-proxy `iptables` mode: one uniform random pick per new connection, made the way the
 * rules are written (pkg/proxy/iptables/proxier.go): rule i of n (0-based) matches with
 * probability 1/(n−i) (`-m statistic --mode random --probability`), the last always matches.
 * The product makes every endpoint equally likely (1/n).
 */
export function createRandom(opts: RandomOptions): Balancer {
  let ready: readonly Endpoint[] = []
  return {
    name: 'random',
    pick() {
      const n = ready.length
      for (let i = 0; i < n - 1; i++) {
        if (opts.rng() < 1 / (n - i)) return ready[i]
      }
      return ready[n - 1]
    },
    release() {},
    update(next) {
      ready = available(next)
    },
  }
}
