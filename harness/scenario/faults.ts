/**
 * faults[]: each fault's target resolved to pod names (a seeded pick for "random"), its fields
 * checked against its action, and the free pod slots the faults need kept.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedFault, ResolvedNode, ResolvedVariant } from '../model/scenario.ts'
import { createRng, deriveSeed } from '../util/rng.ts'
import { parseDurationMs } from '../util/duration.ts'
import { isPlainObject } from '../util/merge.ts'
import { showValue, didYouMean } from '../util/text.ts'
import { MAX_PODS } from './schema.ts'
import { podPlacement } from './topology.ts'

type Obj = Record<string, unknown>

/** The variant's faults in time order; `seed` drives the "random" targets. */
export function resolveFaults(raw: unknown, nodes: ResolvedNode[], seed: number, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedFault[] {
  if (!Array.isArray(raw)) return []
  const pods = podPlacement(nodes).map((x) => ({ name: x.name, node: x.node.name }))
  const rng = createRng(deriveSeed(seed, 'faults'))
  const out: ResolvedFault[] = []
  raw.forEach((f: Obj, i) => {
    const at = parseDurationMs(f.at) ?? 0
    const action = f.action as string
    let target: string
    let names: string[]
    let node: string | null = null
    if (action === 'rolling-update' || action === 'scale') {
      target = String(f.target)
      names = []
      if (f.target !== 'all') issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(f.target)}; ${action} applies to the whole Deployment: expected "all"` })
      if (action === 'scale' && f.replicas === undefined) issues.push({ path: p(`faults[${i}].replicas`), message: 'required field is missing; "scale" needs replicas (the new count)' })
      if (action === 'rolling-update' && ((f.maxSurge as number | undefined) ?? 1) + ((f.maxUnavailable as number | undefined) ?? 0) === 0) {
        issues.push({ path: p(`faults[${i}].maxSurge`), message: 'maxSurge and maxUnavailable are both 0; expected at least one of them above 0 (as Kubernetes requires)' })
      }
    } else if (action === 'kill-node' || action === 'drain-node') {
      node = isPlainObject(f.target) ? String(f.target.node) : String(f.target)
      target = `node:${node}`
      names = pods.filter((x) => x.node === node).map((x) => x.name)
      if (!nodes.some((n) => n.name === node)) {
        const hint = didYouMean(node, nodes.map((n) => n.name))
        issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(node)}; no such node; expected one of ${nodes.map((n) => JSON.stringify(n.name)).join(', ')}${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    } else if (isPlainObject(f.target)) {
      const node = String(f.target.node)
      target = `node:${node}`
      names = pods.filter((x) => x.node === node).map((x) => x.name)
      if (!nodes.some((n) => n.name === node)) {
        issues.push({ path: p(`faults[${i}].target.node`), message: `got ${showValue(node)}; no such node; expected one of ${nodes.map((n) => JSON.stringify(n.name)).join(', ')}` })
      } else if (names.length === 0) {
        issues.push({ path: p(`faults[${i}].target.node`), message: `got ${showValue(node)}; that node runs no pod` })
      }
    } else if (f.target === 'random') {
      target = 'random'
      const pick = pods[Math.floor(rng() * pods.length)]
      names = pick === undefined ? [] : [pick.name]
    } else {
      target = String(f.target)
      names = [target]
      if (!pods.some((x) => x.name === target)) {
        const hint = didYouMean(target, pods.map((x) => x.name))
        issues.push({ path: p(`faults[${i}].target`), message: `got ${showValue(target)}; no such pod; expected one of ${pods.map((x) => JSON.stringify(x.name)).join(', ')}, "random" or { node }${hint === undefined ? '' : ` (did you mean "${hint}"?)`}` })
      }
    }
    if (f.latencyMs !== undefined && action !== 'slow-pod') issues.push({ path: p(`faults[${i}].latencyMs`), message: `only applies to "slow-pod" (got action ${showValue(action)})` })
    if (f.errorRate !== undefined && action !== 'fail-pod') issues.push({ path: p(`faults[${i}].errorRate`), message: `only applies to "fail-pod" (got action ${showValue(action)})` })
    if (action === 'slow-pod' && f.latencyMs === undefined) issues.push({ path: p(`faults[${i}].latencyMs`), message: 'required field is missing; "slow-pod" needs latencyMs (the added latency)' })
    out.push({
      atMs: at,
      action: action as ResolvedFault['action'],
      target,
      pods: names,
      node,
      latencyMs: (f.latencyMs as number | undefined) ?? 0,
      errorRate: (f.errorRate as number | undefined) ?? 1,
      replicas: (f.replicas as number | undefined) ?? 0,
      maxSurge: (f.maxSurge as number | undefined) ?? 1,
      maxUnavailable: (f.maxUnavailable as number | undefined) ?? 0,
    })
  })
  return out.sort((a, b) => a.atMs - b.atMs)
}

/**
 * Free pod slots the faults need: every pod a rolling update creates is new (a new address, as
 * with a Deployment's new ReplicaSet), and a scale-up adds pods.
 */
export function spareSlotsFor(v: ResolvedVariant): number {
  let running = v.cluster.replicas
  let need = 0
  for (const f of v.faults) {
    if (f.action === 'scale') {
      need += Math.max(0, f.replicas - running)
      running = f.replicas
    }
    if (f.action === 'rolling-update') need += running
  }
  return Math.min(need, MAX_PODS)
}
