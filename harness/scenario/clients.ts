/**
 * Where the load comes from (`load.from`, `load.clientNodes`, `load.clientPods`): clients outside
 * the cluster at the NodePorts, or client pods on the nodes at the Service's ClusterIP. A ClusterIP
 * Service has no address outside the cluster, so its clients are in-cluster by default and can be
 * nothing else.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ClientPodKind, LoadOrigin, ResolvedNode, ServiceType } from '../model/scenario.ts'
import { didYouMean, showValue } from '../util/text.ts'

type Obj = Record<string, unknown>

/** The resolved origin of the load. */
export interface ResolvedClients {
  from: LoadOrigin
  clientNodes: string[]
  clientPods: ClientPodKind
}

/**
 * `load.from` (default: `cluster` for a ClusterIP Service, else `external`), `load.clientNodes`
 * (default: every node) and `load.clientPods`, with the fields that only apply to the other origin
 * reported.
 */
export function resolveClients(load: Obj, type: ServiceType, nodes: readonly ResolvedNode[], p: (s: string) => string, issues: ScenarioIssue[]): ResolvedClients {
  const from = (load.from as LoadOrigin | undefined) ?? (type === 'ClusterIP' ? 'cluster' : 'external')
  const clientPods = (load.clientPods as ClientPodKind | undefined) ?? 'separate'
  const nodeNames = nodes.map((n) => n.name)
  if (from === 'external') {
    if (type === 'ClusterIP') {
      issues.push({ path: p('load.from'), message: 'got "external"; a ClusterIP Service has no address outside the cluster: expected "cluster" (the default for ClusterIP), or service.type "NodePort" or "LoadBalancer" for clients outside it' })
    }
    for (const f of ['clientNodes', 'clientPods']) {
      if (load[f] !== undefined) issues.push({ path: p(`load.${f}`), message: `got ${showValue(load[f])}; only applies to in-cluster clients (load.from "cluster")` })
    }
    return { from, clientNodes: [], clientPods }
  }
  if (load.via !== undefined) {
    issues.push({ path: p('load.via'), message: `got ${showValue(load.via)}; in-cluster clients connect through their own node's kube-proxy: place them with load.clientNodes instead` })
  }
  if (clientPods === 'endpoints') {
    // The clients are the pods: they are where the pods are.
    if (load.clientNodes !== undefined) issues.push({ path: p('load.clientNodes'), message: `got ${showValue(load.clientNodes)}; with load.clientPods "endpoints" the clients are the Service's own pods, on their own nodes: drop one of the two` })
    return { from, clientNodes: nodeNames, clientPods }
  }
  const asked = load.clientNodes as string[] | undefined
  asked?.forEach((name, i) => {
    if (!nodeNames.includes(name)) {
      const hint = didYouMean(name, nodeNames)
      issues.push({ path: p(`load.clientNodes[${i}]`), message: `got ${showValue(name)}; no such node; expected one of ${nodeNames.map((n) => JSON.stringify(n)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
    }
  })
  return { from, clientNodes: asked ?? nodeNames, clientPods }
}
