/**
 * The ruleset kube-proxy's nftables proxier writes for one Service port on one node, as `nft -f`
 * input in the shape of pkg/proxy/nftables/proxier.go (`setupNFTables` for the table, base chains,
 * dispatch maps and masquerading; `syncProxyRules` and `writeServiceToEndpointRules` for the
 * Service's chains and map elements), checked against the expected rulesets of
 * pkg/proxy/nftables/proxier_test.go (`baseRules`, `TestOverallNFTablesRules`).
 *
 * Added by svcbench: a named counter per endpoint (`decisions-<pod>`), counted by a rule just
 * before the endpoint chain's DNAT. NAT chains see only the first packet of a connection, so it
 * counts balancing decisions; a named counter outlives the chain flushes of later syncs.
 * Left out: LoadBalancerSourceRanges (the `firewall-ips` map stays empty), the unallocated-ClusterIP
 * drop (svcbench has no ServiceCIDR), external and LoadBalancer IPs, IPv6. docs/kernel-rules.md.
 */
import { nftEndpointChainBase, nftServiceChainBase, protocolName, servicePortNameString, endpointString } from './chain-names.ts'
import { MASQUERADE_MARK, planService, type NoEndpointVerdict, type ServicePlan } from './plan.ts'
import type { RuleEndpoint, RuleInput } from './types.ts'

/** The table every object lives in (`kubeProxyTable`, family ip). */
export const NFT_TABLE = 'ip kube-proxy'

/** Prefix of svcbench's per-endpoint decision counters; the rest is the endpoint's name. */
export const NFT_DECISION_COUNTER_PREFIX = 'decisions-'

/** `nftablesBaseChains`: name, type, hook and priority (filter ones around DNAT's -100). */
const BASE_CHAINS = [
  ['filter-prerouting-pre-dnat', 'filter', 'prerouting', -110],
  ['filter-output-pre-dnat', 'filter', 'output', -110],
  ['filter-forward', 'filter', 'forward', 0],
  ['filter-input', 'filter', 'input', 0],
  ['filter-output', 'filter', 'output', 0],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
  ['nat-prerouting', 'nat', 'prerouting', -100],
] as const

/** The regular top-level chains `setupNFTables` creates. */
const TOP_CHAINS = ['cluster-ips-check', 'firewall-check', 'mark-for-masquerade', 'masquerading', 'nodeport-endpoints-check', 'services', 'service-endpoints-check']

/** `nftablesJumpChains`: base chain, match, target (the order within each base chain is kube-proxy's). */
const JUMPS = [
  ['filter-prerouting-pre-dnat', 'ct state new', 'firewall-check'],
  ['filter-output-pre-dnat', 'ct state new', 'firewall-check'],
  ['filter-forward', 'ct state new', 'service-endpoints-check'],
  ['filter-forward', 'ct state new', 'cluster-ips-check'],
  ['filter-input', 'ct state new', 'nodeport-endpoints-check'],
  ['filter-input', 'ct state new', 'service-endpoints-check'],
  ['filter-output', 'ct state new', 'service-endpoints-check'],
  ['filter-output', 'ct state new', 'cluster-ips-check'],
  ['nat-output', '', 'services'],
  ['nat-postrouting', '', 'masquerading'],
  ['nat-prerouting', '', 'services'],
] as const

/** Sets and maps of `setupNFTables`, with kube-proxy's comments. */
const CONTAINERS = [
  ['set', 'cluster-ips', 'ipv4_addr', 'Active ClusterIPs'],
  ['set', 'nodeport-ips', 'ipv4_addr', 'IPs that accept NodePort traffic'],
  ['map', 'firewall-ips', 'ipv4_addr . inet_proto . inet_service : verdict', 'destinations that are subject to LoadBalancerSourceRanges'],
  ['map', 'no-endpoint-nodeports', 'inet_proto . inet_service : verdict', 'vmap to drop or reject packets to service nodeports with no endpoints'],
  ['map', 'no-endpoint-services', 'ipv4_addr . inet_proto . inet_service : verdict', 'vmap to drop or reject packets to services with no endpoints'],
  ['map', 'service-ips', 'ipv4_addr . inet_proto . inet_service : verdict', 'ClusterIP, ExternalIP and LoadBalancer IP traffic'],
  ['map', 'service-nodeports', 'inet_proto . inet_service : verdict', 'NodePort traffic'],
] as const

/** An nft script under construction: object declarations first, then rules, then map elements, so every reference resolves. */
interface Script {
  objects: string[]
  rules: string[]
  elements: string[]
}

const rule = (s: Script, chain: string, body: string) => s.rules.push(`add rule ${NFT_TABLE} ${chain} ${body}`)
const element = (s: Script, container: string, body: string) => s.elements.push(`add element ${NFT_TABLE} ${container} { ${body} }`)

/** `setupNFTables`: the table, base chains, dispatch maps, no-endpoint handling and masquerading. */
function writeBase(s: Script, input: RuleInput): void {
  s.objects.push(`add table ${NFT_TABLE} { comment "rules for kube-proxy" ; }`)
  for (const [kind, name, type, comment] of CONTAINERS) s.objects.push(`add ${kind} ${NFT_TABLE} ${name} { type ${type} ; comment "${comment}" ; }`)
  for (const [name, type, hook, priority] of BASE_CHAINS) s.objects.push(`add chain ${NFT_TABLE} ${name} { type ${type} hook ${hook} priority ${priority} ; }`)
  for (const name of TOP_CHAINS) s.objects.push(`add chain ${NFT_TABLE} ${name}`)
  s.objects.push(`add chain ${NFT_TABLE} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`)
  // The sets and maps are refilled on every full sync (nftElementStorage.reset).
  for (const [kind, name] of CONTAINERS) s.objects.push(`flush ${kind} ${NFT_TABLE} ${name}`)

  rule(s, 'cluster-ips-check', 'ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"')
  for (const [from, match, to] of JUMPS) rule(s, from, `${match === '' ? '' : `${match} `}jump ${to}`)
  rule(s, 'firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips')
  rule(s, 'mark-for-masquerade', `mark set mark or ${MASQUERADE_MARK}`)
  rule(s, 'masquerading', `mark and ${MASQUERADE_MARK} == 0 return`)
  rule(s, 'masquerading', `mark set mark xor ${MASQUERADE_MARK}`)
  rule(s, 'masquerading', 'masquerade fully-random')
  rule(s, 'nodeport-endpoints-check', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports')
  rule(s, 'reject-chain', 'reject')
  rule(s, 'services', 'ip daddr . meta l4proto . th dport vmap @service-ips')
  rule(s, 'services', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports')
  rule(s, 'service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services')
  for (const ip of input.node.addresses) element(s, 'nodeport-ips', ip)
}

/** The Service's chain names (`newServiceInfo`, `newEndpointInfo`). */
function names(input: RuleInput) {
  const base = nftServiceChainBase(input.service)
  const ep = (e: RuleEndpoint) => nftEndpointChainBase(input.service, e)
  return {
    cluster: `service-${base}`,
    local: `local-${base}`,
    external: `external-${base}`,
    endpoint: (e: RuleEndpoint) => `endpoint-${ep(e)}`,
    affinity: (e: RuleEndpoint) => `affinity-${ep(e)}`,
  }
}

const verdictText = (v: NoEndpointVerdict) => (v === 'reject' ? 'goto reject-chain' : 'drop')

/** The map elements that dispatch the ClusterIP and NodePort, or drop/reject them without endpoints. */
function writeElements(s: Script, input: RuleInput, plan: ServicePlan, n: ReturnType<typeof names>): void {
  const { service } = input
  const proto = protocolName(service)
  const comment = `comment "${servicePortNameString(service)}"`
  if (service.clusterIP !== null) {
    element(s, 'cluster-ips', service.clusterIP)
    const key = `${service.clusterIP} . ${proto} . ${service.port}`
    if (plan.internalVerdict === null) element(s, 'service-ips', `${key} : goto ${plan.internalPolicyLocal ? n.local : n.cluster}`)
    else element(s, 'no-endpoint-services', `${key} ${comment} : ${verdictText(plan.internalVerdict)}`)
  }
  if (service.nodePort !== null) {
    const key = `${proto} . ${service.nodePort}`
    if (plan.hasEndpoints) element(s, 'service-nodeports', `${key} : goto ${n.external}`)
    if (plan.externalVerdict !== null) element(s, 'no-endpoint-nodeports', `${key} ${comment} : ${verdictText(plan.externalVerdict)}`)
  }
}

/** The external chain: masquerade under Cluster; under Local, short-circuit pods and the node itself, then go local. */
function writeExternalChain(s: Script, input: RuleInput, plan: ServicePlan, n: ReturnType<typeof names>): void {
  if (!plan.externalPolicyLocal) {
    rule(s, n.external, 'jump mark-for-masquerade')
  } else {
    rule(s, n.external, `ip saddr ${input.node.clusterCidr} goto ${n.cluster} comment "short-circuit pod traffic"`)
    rule(s, n.external, 'fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"')
    rule(s, n.external, `fib saddr type local goto ${n.cluster} comment "short-circuit local traffic"`)
  }
  if (plan.hasExternalEndpoints) rule(s, n.external, `goto ${plan.externalPolicyLocal ? n.local : n.cluster}`)
}

/** `writeServiceToEndpointRules`: affinity lookups in endpoint order, then one `numgen random` pick. */
function writeServiceToEndpointRules(s: Script, input: RuleInput, chain: string, endpoints: RuleEndpoint[], n: ReturnType<typeof names>): void {
  if (input.service.sessionAffinityTimeoutSeconds !== null) {
    for (const ep of endpoints) rule(s, chain, `ip saddr @${n.affinity(ep)} goto ${n.endpoint(ep)}`)
  }
  const vmap = endpoints.map((ep, i) => `${i} : goto ${n.endpoint(ep)}`).join(' , ')
  rule(s, chain, `numgen random mod ${endpoints.length} vmap { ${vmap} }`)
}

/** An endpoint chain: hairpin masquerade, affinity update, svcbench's decision counter, DNAT. */
function writeEndpointChain(s: Script, input: RuleInput, ep: RuleEndpoint, n: ReturnType<typeof names>): void {
  const chain = n.endpoint(ep)
  rule(s, chain, `ip saddr ${ep.address} jump mark-for-masquerade`)
  if (input.service.sessionAffinityTimeoutSeconds !== null) rule(s, chain, `update @${n.affinity(ep)} { ip saddr }`)
  rule(s, chain, `counter name ${NFT_DECISION_COUNTER_PREFIX}${ep.name}`)
  rule(s, chain, `meta l4proto ${protocolName(input.service)} dnat to ${endpointString(ep)}`)
}

/** The Service port's part of `syncProxyRules`. */
function writeService(s: Script, input: RuleInput): void {
  const { service } = input
  const plan = planService(input)
  const n = names(input)
  const timeout = service.sessionAffinityTimeoutSeconds
  for (const ep of plan.reachableEndpoints) {
    if (timeout !== null) s.objects.push(`add set ${NFT_TABLE} ${n.affinity(ep)} { type ipv4_addr ; flags dynamic,timeout ; timeout ${timeout}s ; }`)
    s.objects.push(`add counter ${NFT_TABLE} ${NFT_DECISION_COUNTER_PREFIX}${ep.name}`)
    s.objects.push(`add chain ${NFT_TABLE} ${n.endpoint(ep)}`)
  }
  if (plan.usesClusterPolicyChain) s.objects.push(`add chain ${NFT_TABLE} ${n.cluster}`)
  if (plan.usesLocalPolicyChain) s.objects.push(`add chain ${NFT_TABLE} ${n.local}`)
  if (plan.usesExternalTrafficChain) s.objects.push(`add chain ${NFT_TABLE} ${n.external}`)

  writeElements(s, input, plan, n)
  // Masquerade every source reaching the ClusterIP (masqueradeAll), else only off-cluster ones
  // (detect-local-mode ClusterCIDR). The chain is entered only from the ClusterIP's service-ips
  // element, so matching the port again would change nothing (the current proxier leaves it out).
  if (plan.hasInternalEndpoints && service.clusterIP !== null) {
    const sources = input.masqueradeAll === true ? '' : ` ip saddr != ${input.node.clusterCidr}`
    rule(s, plan.internalPolicyLocal ? n.local : n.cluster, `ip daddr ${service.clusterIP}${sources} jump mark-for-masquerade`)
  }
  if (plan.usesExternalTrafficChain) writeExternalChain(s, input, plan, n)
  if (plan.usesClusterPolicyChain) writeServiceToEndpointRules(s, input, n.cluster, plan.clusterEndpoints, n)
  if (plan.usesLocalPolicyChain) writeServiceToEndpointRules(s, input, n.local, plan.localEndpoints, n)
  for (const ep of plan.reachableEndpoints) writeEndpointChain(s, input, ep, n)
}

/** kube-proxy's nftables ruleset for `input.service` on `input.node`, as `nft -f` text (one line per command). */
export function renderNftables(input: RuleInput): string {
  const s: Script = { objects: [], rules: [], elements: [] }
  writeBase(s, input)
  writeService(s, input)
  return [...s.objects, ...s.rules, ...s.elements].join('\n') + '\n'
}
