/**
 * What kube-proxy does to a UDP Service's conntrack entries when its endpoints change, per
 * version (`service.udpConntrackCleanup`). Pure: both dataplanes act on its answer (the proxy's
 * flow tables, the kernel's `conntrack -D`).
 *
 * - `kube-proxy` (1.32 on, pkg/proxy/conntrack/cleanup.go `CleanStaleEntries`, run after every
 *   sync): while the Service has at least one serving endpoint, every entry to it (its NodePort,
 *   its ClusterIP) whose reply source is not a serving endpoint is deleted; "a Service without
 *   endpoints does not require to clean the conntrack entries", so with none serving nothing is.
 *   Serving counts every endpoint, whatever the traffic policy ("changes to the service should
 *   not affect existing flows").
 * - `kube-proxy-1.31` (the same file before the reconciler: `deleteStaleEndpointConntrackEntries`
 *   and `deleteStaleServiceConntrackEntries`): the entries to each endpoint that stopped serving
 *   in this sync are deleted, and when the Service goes from no endpoints to some, every entry to
 *   it is flushed (entries made while it had none were never DNATed: kubernetes#48370).
 * - `none`: nothing; an entry lives until it expires, and while its client keeps sending it is
 *   refreshed and never does (the blackhole of kubernetes#48370 and #125467).
 */
import type { UdpConntrackCleanup } from '../model/scenario.ts'

/** Which entries a sync deletes: those whose endpoint address `drop` names (`all`: every entry of the Service). */
export type UdpCleanup = { kind: 'none' } | { kind: 'all' } | { kind: 'endpoints'; drop: (endpointAddress: string) => boolean }

/** The entries a sync that took the serving endpoints from `before` to `after` (addresses) deletes. */
export function udpCleanupFor(policy: UdpConntrackCleanup, before: ReadonlySet<string>, after: ReadonlySet<string>): UdpCleanup {
  if (policy === 'none') return { kind: 'none' }
  if (policy === 'kube-proxy') return after.size === 0 ? { kind: 'none' } : { kind: 'endpoints', drop: (a) => !after.has(a) }
  if (before.size === 0 && after.size > 0) return { kind: 'all' }
  const gone = new Set([...before].filter((a) => !after.has(a)))
  return gone.size === 0 ? { kind: 'none' } : { kind: 'endpoints', drop: (a) => gone.has(a) }
}
