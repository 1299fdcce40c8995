import type { Balancer, BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createLeastConn}; least-conn needs no randomness. */
export type LeastConnOptions = Partial<BalancerOptions>

/**
 * IPVS `lc` (ip_vs_lc.c `ip_vs_lc_schedule`): the available endpoint with the smallest
 * `ip_vs_dest_conn_overhead`, (active << 8) + inactive, weights ignored; ties to the first in list
 * order (the kernel keeps the first minimum; it does not rotate). Inactive entries are the
 * connections that closed and whose entry has not lapsed yet (TIME_WAIT: 2 min), so back-to-back
 * short connections rotate over the endpoints; in L7 mode a request that ended leaves nothing, so
 * there it is fewest outstanding requests. Counts are this node's own, not a cluster-wide view.
 */
export function createLeastConn(opts: LeastConnOptions = {}): Balancer {
  return createConnCountingBalancer(
    'least-conn',
    (ready, conns) => {
      let best: Endpoint | undefined
      let bestCost = Infinity
      for (const ep of ready) {
        const c = conns.overhead(ep)
        if (c < bestCost) {
          best = ep
          bestCost = c
        }
      }
      return best
    },
    opts,
  )
}
