/**
 * Target resolution shared by the fault actions: a pod ("pod-2", "random" or { node }), a node
 * ("node-b" or { node }), or the whole Deployment ("all"). Messages name the bad value and what
 * would fit, with a did-you-mean where one is near.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { FaultAction, ResolvedFault } from '../model/scenario.ts'
import { parseDurationMs } from '../util/duration.ts'
import { isPlainObject } from '../util/merge.ts'
import { didYouMean, showValue } from '../util/text.ts'
import { FAULT_FIELDS, FAULT_FIELD_DEFAULTS, type FaultResolveContext, type FaultField, type RawFault } from './types.ts'

/** What a target resolved to. */
export type ResolvedTarget = Pick<ResolvedFault, 'target' | 'pods' | 'node'>

const hintFor = (value: string, candidates: readonly string[]) => {
  const hint = didYouMean(value, candidates)
  return hint === undefined ? '' : ` (did you mean "${hint}"?)`
}
const quoted = (names: readonly string[]) => names.map((n) => JSON.stringify(n)).join(', ')

/** A pod fault's target: a pod name, "random" (a seeded pick) or { node } (every pod on it). */
export function podTarget(raw: RawFault, ctx: FaultResolveContext, issues: ScenarioIssue[]): ResolvedTarget {
  const { pods, nodes, path } = ctx
  if (isPlainObject(raw.target)) {
    const node = String(raw.target.node)
    const names = pods.filter((x) => x.node === node).map((x) => x.name)
    if (!nodes.includes(node)) {
      issues.push({ path: `${path}.target.node`, message: `got ${showValue(node)}; no such node; expected one of ${quoted(nodes)}` })
    } else if (names.length === 0) {
      issues.push({ path: `${path}.target.node`, message: `got ${showValue(node)}; that node runs no pod` })
    }
    return { target: `node:${node}`, pods: names, node: null }
  }
  if (raw.target === 'random') {
    const pick = pods[Math.floor(ctx.rng() * pods.length)]
    return { target: 'random', pods: pick === undefined ? [] : [pick.name], node: null }
  }
  const target = String(raw.target)
  if (!pods.some((x) => x.name === target)) {
    const names = pods.map((x) => x.name)
    issues.push({ path: `${path}.target`, message: `got ${showValue(target)}; no such pod; expected one of ${quoted(names)}, "random" or { node }${hintFor(target, names)}` })
  }
  return { target, pods: [target], node: null }
}

/** A node fault's target: a node name or { node }; the fault applies to every pod on it. */
export function nodeTarget(raw: RawFault, ctx: FaultResolveContext, issues: ScenarioIssue[]): ResolvedTarget {
  const node = isPlainObject(raw.target) ? String(raw.target.node) : String(raw.target)
  if (!ctx.nodes.includes(node)) {
    issues.push({ path: `${ctx.path}.target`, message: `got ${showValue(node)}; no such node; expected one of ${quoted(ctx.nodes)}${hintFor(node, ctx.nodes)}` })
  }
  return { target: `node:${node}`, pods: ctx.pods.filter((x) => x.node === node).map((x) => x.name), node }
}

/** A Deployment fault's target: "all" (it acts on the Deployment, not on chosen pods). */
export function deploymentTarget(action: FaultAction, raw: RawFault, ctx: FaultResolveContext, issues: ScenarioIssue[]): ResolvedTarget {
  if (raw.target !== 'all') issues.push({ path: `${ctx.path}.target`, message: `got ${showValue(raw.target)}; ${action} applies to the whole Deployment: expected "all"` })
  return { target: String(raw.target), pods: [], node: null }
}

/** The ResolvedFault of `raw` with this target: the time in ms and every field (defaults where absent). */
export function resolvedFault(action: FaultAction, raw: RawFault, target: ResolvedTarget): ResolvedFault {
  const fields = Object.fromEntries(FAULT_FIELDS.map((f) => [f, (raw[f] as number | undefined) ?? FAULT_FIELD_DEFAULTS[f]])) as Record<FaultField, number>
  return { atMs: parseDurationMs(raw.at) ?? 0, action, ...target, ...fields }
}
