import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createWeightedLeastConn}. */
export type WeightedLeastConnOptions = Partial<BalancerOptions>

/**
 * IPVS `wlc` (ip_vs_wlc.c `ip_vs_wlc_schedule`): the endpoint with the smallest
 * overhead/weight, overhead = (active << 8) + inactive (`ip_vs_dest_conn_overhead`), compared by
 * cross multiplication (h1·w2 > h2·w1) as the kernel does; ties to the first in list order.
 */
export function createWeightedLeastConn(opts: WeightedLeastConnOptions = {}): Balancer {
  return createConnCountingBalancer(
    'weighted-least-conn',
    (ready, conns) => {
      let best: Endpoint | undefined
      let bestCost = 0
      for (const ep of ready) {
        const c = conns.overhead(ep)
        if (best === undefined || bestCost * weightOf(ep) > c * weightOf(best)) {
          best = ep
          bestCost = c
        }
      }
      return best
    },
    opts,
  )
}
