/**
 * The kernel dataplane's addresses: RFC 2544's benchmarking range 198.18.0.0/15, used only
 * inside the run's own network namespaces (every run has the same plan: its namespaces keep runs
 * apart). Pure.
 *
 *   198.18.0.(i+1)/24     node i on the fabric's bridge (i < 250); 198.18.0.254 the fabric's own
 *   198.18.1.1 / .2 /30   the fabric ↔ client link (fabric side, client side)
 *   198.18.2.1            the front load balancer (on the fabric's loopback)
 *   198.18.64.0/20        the Service CIDR: the Service's ClusterIP is 198.18.64.1 (a virtual IP:
 *                         no interface has it; every node's rules DNAT it)
 *   198.18.128.0/17       client source addresses: client k is 198.18.128.(k+1)... (k < 32766)
 *   198.19.0.0/16         the cluster CIDR: node i's pod CIDR is the i-th block of 2^b addresses
 *                         (b ≥ 8, large enough for the node's pod slots); pod slot m on the node
 *                         is its (m+2)-th address (the first two left free, as a bridge CNI keeps
 *                         one for itself): with /24 blocks, node i's pods are 198.19.i.2, .3, ...
 *                         With in-cluster client pods the block's upper half is theirs: its first
 *                         address is their namespace's own, client m on the node is the (m+1)-th
 *                         after it (198.19.i.129, .130, ... in a /24); pods keep the lower half.
 */
import { intToIpv4, ipv4ToInt } from '../../util/ip.ts'
import type { ScenarioIssue } from '../../errors.ts'
import type { ResolvedVariant } from '../../model/scenario.ts'
import type { ClusterAddressing } from '../types.ts'
import { clientPlacement } from '../../scenario/topology.ts'

/** The whole range the kernel dataplane uses (RFC 2544 §C.2.2). */
export const KERNEL_RANGE = '198.18.0.0/15'
/** The fabric's address on the nodes' bridge (every node's default gateway). */
export const FABRIC_ADDRESS = '198.18.0.254'
/** The fabric's end of its link to the client namespace. */
export const FABRIC_CLIENT_LINK = '198.18.1.1'
/** The client namespace's end of that link. */
export const CLIENT_LINK = '198.18.1.2'
/** The front load balancer's address, in the fabric. */
export const FRONT_LB_ADDRESS = '198.18.2.1'
/** Where client source addresses live (a local route in the client namespace). */
export const CLIENT_RANGE = '198.18.128.0/17'
/** The cluster CIDR (kube-proxy's `--cluster-cidr`): every node's pod CIDR lies in it. */
export const CLUSTER_CIDR = '198.19.0.0/16'
/** The Service CIDR (kube-apiserver's `--service-cluster-ip-range`): the ClusterIP is taken from it. */
export const SERVICE_CIDR = '198.18.64.0/20'
/** The Service's ClusterIP: the virtual IP every node's kube-proxy rules intercept. */
export const CLUSTER_IP = '198.18.64.1'
/** Most nodes on the fabric's /24 (.1 to .250). */
export const MAX_KERNEL_NODES = 250
/** Most client addresses (the /17 less its first and last). */
export const MAX_KERNEL_CLIENTS = 32_766

const CLIENT_BASE = ipv4ToInt('198.18.128.0')
const CLUSTER_BASE = ipv4ToInt('198.19.0.0')
const CLUSTER_SIZE = 65_536

/** The kernel dataplane's addresses for one variant. */
export interface KernelAddressPlan extends ClusterAddressing {
  /** Bits of each node's pod CIDR block (8 = /24). */
  podBlockBits: number
  /** Node i's pod CIDR, e.g. `198.19.1.0/24`. */
  podCidr(i: number): string
  /** Node i's client pods' range (the upper half of its pod CIDR, e.g. `198.19.1.128/25`) and their namespace's own address in it; null without client pods. */
  clientRange(i: number): { cidr: string; gateway: string } | null
}

/** In-cluster client pods on each node (load.clientPods 'separate'; the Service's pods as clients need no addresses of their own). */
export function clientsPerNode(v: Pick<ResolvedVariant, 'cluster' | 'load' | 'service'>): number[] {
  const counts = v.cluster.nodes.map(() => 0)
  const index = new Map(v.cluster.nodes.map((n, i) => [n.name, i]))
  for (const c of clientPlacement(v)) if (c.pod === null) counts[index.get(c.node) as number]! += 1
  return counts
}

/**
 * Pod slots on each node, spare ones included, as cluster/topology.ts places them: the
 * scenario's pods per node, then the free slots continuing the walk over the nodes.
 */
export function slotsPerNode(v: Pick<ResolvedVariant, 'cluster'>): number[] {
  const nodes = v.cluster.nodes
  const slots = nodes.map((n) => n.pods)
  const placed = slots.reduce((a, b) => a + b, 0)
  for (let k = 0; k < v.cluster.spareSlots; k++) slots[(placed + k) % nodes.length]! += 1
  return slots
}

/**
 * Bits of the per-node pod block: the smallest block (at least a /24) that holds the pods after its
 * first two addresses, and its last; with client pods, each half holds its own (the pods after the
 * half's first two, the clients after its first, each half's last left free).
 */
function blockBits(maxSlots: number, maxClients = 0): number {
  let b = 8
  if (maxClients === 0) {
    while (2 ** b < maxSlots + 3) b++
  } else {
    while (2 ** (b - 1) < Math.max(maxSlots + 3, maxClients + 2)) b++
  }
  return b
}

/** The block bits of a variant's plan. */
function bitsOf(v: Pick<ResolvedVariant, 'cluster' | 'load' | 'service'>): number {
  return blockBits(Math.max(0, ...slotsPerNode(v)), Math.max(0, ...clientsPerNode(v)))
}

/** Where the kernel dataplane cannot lay out the variant's addresses; empty when it can. */
export function kernelAddressIssues(v: Pick<ResolvedVariant, 'cluster' | 'load' | 'service'>): ScenarioIssue[] {
  const issues: ScenarioIssue[] = []
  const slots = slotsPerNode(v)
  const bits = bitsOf(v)
  if (v.cluster.nodes.length > MAX_KERNEL_NODES) issues.push({ path: 'cluster.nodes', message: `got ${v.cluster.nodes.length} nodes; the kernel dataplane fits at most ${MAX_KERNEL_NODES} on its fabric` })
  if (v.cluster.nodes.length * 2 ** bits > CLUSTER_SIZE) {
    issues.push({ path: 'cluster.nodes', message: `got ${v.cluster.nodes.length} nodes with up to ${Math.max(...slots)} pod slots on one: their pod CIDRs (/${32 - bits} each) do not fit the cluster CIDR ${CLUSTER_CIDR}; spread the pods more evenly or use fewer nodes` })
  }
  if (v.load.clientIps > MAX_KERNEL_CLIENTS) issues.push({ path: 'load.clientIps', message: `got ${v.load.clientIps}; the kernel dataplane has at most ${MAX_KERNEL_CLIENTS} client addresses (${CLIENT_RANGE})` })
  return issues
}

/** The variant's kernel addresses (check {@link kernelAddressIssues} first). */
export function kernelAddressPlan(v: Pick<ResolvedVariant, 'cluster' | 'load' | 'service'>): KernelAddressPlan {
  const bits = bitsOf(v)
  const block = (i: number) => CLUSTER_BASE + i * 2 ** bits
  const half = (i: number) => block(i) + 2 ** (bits - 1)
  const withClients = clientsPerNode(v).map((n) => n > 0)
  return {
    podBlockBits: bits,
    frontLb: FRONT_LB_ADDRESS,
    node: (i) => `198.18.0.${i + 1}`,
    pod: (_j, nodeIndex, slot) => intToIpv4(block(nodeIndex) + 2 + slot),
    client: (k) => intToIpv4(CLIENT_BASE + 1 + k),
    podCidr: (i) => `${intToIpv4(block(i))}/${32 - bits}`,
    clientPod: (_k, nodeIndex, slot) => intToIpv4(half(nodeIndex) + 1 + slot),
    clientRange: (i) => (withClients[i] === true ? { cidr: `${intToIpv4(half(i))}/${33 - bits}`, gateway: intToIpv4(half(i)) } : null),
    // Every node intercepts the one virtual IP (its rules DNAT it; no interface has it).
    clusterIp: () => CLUSTER_IP,
  }
}
