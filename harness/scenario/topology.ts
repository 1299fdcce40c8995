/**
 * Where pods run: the node list (a count spread round-robin, or explicit placement with per-pod
 * settings), pod numbering over the nodes, and the nodes clients connect through (`load.via`).
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedNode, ResolvedPodSpec, ResolvedVariant } from '../model/scenario.ts'
import type { PathContext } from '../gate/thresholds.ts'
import { didYouMean, showValue } from '../util/text.ts'
import { MAX_PODS } from './schema.ts'
import { resolveLatency } from './latency.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

/** Letters for node names: 0 → a, 25 → z, 26 → aa. */
function nodeSuffix(i: number): string {
  let s = ''
  let n = i
  do {
    s = String.fromCharCode(97 + (n % 26)) + s
    n = Math.floor(n / 26) - 1
  } while (n >= 0)
  return s
}

/** The nodes and the pod count of a variant. */
export interface ResolvedTopology {
  nodes: ResolvedNode[]
  replicas: number
}

/**
 * `cluster.nodes` and `cluster.replicas` → nodes with one settings object per pod. A node count
 * spreads the replicas round-robin (`node-a`, `node-b`, ...); explicit placement gives each node
 * its pods, each pod overriding `basePod`. `p` prefixes paths with the variant's place.
 */
export function resolveNodes(cluster: Obj, basePod: Omit<ResolvedPodSpec, 'weight'>, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedTopology {
  const defaultSpec = (): ResolvedPodSpec => ({ weight: 1, ...basePod })
  let nodes: ResolvedNode[]
  let replicas: number
  if (Array.isArray(cluster.nodes)) {
    nodes = (cluster.nodes as { name: string; pods: number | Obj[] }[]).map((n, i) => {
      if (typeof n.pods === 'number') return { name: n.name, pods: n.pods, podSpecs: Array.from({ length: n.pods }, defaultSpec) }
      const specs = n.pods.map((ps, j) => ({
        weight: (ps.weight as number | undefined) ?? 1,
        latency: ps.latencyMs === undefined ? basePod.latency : resolveLatency(ps.latencyMs, p(`cluster.nodes[${i}].pods[${j}].latencyMs`), issues),
        responseBytes: (ps.responseBytes as number | undefined) ?? basePod.responseBytes,
        errorRate: (ps.errorRate as number | undefined) ?? basePod.errorRate,
      }))
      return { name: n.name, pods: specs.length, podSpecs: specs }
    })
    replicas = nodes.reduce((s, n) => s + n.pods, 0)
    checkPlacement(nodes, replicas, cluster.replicas, p, issues)
  } else {
    const count = (cluster.nodes as number | undefined) ?? D.DEFAULT_NODES
    replicas = (cluster.replicas as number | undefined) ?? D.DEFAULT_REPLICAS
    nodes = Array.from({ length: count }, (_, i) => {
      const pods = Math.floor(replicas / count) + (i < replicas % count ? 1 : 0)
      return { name: `node-${nodeSuffix(i)}`, pods, podSpecs: Array.from({ length: pods }, defaultSpec) }
    })
  }
  if (nodes.length > 0 && nodes.flatMap((n) => n.podSpecs).every((ps) => ps.weight === 0)) {
    issues.push({ path: p('cluster.nodes'), message: 'every pod has weight 0; expected at least one pod with weight > 0' })
  }
  return { nodes, replicas }
}

/** Explicit placement: unique node names, a replica count that agrees, 1 to MAX_PODS pods. */
function checkPlacement(nodes: readonly ResolvedNode[], replicas: number, declared: unknown, p: (s: string) => string, issues: ScenarioIssue[]): void {
  const seen = new Set<string>()
  nodes.forEach((n, i) => {
    if (seen.has(n.name)) issues.push({ path: p(`cluster.nodes[${i}].name`), message: `got ${showValue(n.name)}; node names must be unique` })
    seen.add(n.name)
  })
  if (declared !== undefined && declared !== replicas) {
    issues.push({
      path: p('cluster.replicas'),
      message: `got ${String(declared)}; cluster.nodes places ${replicas} pods; drop replicas or make the two agree`,
    })
  }
  if (replicas === 0) issues.push({ path: p('cluster.nodes'), message: 'places 0 pods; expected at least one pod on some node' })
  if (replicas > MAX_PODS) issues.push({ path: p('cluster.nodes'), message: `places ${replicas} pods; expected at most ${MAX_PODS}` })
}

/**
 * Pods in numbering order: the walk goes over the nodes round-robin, skipping full ones, so with
 * 3 nodes pod-1 is on node-a, pod-2 on node-b, pod-3 on node-c, pod-4 on node-a again.
 * `indexOnNode` picks the pod's settings from its node's podSpecs.
 */
export function podPlacement(nodes: readonly ResolvedNode[]): { name: string; node: ResolvedNode; indexOnNode: number }[] {
  const out: { name: string; node: ResolvedNode; indexOnNode: number }[] = []
  const taken = nodes.map(() => 0)
  while (nodes.some((n, i) => (taken[i] as number) < n.pods)) {
    nodes.forEach((n, i) => {
      const k = taken[i] as number
      if (k < n.pods) {
        taken[i] = k + 1
        out.push({ name: `pod-${out.length + 1}`, node: n, indexOnNode: k })
      }
    })
  }
  return out
}

/** What metric paths a variant with these nodes and faults has (pods and nodes by name, faults by index). */
export function metricPathContext(nodes: readonly ResolvedNode[], faults: number): PathContext {
  return { pods: podPlacement(nodes).map((x) => x.name), nodes: nodes.map((n) => n.name), faults }
}

/** `load.via` → the names of the nodes clients connect to, in order (@default DEFAULT_VIA). */
export function resolveVia(raw: unknown, nodes: readonly ResolvedNode[], p: (s: string) => string, issues: ScenarioIssue[]): string[] {
  const nodeNames = nodes.map((n) => n.name)
  const via = raw ?? D.DEFAULT_VIA
  if (Array.isArray(via)) {
    ;(via as string[]).forEach((name, i) => {
      if (!nodeNames.includes(name)) {
        const hint = didYouMean(name, nodeNames)
        issues.push({ path: p(`load.via[${i}]`), message: `got ${showValue(name)}; no such node; expected one of ${nodeNames.map((n) => JSON.stringify(n)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    })
    return via as string[]
  }
  return via === 'one-node' ? nodeNames.slice(0, 1) : nodeNames
}

/** An in-cluster client (load.from 'cluster'): the client pod whose address is client address k. */
export interface ClientPlacement {
  /** `client-<k+1>`. */
  name: string
  /** The node it runs on: its connections enter that node's kube-proxy. */
  node: string
  /** With load.clientPods 'endpoints': the Service's pod that is this client; null for a client pod of its own. */
  pod: string | null
}

/**
 * The in-cluster clients, in client-address order: one per client address in use
 * (min(clientIps, connections); a UDP Service's clients are its addresses, clientIps, as
 * load/plan.ts clientAddressCount counts them), placed round robin over load.clientNodes; with
 * clientPods 'endpoints', the Service's pods in numbering order (at most one client per pod).
 * Empty for external clients.
 */
export function clientPlacement(v: { cluster: Pick<ResolvedVariant['cluster'], 'nodes'>; load: Pick<ResolvedVariant['load'], 'from' | 'clientNodes' | 'clientPods' | 'clientIps' | 'connections'>; service: Pick<ResolvedVariant['service'], 'protocol'> }): ClientPlacement[] {
  const { load } = v
  if (load.from !== 'cluster') return []
  // (a resolver has no connection: load.connections means nothing to the udp executor)
  const count = v.service.protocol === 'UDP' ? load.clientIps : Math.min(load.clientIps, load.connections)
  if (load.clientPods === 'endpoints') {
    return podPlacement(v.cluster.nodes).slice(0, count).map((x, k) => ({ name: `client-${k + 1}`, node: x.node.name, pod: x.name }))
  }
  return Array.from({ length: count }, (_, k) => ({ name: `client-${k + 1}`, node: load.clientNodes[k % load.clientNodes.length] as string, pod: null }))
}
