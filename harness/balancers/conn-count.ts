/**
 * Active-connection counts shared by the connection-aware IPVS schedulers (lc, wlc, sed, nq).
 * Keyed by endpoint name so that counts survive an update that keeps the endpoint.
 */
import { available, type Balancer } from './types.ts'
import type { AlgorithmName, Endpoint } from '../model/kube-proxy.ts'

/** Per-endpoint active connection (or outstanding request) counter. */
export interface ConnCount {
  get(ep: Endpoint): number
  acquire(ep: Endpoint): void
  release(ep: Endpoint): void
}

/** A fresh counter. */
export function createConnCount(): ConnCount {
  const active = new Map<string, number>()
  return {
    get: (ep) => active.get(ep.name) ?? 0,
    acquire: (ep) => void active.set(ep.name, (active.get(ep.name) ?? 0) + 1),
    release(ep) {
      const c = active.get(ep.name) ?? 0
      if (c > 0) active.set(ep.name, c - 1)
    },
  }
}

/** Chooses among the available endpoints given their active counts; undefined when none. */
export type ConnChooser = (ready: readonly Endpoint[], conns: ConnCount) => Endpoint | undefined

/**
 * The shell every connection-counting scheduler shares: the available endpoints, their active
 * counts (a pick, or an affinity hit via `acquire`, counts one; `release` ends it), and `choose`.
 */
export function createConnCountingBalancer(name: AlgorithmName, choose: ConnChooser): Balancer {
  let ready: readonly Endpoint[] = []
  const conns = createConnCount()
  return {
    name,
    pick() {
      const best = choose(ready, conns)
      if (best !== undefined) conns.acquire(best)
      return best
    },
    release: (ep) => conns.release(ep),
    acquire: (ep) => conns.acquire(ep),
    update(next) {
      ready = available(next)
    },
  }
}
