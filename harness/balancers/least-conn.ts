import type { Balancer, BalancerOptions, Endpoint } from './types.ts'

/** Options for {@link createLeastConn}; least-conn needs no randomness. */
export type LeastConnOptions = Partial<BalancerOptions>

/**
 * IPVS `lc`: the endpoint with the fewest active connections (per request in L7 mode: fewest
 * outstanding requests). Ties go to the first in list order, as ip_vs_lc.c scans the list and
 * keeps the first minimum; it does not rotate. Counts are this balancer's own (each node
 * proxy has its own), not a cluster-wide view.
 */
export function createLeastConn(_opts: LeastConnOptions = {}): Balancer {
  let ready: readonly Endpoint[] = []
  // Keyed by name so that counts survive an update that keeps the endpoint.
  const active = new Map<string, number>()
  return {
    name: 'least-conn',
    pick() {
      let best: Endpoint | undefined
      let bestCount = Infinity
      for (const ep of ready) {
        const c = active.get(ep.name) ?? 0
        if (c < bestCount) {
          best = ep
          bestCount = c
        }
      }
      if (best !== undefined) active.set(best.name, bestCount + 1)
      return best
    },
    release(ep) {
      const c = active.get(ep.name) ?? 0
      if (c > 0) active.set(ep.name, c - 1)
    },
    update(next) {
      ready = [...next]
    },
  }
}
