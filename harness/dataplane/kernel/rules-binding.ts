/**
 * kube-proxy's rules as the kernel dataplane uses them: a renderer, their atomic application in a
 * node's namespace and their per-endpoint counters (harness/dataplane/kernel/rules/, written
 * against rules/types.ts). Bound in this one place, so that the dataplane depends only on the
 * interface and tests can hand it rules of their own.
 */
import type { ApplyRules, ReadDecisionCounters, RenderRules } from './rules/types.ts'
import { renderNftables } from './rules/nftables.ts'
import { renderIptables } from './rules/iptables.ts'
import { applyRules, readDecisionCounters } from './rules/apply.ts'

/** The three rule operations the kernel dataplane needs. */
export interface KernelRules {
  render: RenderRules
  apply: ApplyRules
  readCounters: ReadDecisionCounters
}

/**
 * The rules built into svcbench: kube-proxy's nftables and iptables proxiers' rulesets
 * (rules/nftables.ts, rules/iptables.ts), applied atomically, counted per endpoint.
 * (Typed as possibly undefined so that the preflight's "no renderer" path stays testable.)
 */
export const BUILT_IN_RULES: KernelRules | undefined = {
  render: (i) => (i.mode === 'nftables' ? renderNftables(i) : renderIptables(i)),
  apply: applyRules,
  readCounters: readDecisionCounters,
}
