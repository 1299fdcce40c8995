import { available, weightOf, type Balancer, type BalancerOptions } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createWeightedRoundRobin}. */
export type WeightedRoundRobinOptions = Partial<BalancerOptions>

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * IPVS `wrr` (ip_vs_wrr.c), interleaved weighted round robin: a current weight cw starts at the
 * largest weight and drops by the weights' gcd after each pass over the list; each pass picks,
 * in list order, the endpoints whose weight is at least cw. Over one cycle of Σw/gcd picks,
 * endpoint i gets exactly wi/gcd. The position and cw reset when the list changes.
 */
export function createWeightedRoundRobin(_opts: WeightedRoundRobinOptions = {}): Balancer {
  let ready: readonly Endpoint[] = []
  let maxW = 0
  let step = 1
  let i = -1
  let cw = 0
  return {
    name: 'weighted-round-robin',
    pick() {
      const n = ready.length
      if (n === 0 || maxW === 0) return undefined
      for (;;) {
        i = (i + 1) % n
        if (i === 0) {
          cw -= step
          if (cw <= 0) cw = maxW
        }
        const ep = ready[i] as Endpoint
        if (weightOf(ep) >= cw) return ep
      }
    },
    release() {},
    update(next) {
      ready = available(next)
      maxW = Math.max(0, ...ready.map(weightOf))
      step = ready.map(weightOf).reduce((a, b) => gcd(a, b), 0) || 1
      i = -1
      cw = 0
    },
  }
}
