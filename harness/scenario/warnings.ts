/** Things worth saying about a resolved variant that are not errors (STYLE.md §2: warn, do not refuse). */
import { CLIENT_HASHING } from '../balancers/registry.ts'
import type { ResolvedVariant } from '../model/scenario.ts'

/** The warnings for one variant; `multi` prefixes each with the variant's name. */
export function warningsFor(v: ResolvedVariant, multi: boolean): string[] {
  const out: string[] = []
  const tag = multi ? `variant "${v.name}": ` : ''
  // The open model without keep-alive cycles client addresses per request; with it, per pooled connection.
  const conns = v.load.model === 'closed' ? v.load.connections : v.load.keepAlive ? v.load.maxConnections : Infinity
  if (v.load.clientIps > conns) {
    const what = v.load.model === 'closed' ? 'load.connections' : 'load.maxConnections'
    out.push(`${tag}load.clientIps is ${v.load.clientIps} but only ${conns} connections run, so only ${conns} client addresses are used; raise ${what} to use them all`)
  }
  const hashing = CLIENT_HASHING.has(v.service.algorithm) || v.service.sessionAffinity === 'ClientIP'
  if (hashing && Math.min(v.load.clientIps, v.load.connections) === 1) {
    out.push(`${tag}${v.service.sessionAffinity === 'ClientIP' ? 'ClientIP session affinity' : v.service.algorithm} with a single client address sends every connection to one pod (all clients behind one NAT); this is a legitimate experiment, not an error`)
  }
  if (v.service.internalTrafficPolicy === 'Local') {
    out.push(`${tag}internalTrafficPolicy applies to in-cluster traffic; svcbench's clients are external (NodePort), so it has no effect here`)
  }
  if (v.service.externalTrafficPolicy === 'Local') {
    const empty = v.cluster.nodes.filter((n) => v.load.via.includes(n.name) && n.podSpecs.every((ps) => ps.weight === 0))
    if (empty.length > 0) {
      out.push(`${tag}externalTrafficPolicy Local: ${empty.map((n) => n.name).join(', ')} receive${empty.length === 1 ? 's' : ''} clients but run${empty.length === 1 ? 's' : ''} no pod, so those connections are dropped (clients time out)`)
    }
  }
  return out
}
