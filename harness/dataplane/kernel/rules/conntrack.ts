/**
 * Conntrack as kube-proxy leaves it after an endpoint change (pkg/proxy/conntrack/cleanup.go
 * `CleanStaleEntries`, called at the end of every `syncProxyRules`):
 * - TCP entries are never deleted: an established connection keeps its pod (its DNAT is in the
 *   conntrack entry, and the NAT chains see only new connections).
 * - UDP entries whose original destination is the Service IP (or whose original destination port
 *   is the NodePort) and whose reply source is not a serving endpoint are deleted (filterForNAT,
 *   filterForPortNAT). Without that, a client that keeps its source port (a resolver) keeps
 *   sending to the removed pod while the entry lives (kubernetes#48370).
 * `conntrack -D` with the same filters does what kube-proxy's netlink filter does; older
 * kube-proxies ran `conntrack -D --orig-dst <svc> --dst-nat <ep> -p udp`, the same entries.
 */
import { HarnessError } from '../../../errors.ts'
import { KERNEL_RULES_ERROR_CODE, runInNetns } from './netns-exec.ts'

/** Which UDP flows to delete: those to the Service IP and/or NodePort that were answered by `endpointIp`. */
export interface UdpFlowTarget {
  /** The Service's ClusterIP (`--orig-dst`); null skips the ClusterIP filter. */
  serviceIp: string | null
  /** The Service's NodePort (`--orig-port-dst`); null skips the NodePort filter. */
  nodePort: number | null
  /** The endpoint no longer serving (`--reply-src`). */
  endpointIp: string
}

/** conntrack's summary line, e.g. `0 flow entries have been deleted.` (exit 1 when 0). */
const DELETED = /(\d+) flow entries have been deleted/

/** One `conntrack -D -p udp …` in `netns` with `filter`; resolves with how many entries it deleted. */
export async function deleteFlows(netns: string, filter: string[]): Promise<number> {
  const argv = ['conntrack', '-D', '-p', 'udp', ...filter]
  const r = await runInNetns(netns, argv)
  const m = DELETED.exec(r.stderr + r.stdout)
  if (m !== null) return Number(m[1])
  throw new HarnessError(KERNEL_RULES_ERROR_CODE, `deleting UDP conntrack entries in netns "${netns}": ${argv.join(' ')} exited ${r.code}: ${r.stderr.trim()}`)
}

/**
 * Deletes the UDP conntrack entries of `netns` that kube-proxy deletes once `endpointIp` stops
 * serving the Service; resolves with the number deleted.
 */
export async function flushUdpToEndpoint(netns: string, target: UdpFlowTarget): Promise<number> {
  let deleted = 0
  if (target.serviceIp !== null) deleted += await deleteFlows(netns, ['--orig-dst', target.serviceIp, '--reply-src', target.endpointIp])
  if (target.nodePort !== null) deleted += await deleteFlows(netns, ['--orig-port-dst', String(target.nodePort), '--reply-src', target.endpointIp])
  return deleted
}
