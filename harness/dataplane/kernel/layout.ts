/**
 * The run's network, written out as `ip -batch` lines. Pure: computing it creates nothing.
 *
 * Namespaces (every name starts with the run's prefix, `svb-<run>-<k>`):
 *   <prefix>-fab   the fabric: a bridge `br0` joining every node's uplink, a link `cl0` to the
 *                  client namespace, the front load balancer's address on its loopback
 *   <prefix>-cl    the clients: every client source address (a local route over the client
 *                  range on its loopback) behind one link `eth0` to the fabric
 *   <prefix>-n<i>  node i: uplink `eth0` on the bridge, one veth `p<j>` to each of its pods
 *   <prefix>-p<j>  pod slot j: its address on `eth0` (a /32), its default route via its node's
 *                  address, as a CNI plugin lays a pod out (Calico style: the node routes the
 *                  pod's /32 to the veth, whose node side has no address of its own, so that a
 *                  masqueraded connection to a local pod comes from the node's address)
 *   <prefix>-h<i>  with per-node pod hosts, the one namespace all of node i's pods share (a
 *                  process lives in one namespace), behind one veth `pods` from the node
 *   <prefix>-c<i>  node i's in-cluster client pods (load.from 'cluster'): one namespace for all
 *                  of them (one load generator runs in it), behind one veth `cp` from the node;
 *                  their addresses are the upper half of the node's pod CIDR (pods to kube-proxy:
 *                  inside the cluster CIDR), all local there (a local route over the range), and
 *                  the node routes the range to them via the namespace's own address
 *
 * Nodes reach each other's pod CIDRs by a route via the owning node's address (host-gw, as
 * flannel's host-gw backend does). Every neighbour entry is written permanent: the kernel's
 * neighbour table is shared by all namespaces and holds 1024 learned entries host-wide
 * (net.ipv4.neigh.default.gc_thresh3), fewer than a large cluster's veths need; permanent entries
 * are exempt from that limit (net/core/neighbour.c, neigh_alloc's exempt_from_gc).
 */
import { CLIENT_LINK, CLIENT_RANGE, FABRIC_ADDRESS, FABRIC_CLIENT_LINK, type KernelAddressPlan } from './address-plan.ts'
import type { DataplaneTopology } from '../types.ts'

/** One node of the layout. */
export interface LayoutNode {
  name: string
  index: number
  netns: string
  address: string
  podCidr: string
}

/** The run's network. */
export interface KernelLayout {
  prefix: string
  fabric: string
  client: string
  nodes: LayoutNode[]
  /** Each pod slot's namespace. */
  podNetns: Map<string, string>
  /** Each node's shared pod namespace, with per-node pod hosts. */
  hostNetns: Map<string, string>
  /** Where the in-cluster clients live: each namespace with the client addresses in it, in client order (a load generator runs in each). */
  clientPlaces: { netns: string; addresses: string[] }[]
  /** Every namespace, in creation order. */
  namespaces: string[]
  /** Lines for `ip -batch` in this process's namespace: the namespaces and the veths (each created straight into its namespaces). */
  create: string[]
  /** Lines for `ip -n <netns> -batch`, per namespace: addresses, routes, neighbours, links up. */
  configure: Map<string, string[]>
  /** sysctl settings per namespace (`key=value`, e.g. `net.ipv4.ip_forward=1`). */
  sysctls: Map<string, string[]>
}

/** Options for {@link kernelLayout}. */
export interface KernelLayoutOptions {
  /** Namespace name prefix, unique to the run. */
  prefix: string
  /** One namespace per node for all its pods (per-node pod hosts). @default false */
  sharedPodNetns?: boolean
  /**
   * A front load balancer that connects to nodes from its clients' addresses (preserveClientIp):
   * those addresses are the fabric's own too, and the nodes' answers to them are delivered to it.
   */
  lbPreservesClientIp?: boolean
}

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0').match(/../g)!.join(':')
/** A locally administered MAC address: 02:<kind>:<n in 4 bytes>. */
const mac = (kind: number, n: number) => `02:${hex(kind, 1)}:${hex(n, 4)}`
const MAC = {
  node: (i: number) => mac(0x10, i),
  bridge: mac(0x11, 0),
  fabricClient: mac(0x12, 0),
  client: mac(0x12, 1),
  podNodeSide: (j: number) => mac(0x20, j),
  pod: (j: number) => mac(0x21, j),
  clientsNodeSide: (i: number) => mac(0x30, i),
  clients: (i: number) => mac(0x31, i),
}
const permanent = (address: string, lladdr: string, dev: string) => `neigh replace ${address} lladdr ${lladdr} dev ${dev} nud permanent`
/** No IPv6 link-local address, so no neighbour discovery traffic on the run's links. */
const up = (dev: string) => [`link set ${dev} addrgenmode none`, `link set ${dev} up`]

/** The network of `topology` on the plan's addresses. */
export function kernelLayout(topology: DataplaneTopology, plan: KernelAddressPlan, opts: KernelLayoutOptions): KernelLayout {
  const { prefix } = opts
  const fabric = `${prefix}-fab`
  const client = `${prefix}-cl`
  const nodes: LayoutNode[] = topology.nodes.map((n, i) => ({ name: n.name, index: i, netns: `${prefix}-n${i}`, address: n.address, podCidr: plan.podCidr(i) }))
  const nodeOf = new Map(nodes.map((n) => [n.name, n]))
  const podNetns = new Map<string, string>()
  const hostNetns = new Map<string, string>()
  const create = [`netns add ${fabric}`, `netns add ${client}`, ...nodes.map((n) => `netns add ${n.netns}`)]
  const configure = new Map<string, string[]>()
  const lines = (ns: string) => configure.get(ns) ?? (configure.set(ns, ['link set lo up']).get(ns) as string[])
  const sysctls = new Map<string, string[]>([[fabric, ['net.ipv4.ip_forward=1']]])

  // The fabric and the clients.
  create.push(`link add name br0 netns ${fabric} address ${MAC.bridge} type bridge`)
  create.push(`link add name cl0 netns ${fabric} address ${MAC.fabricClient} type veth peer name eth0 netns ${client} address ${MAC.client}`)
  const fab = lines(fabric)
  fab.push(...up('br0'), `addr add ${FABRIC_ADDRESS}/24 dev br0`, ...up('cl0'), `addr add ${FABRIC_CLIENT_LINK}/30 dev cl0`, permanent(CLIENT_LINK, MAC.client, 'cl0'), `addr add ${plan.frontLb}/32 dev lo`, `route add ${CLIENT_RANGE} via ${CLIENT_LINK} dev cl0`)
  if (opts.lbPreservesClientIp === true) {
    // The load balancer connects to nodes from its clients' addresses, so they must be its own
    // (a route in the local table: bind() and the output route accept them) while what it sends
    // to them still leaves for the client namespace: locally sent traffic to the client range
    // looks up the main table before the local one. The nodes' answers (from br0) are delivered
    // to it; the clients' packets still pass the source check (its reverse lookup is "iif lo").
    fab.push(`rule add pref 10 iif lo to ${CLIENT_RANGE} lookup main`, 'rule add pref 20 lookup local', 'rule del pref 0', `route add local ${CLIENT_RANGE} dev lo table local`)
  }
  lines(client).push(...up('eth0'), `addr add ${CLIENT_LINK}/30 dev eth0`, permanent(FABRIC_CLIENT_LINK, MAC.fabricClient, 'eth0'), `route add default via ${FABRIC_CLIENT_LINK} dev eth0`, `route add local ${CLIENT_RANGE} dev lo`)

  // Nodes on the bridge, each routing the others' pod CIDRs via them.
  for (const n of nodes) {
    create.push(`link add name n${n.index} netns ${fabric} type veth peer name eth0 netns ${n.netns} address ${MAC.node(n.index)}`)
    fab.push(`link set n${n.index} master br0`, ...up(`n${n.index}`), permanent(n.address, MAC.node(n.index), 'br0'))
    sysctls.set(n.netns, ['net.ipv4.ip_forward=1'])
    const l = lines(n.netns)
    l.push(...up('eth0'), `addr add ${n.address}/24 dev eth0`, permanent(FABRIC_ADDRESS, MAC.bridge, 'eth0'), `route add default via ${FABRIC_ADDRESS} dev eth0`)
    for (const o of nodes) if (o !== n) l.push(permanent(o.address, MAC.node(o.index), 'eth0'), `route add ${o.podCidr} via ${o.address} dev eth0`)
  }

  // Pods behind veths from their node.
  topology.pods.forEach((p, j) => {
    const n = nodeOf.get(p.node) as LayoutNode
    if (opts.sharedPodNetns === true) {
      const ns = `${prefix}-h${n.index}`
      podNetns.set(p.name, ns)
      if (!hostNetns.has(n.name)) {
        hostNetns.set(n.name, ns)
        create.push(`netns add ${ns}`, `link add name pods netns ${n.netns} address ${MAC.podNodeSide(n.index)} type veth peer name eth0 netns ${ns} address ${MAC.pod(n.index)}`)
        lines(n.netns).push(...up('pods'))
        lines(ns).push(...up('eth0'), ...podRoutes(n.address, MAC.podNodeSide(n.index)))
      }
      lines(ns).push(`addr add ${p.address}/32 dev eth0`)
      lines(n.netns).push(permanent(p.address, MAC.pod(n.index), 'pods'), `route add ${p.address}/32 dev pods scope link`)
      return
    }
    const ns = `${prefix}-p${j}`
    podNetns.set(p.name, ns)
    create.push(`netns add ${ns}`, `link add name p${j} netns ${n.netns} address ${MAC.podNodeSide(j)} type veth peer name eth0 netns ${ns} address ${MAC.pod(j)}`)
    lines(n.netns).push(...up(`p${j}`), permanent(p.address, MAC.pod(j), `p${j}`), `route add ${p.address}/32 dev p${j} scope link`)
    lines(ns).push(...up('eth0'), `addr add ${p.address}/32 dev eth0`, ...podRoutes(n.address, MAC.podNodeSide(j)))
  })
  const clientNetns = layClientPods(nodes, plan, { prefix, create, lines })
  const byNetns = new Map<string, string[]>()
  for (const c of topology.clients) {
    const ns = (c.pod === null ? clientNetns.get(c.node) : podNetns.get(c.pod)) as string
    byNetns.set(ns, [...(byNetns.get(ns) ?? []), c.address])
  }
  const clientPlaces = [...byNetns].map(([netns, addresses]) => ({ netns, addresses }))
  const namespaces = create.filter((l) => l.startsWith('netns add ')).map((l) => l.slice('netns add '.length))
  return { prefix, fabric, client, nodes, podNetns, hostNetns, clientPlaces, namespaces, create, configure, sysctls }
}

/**
 * Each node's client pods' namespace (nodes with a client range only), by node name: behind a veth
 * from the node, its own address the range's first, every address of the range local (clients bind
 * any of them), the node routing the range to it via that address (one permanent neighbour).
 */
function layClientPods(nodes: readonly LayoutNode[], plan: KernelAddressPlan, to: { prefix: string; create: string[]; lines: (ns: string) => string[] }): Map<string, string> {
  const out = new Map<string, string>()
  for (const n of nodes) {
    const range = plan.clientRange(n.index)
    if (range === null) continue
    const ns = `${to.prefix}-c${n.index}`
    out.set(n.name, ns)
    to.create.push(`netns add ${ns}`, `link add name cp netns ${n.netns} address ${MAC.clientsNodeSide(n.index)} type veth peer name eth0 netns ${ns} address ${MAC.clients(n.index)}`)
    to.lines(n.netns).push(...up('cp'), permanent(range.gateway, MAC.clients(n.index), 'cp'), `route add ${range.gateway}/32 dev cp scope link`, `route add ${range.cidr} via ${range.gateway} dev cp`)
    to.lines(ns).push(...up('eth0'), `addr add ${range.gateway}/32 dev eth0`, ...podRoutes(n.address, MAC.clientsNodeSide(n.index)), `route add local ${range.cidr} dev lo`)
  }
  return out
}

/** A pod's way out: its node's address, on link over the veth, and the default route via it. */
function podRoutes(gateway: string, gatewayMac: string): string[] {
  return [permanent(gateway, gatewayMac, 'eth0'), `route add ${gateway} dev eth0 scope link`, `route add default via ${gateway} dev eth0`]
}
