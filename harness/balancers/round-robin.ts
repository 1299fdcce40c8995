import { weightOf, type Balancer, type BalancerOptions } from './types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link createRoundRobin}; round-robin needs no randomness. */
export type RoundRobinOptions = Partial<BalancerOptions>

/** Whether two lists name the same endpoints with the same weights in the same order (no change for the kernel). */
export function sameList(a: readonly Endpoint[], b: readonly Endpoint[]): boolean {
  return a.length === b.length && a.every((e, i) => e.name === b[i]?.name && weightOf(e) === weightOf(b[i] as Endpoint))
}

/**
 * Where the kernel's rr pointer goes when the real server it points at leaves the list
 * (ip_vs_rr.c `ip_vs_rr_del_dest`: to the entry before it): the nearest one before it that is
 * still listed. kube-proxy adds new servers (at the head) before it deletes old ones, so with
 * none left before it the entry before is the last added one, else the list head (null).
 */
function pointerAfterDelete(old: readonly Endpoint[], next: readonly Endpoint[], gone: string): string | null {
  const listed = new Set(next.map((e) => e.name))
  for (let i = old.findIndex((e) => e.name === gone) - 1; i >= 0; i--) {
    const name = (old[i] as Endpoint).name
    if (listed.has(name)) return name
  }
  const kept = new Set(old.map((e) => e.name))
  const firstKept = next.findIndex((e) => kept.has(e.name))
  const before = firstKept < 0 ? next.length - 1 : firstKept - 1
  return before >= 0 ? (next[before] as Endpoint).name : null
}

/**
 * IPVS `rr` (ip_vs_rr.c `ip_vs_rr_schedule`): a pointer to the last real server picked in the full
 * list, weight-0 servers included; a pick walks on from it, wrapping at the list's end, to the
 * next server with weight > 0. A quiesced server keeps its place and is stepped over, so the others
 * keep their turns; a deleted one hands the pointer to the server before it; servers added at the
 * head are reached after the wrap. Every node starts at the head of its own list. Over n·k picks
 * with a fixed set, every available endpoint gets exactly k.
 */
export function createRoundRobin(_opts: RoundRobinOptions = {}): Balancer {
  let list: readonly Endpoint[] = []
  let last: string | null = null
  let lastIndex = -1
  return {
    name: 'round-robin',
    pick() {
      const n = list.length
      for (let k = 1; k <= n; k++) {
        const i = (lastIndex + k) % n
        const ep = list[i] as Endpoint
        if (weightOf(ep) > 0) {
          last = ep.name
          lastIndex = i
          return ep
        }
      }
      return undefined
    },
    release() {},
    update(next) {
      if (sameList(list, next)) return
      if (last !== null && !next.some((e) => e.name === last)) last = pointerAfterDelete(list, next, last)
      list = [...next]
      lastIndex = last === null ? -1 : list.findIndex((e) => e.name === last)
    },
  }
}
