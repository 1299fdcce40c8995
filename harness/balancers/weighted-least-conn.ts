import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createWeightedLeastConn}. */
export type WeightedLeastConnOptions = Partial<BalancerOptions>

/**
 * IPVS `wlc` (ip_vs_wlc.c): the endpoint with the smallest active/weight, compared by cross
 * multiplication (a·wb > b·wa) as the kernel does; ties to the first in list order.
 * (The kernel's overhead also counts inactive connections at 1/256 weight; svcbench counts
 * active ones only.)
 */
export function createWeightedLeastConn(_opts: WeightedLeastConnOptions = {}): Balancer {
  return createConnCountingBalancer('weighted-least-conn', (ready, conns) => {
    let best: Endpoint | undefined
    for (const ep of ready) {
      if (best === undefined || conns.get(best) * weightOf(ep) > conns.get(ep) * weightOf(best)) best = ep
    }
    return best
  })
}
