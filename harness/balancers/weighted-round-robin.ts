import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import { sameList } from './round-robin.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createWeightedRoundRobin}. */
export type WeightedRoundRobinOptions = Partial<BalancerOptions>

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b)
}

/**
 * IPVS `wrr` (ip_vs_wrr.c), interleaved weighted round robin over the full list: a current weight
 * cw walks down from mw = max weight − (di − 1) by di (the gcd of the weights > 0) after each pass
 * over the list, and each pass picks, in list order from the last one picked, the servers whose
 * weight is at least cw (`ip_vs_wrr_schedule`); weight-0 servers never qualify. Over one cycle of
 * Σw/di picks, server i gets exactly wi/di. When the list changes (`ip_vs_wrr_dest_changed`) the
 * position goes back to the list head, di and mw are recomputed, and cw is kept: set to mw if it
 * is above it (or 0), else rounded down to a multiple of di plus one.
 */
export function createWeightedRoundRobin(_opts: WeightedRoundRobinOptions = {}): Balancer {
  let list: readonly Endpoint[] = []
  let cl = -1 // index of the last server picked; -1 = the list head
  let di = 1
  let mw = 0
  let cw = 0
  return {
    name: 'weighted-round-robin',
    pick() {
      if (mw === 0) return undefined
      const from = cl
      let pos = cl
      let stop = -2
      let lastPass = false
      let restarted = false
      for (;;) {
        for (let i = pos + 1; i < list.length; i++) {
          if (weightOf(list[i] as Endpoint) >= cw) {
            cl = i
            return list[i]
          }
          if (i === stop) {
            cl = i
            return undefined
          }
        }
        pos = -1
        cw -= di
        if (cw <= 0) {
          cw = mw
          if (lastPass || from === -1) {
            cl = -1
            return undefined
          }
          restarted = true
        }
        lastPass = cw <= di
        if (lastPass && restarted && from !== -1) stop = from
      }
    },
    release() {},
    update(next) {
      if (sameList(list, next)) return
      list = [...next]
      cl = -1
      di = list.map(weightOf).reduce((g, w) => (w > 0 ? gcd(w, g) : g), 0) || 1
      mw = Math.max(0, ...list.map(weightOf)) - (di - 1)
      if (cw > mw || cw === 0) cw = mw
      else if (di > 1) cw = Math.floor(cw / di) * di + 1
    },
  }
}
