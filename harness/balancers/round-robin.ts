import { available, type Balancer, type BalancerOptions } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createRoundRobin}; round-robin needs no randomness. */
export type RoundRobinOptions = Partial<BalancerOptions>

/**
 * IPVS `rr` (ip_vs_rr.c): available endpoints in list order, one pick each, wrapping around.
 * On update the cursor keeps its index (mod the new size), as IPVS keeps its place in the list.
 * Over n·k picks with a fixed set, every endpoint gets exactly k.
 */
export function createRoundRobin(_opts: RoundRobinOptions = {}): Balancer {
  let ready: readonly Endpoint[] = []
  let cursor = 0
  return {
    name: 'round-robin',
    pick() {
      if (ready.length === 0) return undefined
      const ep = ready[cursor % ready.length]
      cursor = (cursor + 1) % ready.length
      return ep
    },
    release() {},
    update(next) {
      ready = available(next)
      cursor = ready.length === 0 ? 0 : cursor % ready.length
    },
  }
}
