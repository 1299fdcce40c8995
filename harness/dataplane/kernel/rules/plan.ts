/**
 * The decisions both proxiers make before writing a Service's rules, ported from kube-proxy so
 * that the nftables and iptables writers share them: which endpoints Cluster and Local traffic
 * policy use (pkg/proxy/topology.go `CategorizeEndpoints`, without topology hints), which chains
 * exist, and what happens to traffic with no usable endpoint (the `hasInternalEndpoints` /
 * `hasExternalEndpoints` / filter-verdict block of both `syncProxyRules`). Pure.
 */
import { HarnessError } from '../../../errors.ts'
import { endpointString } from './chain-names.ts'
import { KERNEL_RULES_ERROR_CODE } from './netns-exec.ts'
import type { RuleEndpoint, RuleInput, RuleService } from './types.ts'

/** kube-proxy's masquerade mark: `1 << masqueradeBit`, masqueradeBit 14 by default (`--iptables-masquerade-bit`). */
export const MASQUERADE_MARK = '0x4000'

/** What to do with traffic that has no usable endpoint: REJECT (no endpoints anywhere) or DROP (none local). */
export type NoEndpointVerdict = 'reject' | 'drop'

/** One Service port's rule-writing decisions on one node. */
export interface ServicePlan {
  /** Endpoints of the Cluster policy chain, in kube-proxy's order. */
  clusterEndpoints: RuleEndpoint[]
  /** Endpoints of the Local policy chain, in kube-proxy's order. */
  localEndpoints: RuleEndpoint[]
  /** Every endpoint that gets an endpoint chain (the union of the two). */
  reachableEndpoints: RuleEndpoint[]
  /** The Service has a usable endpoint somewhere in the cluster. */
  hasEndpoints: boolean
  /** `ExternallyAccessible()`: it has a NodePort (svcbench gives it no external or LB IPs). */
  externallyAccessible: boolean
  /** `ExternalPolicyLocal()`. */
  externalPolicyLocal: boolean
  /** `InternalPolicyLocal()`. */
  internalPolicyLocal: boolean
  /** The Cluster policy chain is written. */
  usesClusterPolicyChain: boolean
  /** The Local policy chain is written. */
  usesLocalPolicyChain: boolean
  /** ClusterIP traffic has endpoints (else {@link internalVerdict} applies). */
  hasInternalEndpoints: boolean
  /** NodePort traffic from outside has endpoints (else {@link externalVerdict} applies). */
  hasExternalEndpoints: boolean
  /** The external (EXT) chain is written: endpoints exist and a NodePort does. */
  usesExternalTrafficChain: boolean
  /** Verdict for ClusterIP traffic without endpoints, or null when it has some. */
  internalVerdict: NoEndpointVerdict | null
  /** Verdict for NodePort traffic without endpoints, or null when it has some. */
  externalVerdict: NoEndpointVerdict | null
}

/** The endpoints in kube-proxy's order: sorted by `ip:port` text (pkg/proxy/endpointslicecache.go `byEndpoint`). */
export function sortEndpoints(endpoints: readonly RuleEndpoint[]): RuleEndpoint[] {
  return [...endpoints].sort((a, b) => {
    const x = endpointString(a)
    const y = endpointString(b)
    return x < y ? -1 : x > y ? 1 : 0
  })
}

/** The Service's traffic-policy facts (pkg/proxy/serviceport.go). */
function policies(service: RuleService) {
  const externallyAccessible = service.nodePort !== null
  const externalPolicyLocal = externallyAccessible && service.externalTrafficPolicy === 'Local'
  const internalPolicyLocal = service.internalTrafficPolicy === 'Local'
  return {
    externallyAccessible,
    externalPolicyLocal,
    internalPolicyLocal,
    // "Even if the external traffic policy is Local, we need Cluster endpoints to implement short circuiting."
    usesClusterEndpoints: !internalPolicyLocal || externallyAccessible,
    usesLocalEndpoints: internalPolicyLocal || externalPolicyLocal,
  }
}

/** `CategorizeEndpoints` without topology hints: Ready first, Serving+Terminating when no Ready one is left (KEP-1669). */
export function categorizeEndpoints(input: Pick<RuleInput, 'service' | 'node' | 'endpoints'>): Pick<ServicePlan, 'clusterEndpoints' | 'localEndpoints' | 'reachableEndpoints' | 'hasEndpoints'> {
  const endpoints = sortEndpoints(input.endpoints)
  const p = policies(input.service)
  const isLocal = (ep: RuleEndpoint) => ep.node === input.node.name
  const servingTerminating = (ep: RuleEndpoint) => ep.serving && ep.terminating
  let clusterEndpoints: RuleEndpoint[] = []
  let hasEndpoints = false
  if (p.usesClusterEndpoints) {
    clusterEndpoints = endpoints.filter((ep) => ep.ready)
    if (clusterEndpoints.length === 0) clusterEndpoints = endpoints.filter(servingTerminating)
    hasEndpoints = clusterEndpoints.length > 0
  }
  if (!p.usesLocalEndpoints) return { clusterEndpoints, localEndpoints: [], reachableEndpoints: clusterEndpoints, hasEndpoints }

  let hasLocalReady = false
  let hasLocalServingTerminating = false
  for (const ep of endpoints) {
    if (ep.ready) {
      hasEndpoints = true
      if (isLocal(ep)) hasLocalReady = true
    } else if (servingTerminating(ep)) {
      hasEndpoints = true
      if (isLocal(ep)) hasLocalServingTerminating = true
    }
  }
  let localEndpoints: RuleEndpoint[] = []
  if (hasLocalReady) localEndpoints = endpoints.filter((ep) => isLocal(ep) && ep.ready)
  else if (hasLocalServingTerminating) localEndpoints = endpoints.filter((ep) => isLocal(ep) && servingTerminating(ep))
  if (!p.usesClusterEndpoints) return { clusterEndpoints, localEndpoints, reachableEndpoints: localEndpoints, hasEndpoints }
  if (!hasLocalServingTerminating || hasLocalReady) return { clusterEndpoints, localEndpoints, reachableEndpoints: clusterEndpoints, hasEndpoints }
  // Local uses terminating endpoints that the Cluster list may lack: merge (kube-proxy builds a
  // map, so its order is Go's random map order; sorted here, which no rule depends on).
  const byKey = new Map<string, RuleEndpoint>()
  for (const ep of [...clusterEndpoints, ...localEndpoints]) byKey.set(endpointString(ep), ep)
  return { clusterEndpoints, localEndpoints, reachableEndpoints: sortEndpoints([...byKey.values()]), hasEndpoints }
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/
/** Pod names go into nft object names and iptables comments unquoted: a DNS label's characters. */
const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

/** Refuses what the rules cannot carry (a bug of the caller, so a HarnessError): non-IPv4 addresses, names nft cannot take. */
function checkInput(input: Pick<RuleInput, 'service' | 'endpoints'>): void {
  const bad = [
    ...input.endpoints.filter((ep) => !IPV4.test(ep.address) || !ENDPOINT_NAME.test(ep.name)).map((ep) => `endpoint ${JSON.stringify(ep.name)} at ${JSON.stringify(ep.address)}`),
    ...(input.service.clusterIP !== null && !IPV4.test(input.service.clusterIP) ? [`clusterIP ${JSON.stringify(input.service.clusterIP)}`] : []),
  ]
  if (bad.length > 0) throw new HarnessError(KERNEL_RULES_ERROR_CODE, `kernel rules take IPv4 addresses and DNS-label endpoint names; got ${bad.join(', ')}`)
}

/** Every decision `syncProxyRules` makes for this Service port before writing a rule. */
export function planService(input: Pick<RuleInput, 'service' | 'node' | 'endpoints'>): ServicePlan {
  checkInput(input)
  const p = policies(input.service)
  const c = categorizeEndpoints(input)
  const usesClusterPolicyChain = c.clusterEndpoints.length > 0 && p.usesClusterEndpoints
  const usesLocalPolicyChain = c.localEndpoints.length > 0 && p.usesLocalEndpoints
  const hasInternalEndpoints = c.hasEndpoints && !(p.internalPolicyLocal && c.localEndpoints.length === 0)
  const hasExternalEndpoints = c.hasEndpoints && !(p.externalPolicyLocal && c.localEndpoints.length === 0)
  const verdict = (has: boolean): NoEndpointVerdict | null => (!c.hasEndpoints ? 'reject' : has ? null : 'drop')
  return {
    ...c,
    externallyAccessible: p.externallyAccessible,
    externalPolicyLocal: p.externalPolicyLocal,
    internalPolicyLocal: p.internalPolicyLocal,
    usesClusterPolicyChain,
    usesLocalPolicyChain,
    hasInternalEndpoints,
    hasExternalEndpoints,
    usesExternalTrafficChain: c.hasEndpoints && p.externallyAccessible,
    internalVerdict: verdict(hasInternalEndpoints),
    externalVerdict: verdict(hasExternalEndpoints),
  }
}
