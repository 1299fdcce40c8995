/**
 * The kernel dataplane's three rule operations, per kube-proxy mode, each run inside the given
 * network namespace: load a rendered ruleset atomically (replacing the last one), read the
 * per-endpoint decision counters, and remove every rule (kube-proxy's `CleanupLeftovers`).
 */
import { applyIptables, clearIptables, readIptablesCounters } from './apply-iptables.ts'
import { applyNftables, clearNftables, readNftablesCounters } from './apply-nftables.ts'
import type { ApplyRules, KernelProxyMode, ReadDecisionCounters } from './types.ts'

/** Loads `text` (renderNftables or renderIptables output for `mode`) into `netns` in one transaction. */
export const applyRules: ApplyRules = (netns, mode, text) => (mode === 'nftables' ? applyNftables(netns, text) : applyIptables(netns, text))

/** New connections per endpoint name since the rules were first applied in `netns` ({} before that). */
export const readDecisionCounters: ReadDecisionCounters = (netns, mode) => (mode === 'nftables' ? readNftablesCounters(netns) : readIptablesCounters(netns))

/** Removes every rule, chain, set and counter of `mode` from `netns`; nothing to do when none is there. */
export function clearRules(netns: string, mode: KernelProxyMode): Promise<void> {
  return mode === 'nftables' ? clearNftables(netns) : clearIptables(netns)
}
