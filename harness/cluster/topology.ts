/** Where every node and pod of a variant is: pure, computed before anything starts. */
import { clientPlacement, podPlacement } from '../scenario/topology.ts'
import type { ClusterAddressing } from '../dataplane/types.ts'
import type { ResolvedNode, ResolvedPodSpec, ResolvedVariant } from '../model/scenario.ts'

/** First port of the hop relays: a node relays port HOP_PORT_BASE + j to its local pod j. */
export const HOP_PORT_BASE = 40000

/** A pod as placed in the cluster. */
export interface PlacedPod {
  name: string
  node: string
  address: string
  port: number
  /** Port on its node's address where the node relays hop traffic to this pod. */
  hopPort: number
  spec: ResolvedPodSpec
  /** A free slot for scale-ups and rolling-update surges: not started, not an endpoint, at first. */
  spare: boolean
}

/** A node as placed in the cluster. */
export interface PlacedNode {
  name: string
  address: string
  nodePort: number
  /** Where its pods reach the Service's ClusterIP (ClusterAddressing.clusterIp). */
  clusterIp: string
}

/** An in-cluster client pod (load.from 'cluster') as placed in the cluster. */
export interface PlacedClient {
  /** `client-<k+1>`. */
  name: string
  node: string
  /** Its address: client address k (the Service's pod's own with clientPods 'endpoints'). */
  address: string
  /** The Service's pod it is (clientPods 'endpoints'); null for a client pod of its own. */
  pod: string | null
}

/** Where everything is; pure, computed before anything starts. */
export interface Topology {
  nodes: PlacedNode[]
  pods: PlacedPod[]
  /** In-cluster clients in client-address order; empty for clients outside the cluster. */
  clients: PlacedClient[]
}

/**
 * Nodes and pods of a variant on the plan's addresses (the run's loopback block, an AddressPlan,
 * or a dataplane's own addressing).
 */
export function placeTopology(v: ResolvedVariant, plan: Pick<ClusterAddressing, 'node' | 'pod' | 'clientPod' | 'clusterIp'>): Topology {
  const nodes = v.cluster.nodes.map((n, i) => ({ name: n.name, address: plan.node(i), nodePort: v.service.nodePort, clusterIp: plan.clusterIp(i) }))
  const nodeIndex = new Map(v.cluster.nodes.map((n, i) => [n.name, i]))
  // Each pod's place among its node's slots (a dataplane may give every node its own pod CIDR).
  const slotsTaken = v.cluster.nodes.map(() => 0)
  const slotOn = (node: string) => {
    const i = nodeIndex.get(node) as number
    return [i, slotsTaken[i]!++] as const
  }
  const pods: PlacedPod[] = podPlacement(v.cluster.nodes).map((x, j) => ({
    name: x.name,
    node: x.node.name,
    address: plan.pod(j, ...slotOn(x.node.name)),
    port: v.cluster.podPort,
    hopPort: HOP_PORT_BASE + j,
    spec: x.node.podSpecs[x.indexOnNode] as ResolvedPodSpec,
    spare: false,
  }))
  const j = pods.length
  // Free slots continue the walk over the nodes; they run the scenario's base pod settings.
  const base = { weight: 1, ...v.cluster.pod }
  for (let k = 0; k < v.cluster.spareSlots; k++) {
    const n = v.cluster.nodes[(j + k) % v.cluster.nodes.length] as ResolvedNode
    pods.push({ name: `pod-${j + k + 1}`, node: n.name, address: plan.pod(j + k, ...slotOn(n.name)), port: v.cluster.podPort, hopPort: HOP_PORT_BASE + j + k, spec: base, spare: true })
  }
  return { nodes, pods, clients: placeClients(v, plan, pods, nodeIndex) }
}

/** The in-cluster clients on the plan's addresses: a client pod of its own, or the Service's pod it is. */
function placeClients(v: ResolvedVariant, plan: Pick<ClusterAddressing, 'clientPod'>, pods: readonly PlacedPod[], nodeIndex: ReadonlyMap<string, number>): PlacedClient[] {
  const podAddress = new Map(pods.map((p) => [p.name, p.address]))
  const onNode = new Map<string, number>()
  return clientPlacement(v).map((c, k) => {
    if (c.pod !== null) return { ...c, address: podAddress.get(c.pod) as string }
    const slot = onNode.get(c.node) ?? 0
    onNode.set(c.node, slot + 1)
    return { ...c, address: plan.clientPod(k, nodeIndex.get(c.node) as number, slot) }
  })
}
