import { weightOf, type Balancer, type BalancerOptions, type ConnTable } from './types.ts'
import { createConnCountingBalancer } from './conn-count.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createShortestExpectedDelay}. */
export type ShortestExpectedDelayOptions = Partial<BalancerOptions>

/**
 * The endpoint with the smallest (active + 1) / weight, first on ties (ip_vs_sed.c
 * `ip_vs_sed_dest_overhead`: active connections only, inactive ones do not count).
 */
export function pickShortestExpectedDelay(ready: readonly Endpoint[], conns: ConnTable): Endpoint | undefined {
  let best: Endpoint | undefined
  for (const ep of ready) {
    if (best === undefined || (conns.active(best) + 1) * weightOf(ep) > (conns.active(ep) + 1) * weightOf(best)) best = ep
  }
  return best
}

/**
 * IPVS `sed`, Shortest Expected Delay (ip_vs_sed.c): expected delay of a new connection on
 * endpoint i is (Ci + 1)/Ui, with Ci its active connections and Ui its weight.
 */
export function createShortestExpectedDelay(opts: ShortestExpectedDelayOptions = {}): Balancer {
  return createConnCountingBalancer('shortest-expected-delay', pickShortestExpectedDelay, opts)
}
