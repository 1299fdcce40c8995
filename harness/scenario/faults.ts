/**
 * faults[]: each fault resolved through its action's definition (harness/faults/): its target to
 * pod names (a seeded pick for "random"), its fields checked against its action; and the free pod
 * slots the faults need kept.
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedFault, ResolvedNode, ResolvedVariant } from '../model/scenario.ts'
import { createRng, deriveSeed } from '../util/rng.ts'
import { resolveFault } from '../faults/resolve.ts'
import { FAULTS } from '../faults/registry.ts'
import { MAX_PODS } from './schema.ts'
import { podPlacement } from './topology.ts'

/** The variant's faults in time order; `seed` drives the "random" targets, `p` prefixes issue paths. */
export function resolveFaults(raw: unknown, nodes: ResolvedNode[], seed: number, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedFault[] {
  if (!Array.isArray(raw)) return []
  const pods = podPlacement(nodes).map((x) => ({ name: x.name, node: x.node.name }))
  const nodeNames = nodes.map((n) => n.name)
  // One stream for the variant, drawn in file order: the same scenario picks the same pods.
  const rng = createRng(deriveSeed(seed, 'faults'))
  const out: ResolvedFault[] = []
  raw.forEach((f: Record<string, unknown>, i) => {
    const fault = resolveFault(f, { pods, nodes: nodeNames, rng, path: p(`faults[${i}]`) }, issues)
    if (fault !== undefined) out.push(fault)
  })
  return out.sort((a, b) => a.atMs - b.atMs)
}

/**
 * Free pod slots the faults need: every pod a rolling update creates is new (a new address, as
 * with a Deployment's new ReplicaSet), and a scale-up adds pods (each action's podSlots).
 */
export function spareSlotsFor(v: ResolvedVariant): number {
  let running = v.cluster.replicas
  let need = 0
  for (const f of v.faults) {
    const slots = FAULTS[f.action].podSlots?.(f, running)
    if (slots === undefined) continue
    need += slots.added
    running = slots.running
  }
  return Math.min(need, MAX_PODS)
}
