/**
 * A UDP Service on the kernel dataplane: the nodes' conntrack UDP timeouts written where the
 * kernel reads them (each node namespace's own sysctls nf_conntrack_udp_timeout and
 * nf_conntrack_udp_timeout_stream, in seconds), and kube-proxy's conntrack cleanup after each
 * node's sync (proxy/udp-cleanup.ts says which entries, per version): `conntrack -D -p udp` of the
 * entries to the NodePort, and to the ClusterIP, whose reply source is a pod no longer serving,
 * or all of them.
 */
import { runTool } from './exec.ts'
import { sysctlScript } from './network.ts'
import { deleteFlows, flushUdpToEndpoint } from './rules/conntrack.ts'
import { udpCleanupFor } from '../../proxy/udp-cleanup.ts'
import { CLUSTER_IP } from './address-plan.ts'
import type { RuleEndpoint } from './rules/types.ts'
import type { ResolvedVariant } from '../../model/scenario.ts'

/** The sysctls of the variant's UDP conntrack timeouts (whole seconds: resolve checked them). */
export function udpTimeoutSysctls(v: Pick<ResolvedVariant, 'cluster'>): string[] {
  const s = (ms: number) => Math.max(1, Math.round(ms / 1000))
  return [`net.netfilter.nf_conntrack_udp_timeout=${s(v.cluster.conntrack.udpTimeoutMs)}`, `net.netfilter.nf_conntrack_udp_timeout_stream=${s(v.cluster.conntrack.udpStreamTimeoutMs)}`]
}

/** Write the UDP timeouts in every node namespace (its conntrack is the node's own). */
export async function setUdpTimeouts(netnsList: readonly string[], v: Pick<ResolvedVariant, 'cluster'>): Promise<void> {
  const script = sysctlScript(udpTimeoutSysctls(v))
  await Promise.all(netnsList.map((netns) => runTool('sh', ['-ec', script], { netns })))
}

/** A node's cleanup after each of its syncs: resolves with the entries deleted. */
export type UdpNodeCleanup = (node: string, netns: string, endpoints: readonly RuleEndpoint[]) => Promise<number>

/**
 * kube-proxy's UDP conntrack cleanup for the Service's NodePort and ClusterIP (`policy`), per
 * node: each node keeps the serving set its last sync saw. `podAddresses` are every pod slot's
 * address (the reply sources an entry can have).
 *
 * The ClusterIP's entries (orig dst = the ClusterIP, reply src = an endpoint) are those of
 * in-cluster clients: cleanup.go's `filterForIPPortNAT` (1.32 on: the ClusterIP and the Service
 * port) and `filterForNAT` / `filterForIP` (1.31: the ClusterIP alone; the ClusterIP serves one
 * port here, so both select the same entries). They are looked for only when in-cluster clients
 * run: with clients outside the cluster no entry has the ClusterIP as its destination, and every
 * `conntrack -D` costs a process. A ClusterIP Service has no NodePort to match.
 */
export function createUdpCleanup(v: Pick<ResolvedVariant, 'service' | 'load'>, podAddresses: readonly string[]): UdpNodeCleanup {
  const before = new Map<string, Set<string>>()
  const nodePort = v.service.type === 'ClusterIP' ? null : v.service.nodePort
  const serviceIp = v.load.from === 'cluster' ? CLUSTER_IP : null
  return async (node, netns, endpoints) => {
    // Serving, whatever the traffic policy (cleanup.go: changes to the Service do not affect existing flows).
    const after = new Set(endpoints.filter((e) => e.serving).map((e) => e.address))
    const c = udpCleanupFor(v.service.udpConntrackCleanup, before.get(node) ?? new Set(), after)
    before.set(node, after)
    if (c.kind === 'none') return 0
    if (c.kind === 'all') {
      const filters = [...(nodePort === null ? [] : [['--orig-port-dst', String(nodePort)]]), ...(serviceIp === null ? [] : [['--orig-dst', serviceIp]])]
      let flushed = 0
      for (const f of filters) flushed += await deleteFlows(netns, f)
      return flushed
    }
    let deleted = 0
    for (const a of podAddresses.filter((x) => c.drop(x))) deleted += await flushUdpToEndpoint(netns, { serviceIp, nodePort, endpointIp: a })
    return deleted
  }
}
