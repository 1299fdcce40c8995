/**
 * Where a variant's traffic went, as a graph laid out in fixed columns (clients | load balancer |
 * nodes | pods): pure, from the results alone. Links carry balancing decisions (connections in L4
 * mode, requests in L7 mode) per second of the measured phase. The extra hop of
 * externalTrafficPolicy Cluster (a node's proxy sending to a pod on another node) is its own
 * link; whether the pod sees the client's address or a node's (SNAT) is told per link; pods a
 * fault killed, hung or drained are marked.
 */
import type { VariantResult } from '../../model/results.ts'
import type { NodeResult } from '../../model/variant-parts.ts'

/** More pods than this are drawn as one box per node (the subtitle says so). */
export const MAX_TOPOLOGY_PODS = 60

/** One box of the graph. */
export interface TopologyBox {
  id: string
  kind: 'clients' | 'lb' | 'node' | 'pod' | 'pods'
  /** What the box says, e.g. `pod-2`. */
  label: string
  /** The tooltip's line: addresses, counts. */
  detail: string
  /** Its column (0 = clients). */
  col: number
  /** Its row span, top and bottom (rows from 0 at the top). */
  y1: number
  y2: number
  /** Pods and pod groups: the pod's name (the colour key), else null. */
  pod: string | null
  /** Pods: measured share of requests (pod side); pod groups: their sum; else null. */
  share: number | null
  /** Pods: the share the configuration predicts; null without a prediction. */
  expectedShare: number | null
  /** What faults did to it, e.g. `killed at 3.0 s`; null when none touched it. */
  status: string | null
  /** True when a fault took it out (killed, hung, deleted, drained, its node killed) and nothing brought it back. */
  down: boolean
}

/** How a link's packets reach the next hop: the source address the receiver sees. */
export type SourceKind = 'client address kept' | 'SNAT to a node address' | 'SNAT to the LB address' | 'client and node addresses seen'

/** One link: traffic from one box to another. */
export interface TopologyLink {
  from: string
  to: string
  /** Endpoints: column and row of each end. */
  x: number
  y: number
  x2: number
  y2: number
  /** Balancing decisions (or LB picks) it carried in the measured phase. */
  count: number
  /** count / durationSec. */
  perSec: number
  /** What one count is: `connections`, `requests`, or `flows` (a UDP Service: one pick per client address and port). */
  unit: LinkUnit
  /** `to node`, `same node` (node proxy → a pod on it) or `cross-node` (the extra hop of policy Cluster). */
  hop: 'to node' | 'to LB' | 'same node' | 'cross-node'
  source: SourceKind
  /** True when the per-node split was estimated: results written before nodes[].byPod, split in proportion to the pods' requests. */
  estimated: boolean
}

/** The graph of one variant. */
export interface Topology {
  variant: string
  /** Column titles, left to right. */
  columns: string[]
  /** Rows the graph spans. */
  rows: number
  boxes: TopologyBox[]
  links: TopologyLink[]
  /** Lines for the subtitle: the policy, what the pods saw, estimates, aggregation. */
  notes: string[]
}

/** Fault actions that take a pod out, and what the graph says of them. */
const TAKES_OUT: Record<string, string> = { 'kill-pod': 'killed', 'hang-pod': 'hung', 'delete-pod': 'deleted', 'drain-node': 'drained', 'kill-node': 'node killed' }
/** Fault actions that leave a pod in but hurt it. */
const HURTS: Record<string, string> = { 'fail-pod': 'failing (5xx)', 'slow-pod': 'slowed' }

/** Per pod: what faults did to it, in order, and whether it ended out. */
export function podStatus(v: VariantResult): Map<string, { status: string; down: boolean }> {
  const out = new Map<string, { status: string; down: boolean }>()
  for (const f of v.failover) {
    const what = TAKES_OUT[f.fault] ?? HURTS[f.fault] ?? (f.fault === 'recover-pod' ? 'recovered' : null)
    if (what === null) continue
    for (const pod of f.pods) {
      const prev = out.get(pod)
      const status = `${what} at ${f.atSec.toFixed(1)} s`
      out.set(pod, { status: prev === undefined ? status : `${prev.status}, ${status}`, down: f.fault === 'recover-pod' ? false : (prev?.down ?? false) || f.fault in TAKES_OUT })
    }
  }
  return out
}

/** True when a node's proxy balances over its own pods only for this variant's clients. */
function localOnly(v: VariantResult): boolean {
  return v.clients?.from === 'cluster' ? v.internalTrafficPolicy === 'Local' : v.externalTrafficPolicy === 'Local'
}

/** What the pods saw as TCP source: measured when they saw any, else what the policy predicts. */
export function podSource(v: VariantResult): { source: SourceKind; measured: boolean } {
  const { clientAddressesSeen: c, nodeAddressesSeen: n } = v.sourceAddresses
  if (c > 0 && n > 0) return { source: 'client and node addresses seen', measured: true }
  if (c > 0) return { source: 'client address kept', measured: true }
  if (n > 0) return { source: 'SNAT to a node address', measured: true }
  // NodePort traffic is SNATed under Cluster and keeps the client's address under Local; traffic
  // from a pod to a ClusterIP is not SNATed (https://kubernetes.io/docs/tutorials/services/source-ip/).
  return { source: v.clients?.from === 'cluster' || localOnly(v) ? 'client address kept' : 'SNAT to a node address', measured: false }
}

/**
 * A node proxy's decisions per pod: nodes[].byPod when the results have it; else estimated by
 * splitting the node's decisions over the pods it could reach (its own under Local, every pod
 * under Cluster) in proportion to their requests.
 */
export function nodeSplit(v: VariantResult, node: NodeResult): { byPod: Record<string, number>; estimated: boolean } {
  if (node.byPod !== undefined) return { byPod: node.byPod, estimated: false }
  const reachable = v.pods.filter((p) => !localOnly(v) || p.node === node.name)
  const total = reachable.reduce((a, p) => a + p.requests, 0)
  const byPod: Record<string, number> = {}
  for (const p of reachable) if (total > 0 && p.requests > 0) byPod[p.name] = (node.decisions * p.requests) / total
  return { byPod, estimated: true }
}

/** The rows of each node: its pods in run order (one row at least), nodes in run order; pod groups when there are too many pods. */
function rowsOf(v: VariantResult, aggregate: boolean): { nodeRows: Map<string, [number, number]>; podRow: Map<string, number>; rows: number } {
  const nodeRows = new Map<string, [number, number]>()
  const podRow = new Map<string, number>()
  let row = 0
  for (const n of v.nodes) {
    const pods = v.pods.filter((p) => p.node === n.name)
    const first = row
    if (!aggregate) for (const p of pods) podRow.set(p.name, row++)
    row = Math.max(row, first + 1)
    nodeRows.set(n.name, [first, row - 1])
  }
  return { nodeRows, podRow, rows: row }
}

/** The topology of one variant (see the file's comment). */
export function topologyLayout(v: VariantResult, o: { maxPods?: number } = {}): Topology {
  const aggregate = v.pods.length > (o.maxPods ?? MAX_TOPOLOGY_PODS)
  const lb = v.loadBalancer
  const columns = [v.clients?.from === 'cluster' ? 'client pods' : 'clients', ...(lb === null ? [] : ['load balancer']), 'nodes', aggregate ? 'pods (per node)' : 'pods']
  const colNode = columns.indexOf('nodes')
  const colPod = colNode + 1
  const { nodeRows, podRow, rows } = rowsOf(v, aggregate)
  const mid = (rows - 1) / 2
  const centre = (node: string) => {
    const [a, b] = nodeRows.get(node) ?? [mid, mid]
    return (a + b) / 2
  }
  const boxes: TopologyBox[] = []
  const box = (b: Omit<TopologyBox, 'pod' | 'share' | 'expectedShare' | 'status' | 'down'> & Partial<TopologyBox>) =>
    boxes.push({ pod: null, share: null, expectedShare: null, status: null, down: false, ...b })
  const status = podStatus(v)
  const nodeStatus = (n: string) => v.failover.filter((f) => (f.fault === 'kill-node' || f.fault === 'drain-node') && f.target === `node:${n}`)
  for (const n of v.nodes) {
    const [a, b] = nodeRows.get(n.name)!
    const hit = nodeStatus(n.name)
    box({ id: `node:${n.name}`, kind: 'node', label: n.name, detail: `${n.address}: ${n.decisions.toLocaleString('en-US')} decisions`, col: colNode, y1: a, y2: b, status: hit.length === 0 ? null : hit.map((f) => `${TAKES_OUT[f.fault]} at ${f.atSec.toFixed(1)} s`).join(', '), down: hit.some((f) => f.fault === 'kill-node') })
  }
  if (aggregate) {
    for (const n of v.nodes) {
      const pods = v.pods.filter((p) => p.node === n.name)
      const [a] = nodeRows.get(n.name)!
      const down = pods.filter((p) => status.get(p.name)?.down === true).length
      box({ id: `pods:${n.name}`, kind: 'pods', label: `${pods.length} pod${pods.length === 1 ? '' : 's'}`, detail: `on ${n.name}`, col: colPod, y1: a, y2: a, share: pods.reduce((s, p) => s + p.share, 0), expectedShare: pods.some((p) => p.expectedShare === null) ? null : pods.reduce((s, p) => s + (p.expectedShare ?? 0), 0), status: down === 0 ? null : `${down} taken out by faults`, down: down === pods.length && down > 0 })
    }
  } else {
    for (const p of v.pods) {
      const r = podRow.get(p.name)!
      const s = status.get(p.name)
      box({ id: `pod:${p.name}`, kind: 'pod', label: p.name, detail: `${p.address} on ${p.node}: ${p.requests.toLocaleString('en-US')} requests`, col: colPod, y1: r, y2: r, pod: p.name, share: p.share, expectedShare: p.expectedShare, status: s?.status ?? null, down: s?.down ?? false })
    }
  }
  const links = [...entryLinks(v, { boxes: box, columns, colNode, mid, centre }), ...podLinks(v, { colNode, colPod, centre, aggregate, podRow, nodeRows })]
  return { variant: v.name, columns, rows, boxes, links, notes: notesOf(v, links, aggregate) }
}

/** What a topology link counts. */
export type LinkUnit = 'connections' | 'requests' | 'flows'

/** What the nodes' decisions count: a UDP Service's are flows (one pick per conntrack entry). */
function nodeUnit(v: VariantResult): LinkUnit {
  return v.udp != null ? 'flows' : v.balancing === 'request' ? 'requests' : 'connections'
}

/** What the load balancer's byNode counts (results before `unit` was written: by algorithm). */
function lbUnitOf(lb: NonNullable<VariantResult['loadBalancer']>): LinkUnit {
  return lb.unit ?? (lb.algorithm === 'least-outstanding' ? 'requests' : 'connections')
}

/** Links into the nodes: clients → nodes, or clients → LB → nodes; adds the clients' and the LB's boxes. */
function entryLinks(
  v: VariantResult,
  o: { boxes: (b: Omit<TopologyBox, 'pod' | 'share' | 'expectedShare' | 'status' | 'down'>) => void; columns: string[]; colNode: number; mid: number; centre: (node: string) => number },
): TopologyLink[] {
  const links: TopologyLink[] = []
  const unit = nodeUnit(v)
  const link = (l: Omit<TopologyLink, 'perSec' | 'estimated'>) => {
    if (l.count > 0) links.push({ ...l, perSec: l.count / Math.max(v.durationSec, 1e-9), estimated: false })
  }
  if (v.clients?.from === 'cluster') {
    // Each client pod enters its own node's kube-proxy: the node's decisions are its client pods' traffic.
    for (const n of v.nodes) {
      const k = v.clients.byNode[n.name] ?? 0
      if (k === 0) continue
      const y = o.centre(n.name)
      o.boxes({ id: `clients:${n.name}`, kind: 'clients', label: `${k} client pod${k === 1 ? '' : 's'}`, detail: `on ${n.name}${v.clients.clientPods === 'endpoints' ? " (the Service's own pods)" : ''}`, col: 0, y1: y, y2: y })
      link({ from: `clients:${n.name}`, to: `node:${n.name}`, x: 0, y, x2: o.colNode, y2: y, count: n.decisions, unit, hop: 'to node', source: 'client address kept' })
    }
    return links
  }
  const ca = v.clientAddresses
  o.boxes({ id: 'clients', kind: 'clients', label: `${ca.used} client address${ca.used === 1 ? '' : 'es'}`, detail: `${ca.configured} configured, ${ca.used} used, ${ca.seenByProxies} seen by the node proxies`, col: 0, y1: o.mid, y2: o.mid })
  const lb = v.loadBalancer
  if (lb === null) {
    for (const n of v.nodes) link({ from: 'clients', to: `node:${n.name}`, x: 0, y: o.mid, x2: o.colNode, y2: o.centre(n.name), count: n.decisions, unit, hop: 'to node', source: 'client address kept' })
    return links
  }
  const lbUnit = lbUnitOf(lb)
  const total = Object.values(lb.byNode).reduce((a, b) => a + b, 0)
  o.boxes({ id: 'lb', kind: 'lb', label: lb.preset, detail: `${lb.algorithm}, ${lb.preserveClientIp ? 'keeps the client address' : 'connects from its own address'}; ${lb.refused} ${lbUnitOf(lb) === 'flows' ? 'datagrams ' : ''}refused`, col: 1, y1: o.mid, y2: o.mid })
  link({ from: 'clients', to: 'lb', x: 0, y: o.mid, x2: 1, y2: o.mid, count: total, unit: lbUnit, hop: 'to LB', source: 'client address kept' })
  for (const n of v.nodes) link({ from: 'lb', to: `node:${n.name}`, x: 1, y: o.mid, x2: o.colNode, y2: o.centre(n.name), count: lb.byNode[n.name] ?? 0, unit: lbUnit, hop: 'to node', source: lb.preserveClientIp ? 'client address kept' : 'SNAT to the LB address' })
  return links
}

/** Node → pod links (or node → pod group), same-node and cross-node apart. */
function podLinks(
  v: VariantResult,
  o: { colNode: number; colPod: number; centre: (node: string) => number; aggregate: boolean; podRow: Map<string, number>; nodeRows: Map<string, [number, number]> },
): TopologyLink[] {
  const unit = nodeUnit(v)
  const { source } = podSource(v)
  const podNode = new Map(v.pods.map((p) => [p.name, p.node]))
  const acc = new Map<string, TopologyLink>()
  for (const n of v.nodes) {
    const { byPod, estimated } = nodeSplit(v, n)
    for (const [pod, count] of Object.entries(byPod)) {
      const home = podNode.get(pod)
      if (home === undefined || count <= 0) continue
      const to = o.aggregate ? `pods:${home}` : `pod:${pod}`
      const y2 = o.aggregate ? o.nodeRows.get(home)![0] : o.podRow.get(pod)!
      const key = `${n.name}→${to}`
      const prev = acc.get(key)
      const total = (prev?.count ?? 0) + count
      acc.set(key, { from: `node:${n.name}`, to, x: o.colNode, y: o.centre(n.name), x2: o.colPod, y2, count: total, perSec: total / Math.max(v.durationSec, 1e-9), unit, hop: home === n.name ? 'same node' : 'cross-node', source, estimated })
    }
  }
  return [...acc.values()]
}

/** The subtitle's lines. */
function notesOf(v: VariantResult, links: TopologyLink[], aggregate: boolean): string[] {
  const sa = v.sourceAddresses
  const policy = v.clients?.from === 'cluster' ? `internalTrafficPolicy ${v.internalTrafficPolicy ?? 'Cluster'}` : `externalTrafficPolicy ${v.externalTrafficPolicy}`
  const { measured } = podSource(v)
  const notes = [
    `${policy}; ${nodeUnit(v)} per second (line width); pods saw ${sa.clientAddressesSeen} client and ${sa.nodeAddressesSeen} node addresses as ${v.udp != null ? 'UDP' : 'TCP'} source${measured ? '' : ' (the source shown is what the policy predicts)'}`,
  ]
  if (links.some((l) => l.estimated)) notes.push('node → pod split estimated from the pods\' requests (these results predate nodes[].byPod)')
  if (aggregate) notes.push(`${v.pods.length} pods: drawn as one box per node`)
  return notes
}
