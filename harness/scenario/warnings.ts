/** Things worth saying about a resolved variant that are not errors (STYLE.md §2: warn, do not refuse). */
import { CLIENT_HASHING } from '../balancers/registry.ts'
import type { ResolvedNode, ResolvedVariant } from '../model/scenario.ts'
import { KERNEL_IPVS_TIMEOUTS } from '../model/kube-proxy.ts'
import { lbHealthCheckCanPass } from '../lb/health.ts'

/** The warnings for one variant; `multi` prefixes each with the variant's name. `clientIpsSet`: load.clientIps was set, not defaulted. */
export function warningsFor(v: ResolvedVariant, multi: boolean, opts: { clientIpsSet: boolean } = { clientIpsSet: true }): string[] {
  const out: string[] = []
  const tag = multi ? `variant "${v.name}": ` : ''
  // (a default the user never set is not worth a warning: the default load has more addresses than connections)
  // The open model without keep-alive cycles client addresses per request; with it, per pooled connection.
  const conns = v.load.model === 'closed' ? v.load.connections : v.load.keepAlive ? v.load.maxConnections : Infinity
  if (opts.clientIpsSet && v.load.clientIps > conns) {
    const what = v.load.model === 'closed' ? 'load.connections' : 'load.maxConnections'
    out.push(`${tag}load.clientIps is ${v.load.clientIps} but only ${conns} connections run, so only ${conns} client addresses are used; raise ${what} to use them all`)
  }
  const hashing = CLIENT_HASHING.has(v.service.algorithm) || v.service.sessionAffinity === 'ClientIP'
  if (hashing && Math.min(v.load.clientIps, v.load.connections) === 1) {
    out.push(`${tag}${v.service.sessionAffinity === 'ClientIP' ? 'ClientIP session affinity' : v.service.algorithm} with a single client address sends every connection to one pod (all clients behind one NAT); this is a legitimate experiment, not an error`)
  }
  const t = v.service.ipvsTimeouts
  if (t.tcpMs !== KERNEL_IPVS_TIMEOUTS.tcpMs || (t.udpMs !== KERNEL_IPVS_TIMEOUTS.udpMs && v.service.protocol !== 'UDP')) {
    out.push(`${tag}service.ipvs.tcpTimeout and udpTimeout are recorded only: svcbench keeps an open connection's IPVS entry for its whole life (the kernel drops one idle for tcpTimeout), and udpTimeout applies to UDP Services only; tcpFinTimeout is modelled`)
  }
  if (v.load.from === 'external') {
    if (v.service.internalTrafficPolicy === 'Local') {
      out.push(`${tag}internalTrafficPolicy applies to in-cluster traffic; this load's clients are external (NodePort), so it has no effect here; load.from: 'cluster' sends it from client pods`)
    }
    if (v.service.masqueradeAll) out.push(`${tag}service.masqueradeAll applies to ClusterIP traffic; this load's clients are external (NodePort), so it has no effect here; load.from: 'cluster' sends it from client pods`)
  } else if (v.service.internalTrafficPolicy === 'Local') {
    // kube-proxy DROPs ClusterIP traffic on a node without a local endpoint (plan.ts internalVerdict).
    const withClients = (n: ResolvedNode) => (v.load.clientPods === 'endpoints' ? n.pods > 0 : v.load.clientNodes.includes(n.name))
    const empty = v.cluster.nodes.filter((n) => withClients(n) && n.podSpecs.every((ps) => ps.weight === 0))
    if (empty.length > 0) {
      out.push(`${tag}internalTrafficPolicy Local: ${empty.map((n) => n.name).join(', ')} run${empty.length === 1 ? 's' : ''} client pods but no pod of the Service, so those clients' connections are dropped (they time out)`)
    }
  }
  // (behind a LoadBalancer its health check on healthCheckNodePort keeps nodes without pods out)
  if (v.service.externalTrafficPolicy === 'Local' && v.service.type === 'NodePort') {
    const empty = v.cluster.nodes.filter((n) => v.load.via.includes(n.name) && n.podSpecs.every((ps) => ps.weight === 0))
    if (empty.length > 0) {
      out.push(`${tag}externalTrafficPolicy Local: ${empty.map((n) => n.name).join(', ')} receive${empty.length === 1 ? 's' : ''} clients but run${empty.length === 1 ? 's' : ''} no pod, so those connections are dropped (clients time out)`)
    }
  }
  const lb = v.service.loadBalancer
  if (lb !== null && v.load.from !== 'cluster' && !lbHealthCheckCanPass(v.service)) {
    const then = lb.allUnhealthy === 'fail-open' ? 'it fails open, so a failed node keeps its share of flows' : 'with allUnhealthy "refuse" every flow is refused'
    out.push(`${tag}a UDP Service behind ${lb.preset} under externalTrafficPolicy Cluster: every node fails the NLB's TCP health check (a TCP connect to a NodePort that answers UDP only); ${then}; externalTrafficPolicy Local gives a health check that works (HTTP /healthz on healthCheckNodePort)`)
  }
  return out
}
