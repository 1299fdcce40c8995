/**
 * kube-proxy's rules as the kernel dataplane uses them: a renderer, their atomic application in a
 * node's namespace and their per-endpoint counters (harness/dataplane/kernel/rules/, written
 * against rules/types.ts). Bound in this one place, so that the dataplane depends only on the
 * interface and tests can hand it rules of their own.
 */
import type { ApplyRules, ReadDecisionCounters, RenderRules } from './rules/types.ts'

/** The three rule operations the kernel dataplane needs. */
export interface KernelRules {
  render: RenderRules
  apply: ApplyRules
  readCounters: ReadDecisionCounters
}

/**
 * The rules built into svcbench; undefined while this build has no renderer (the preflight then
 * refuses kernel scenarios with exit 2).
 */
export const BUILT_IN_RULES: KernelRules | undefined = undefined
