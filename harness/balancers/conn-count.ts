/**
 * Active-connection counts shared by the connection-aware IPVS schedulers (lc, wlc, sed, nq).
 * Keyed by endpoint name so that counts survive an update that keeps the endpoint.
 */
import type { Endpoint } from './types.ts'

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
