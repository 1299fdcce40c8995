/**
 * Where the load came from and how much of it stayed on the node it started on. Pure.
 *
 * A pod's request is from its own node when the client it names (X-Forwarded-For, else the TCP
 * source) is a client pod on that node, or that node's address: kube-proxy masquerades on the
 * client's node (hairpin, masqueradeAll), so a node address at the pod is the client's node.
 * Your own server (cluster.pod.command) sees nothing svcbench can read: there, what each node's
 * proxy sent the pod (the client's node is the node that balanced it).
 */
import { round6 } from './round.ts'
import { MAX_MATRIX_CLIENTS } from './addresses.ts'
import { compareAddresses } from '../util/ip.ts'
import type { VariantResult } from '../model/results.ts'
import type { VariantMeasurements } from './types.ts'

type Inputs = Pick<VariantMeasurements, 'variant' | 'topology' | 'pods' | 'proxies'>

/** Per pod, in topology order: requests from a client whose node is known, and those of them from the pod's own node. */
function perPod(m: Inputs): { known: number; same: number }[] {
  if (m.variant.cluster.command !== null) {
    // Your own server counts nothing: each node's proxy counted what it sent each pod, and an
    // in-cluster client's requests are balanced by its own node's proxy.
    return m.topology.pods.map((p) => m.proxies.reduce((a, px) => {
      const n = px.requestsByPod[p.name] ?? 0
      return { known: a.known + n, same: a.same + (px.node === p.node ? n : 0) }
    }, { known: 0, same: 0 }))
  }
  const nodeOf = new Map<string, string>([...m.topology.nodes.map((n) => [n.address, n.name] as const), ...(m.topology.clients ?? []).map((c) => [c.address, c.node] as const)])
  const stats = new Map(m.pods.map((p) => [p.name, p]))
  return m.topology.pods.map((p) => {
    let known = 0
    let same = 0
    for (const [client, n] of Object.entries(stats.get(p.name)?.byClient ?? {})) {
      const node = nodeOf.get(client)
      if (node === undefined) continue
      known += n
      if (node === p.node) same += n
    }
    return { known, same }
  })
}

/** Each pod's share of requests from clients on its own node (topology order); null for clients outside the cluster or a pod with none counted. */
export function sameNodeShares(m: Inputs): (number | null)[] {
  if (m.variant.load.from !== 'cluster') return m.topology.pods.map(() => null)
  return perPod(m).map((x) => (x.known === 0 ? null : round6(x.same / x.known)))
}

/** The results' `clients` section. */
export function clientsSummary(m: Inputs): NonNullable<VariantResult['clients']> {
  const v = m.variant
  if (v.load.from !== 'cluster') return { from: 'external', clientPods: null, byNode: {}, nodeByClient: {}, sameNodeShare: null, hairpinDecisions: 0 }
  const clients = m.topology.clients ?? []
  const byNode: Record<string, number> = {}
  for (const c of clients) byNode[c.node] = (byNode[c.node] ?? 0) + 1
  const nodeByClient = Object.fromEntries([...clients].sort((a, b) => compareAddresses(a.address, b.address)).slice(0, MAX_MATRIX_CLIENTS).map((c) => [c.address, c.node]))
  const rows = perPod(m)
  const known = rows.reduce((a, r) => a + r.known, 0)
  const same = rows.reduce((a, r) => a + r.same, 0)
  // A decision whose client address is the chosen pod's own: the pod called itself.
  const podAddress = new Map(m.topology.pods.map((p) => [p.name, p.address]))
  let hairpinDecisions = 0
  for (const px of m.proxies) {
    for (const [client, perPodDecisions] of Object.entries(px.byClient)) {
      for (const [pod, n] of Object.entries(perPodDecisions)) if (podAddress.get(pod) === client) hairpinDecisions += n
    }
  }
  return { from: 'cluster', clientPods: v.load.clientPods, byNode, nodeByClient, sameNodeShare: known === 0 ? null : round6(same / known), hairpinDecisions }
}
