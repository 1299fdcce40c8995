import type { Balancer, BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createLeastConn}; least-conn needs no randomness. */
export type LeastConnOptions = Partial<BalancerOptions>

/**
 * IPVS `lc` (ip_vs_lc.c): the available endpoint with the fewest active connections (per request
 * in L7 mode: fewest outstanding requests). Weights are ignored. Ties go to the first in list
 * order: the kernel scans the list and keeps the first minimum; it does not rotate. Counts are
 * this balancer's own (each node proxy has its own), not a cluster-wide view.
 */
export function createLeastConn(_opts: LeastConnOptions = {}): Balancer {
  return createConnCountingBalancer('least-conn', (ready, conns) => {
    let best: Endpoint | undefined
    let bestCount = Infinity
    for (const ep of ready) {
      const c = conns.get(ep)
      if (c < bestCount) {
        best = ep
        bestCount = c
      }
    }
    return best
  })
}
