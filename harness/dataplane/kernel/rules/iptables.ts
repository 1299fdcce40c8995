/**
 * The rules kube-proxy's iptables proxier writes for one Service port on one node, as
 * `iptables-restore --noflush` input for the filter and nat tables, in the shape of
 * pkg/proxy/iptables/proxier.go `syncProxyRules` and `writeServiceToEndpointRules` (checked
 * against pkg/proxy/iptables/proxier_test.go `TestOverallIPTablesRules`). The jumps from the
 * built-in chains (`iptablesJumpChains`) are not restore input in kube-proxy either: it ensures
 * them with `iptables -C`/`-I`; {@link IPTABLES_JUMP_CHAINS} lists them for apply-iptables.ts.
 *
 * Added by svcbench: a per-endpoint counting chain `SVCB-DEC-<hash>` (one RETURN rule whose
 * comment is the pod name), jumped to from the endpoint's KUBE-SEP chain just before its DNAT: the
 * nat table sees only the first packet of a connection, so it counts balancing decisions, and
 * apply-iptables.ts declares it only once so that later syncs do not zero it.
 * Left out: LoadBalancerSourceRanges (KUBE-PROXY-FIREWALL stays empty), localhost NodePorts
 * (KUBE-FIREWALL, route_localnet), external and LoadBalancer IPs, IPv6. docs/kernel-rules.md.
 */
import { endpointString, iptablesDecisionChain, iptablesEndpointChain, iptablesPortProtoHash, protocolName, servicePortNameString } from './chain-names.ts'
import { MASQUERADE_MARK, planService, type NoEndpointVerdict, type ServicePlan } from './plan.ts'
import type { RuleEndpoint, RuleInput } from './types.ts'

/** Prefix of svcbench's per-endpoint decision counting chains. */
export const IPTABLES_DECISION_CHAIN_PREFIX = 'SVCB-DEC-'

/** Prefixes of kube-proxy's per-Service chains (`isServiceChainName`): stale ones are deleted on apply. */
export const IPTABLES_SERVICE_CHAIN_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-FW-', 'KUBE-EXT-', 'KUBE-SEP-'] as const

/** One `iptablesJumpChains` entry: a rule in a built-in chain jumping to one of kube-proxy's. */
export interface IptablesJump {
  /** Table. */
  table: 'filter' | 'nat'
  /** kube-proxy's chain jumped to. */
  target: string
  /** Built-in chain the rule is in. */
  from: string
  /** The rule's match and comment, as kube-proxy writes it before `-j target`. */
  match: string
}

const NEW = '-m conntrack --ctstate NEW'

/** `iptablesJumpChains`, in kube-proxy's order (each is prepended with `-I`). */
export const IPTABLES_JUMP_CHAINS: readonly IptablesJump[] = [
  { table: 'filter', target: 'KUBE-EXTERNAL-SERVICES', from: 'INPUT', match: `${NEW} -m comment --comment "kubernetes externally-visible service portals"` },
  { table: 'filter', target: 'KUBE-EXTERNAL-SERVICES', from: 'FORWARD', match: `${NEW} -m comment --comment "kubernetes externally-visible service portals"` },
  { table: 'filter', target: 'KUBE-NODEPORTS', from: 'INPUT', match: '-m comment --comment "kubernetes health check service ports"' },
  { table: 'filter', target: 'KUBE-SERVICES', from: 'FORWARD', match: `${NEW} -m comment --comment "kubernetes service portals"` },
  { table: 'filter', target: 'KUBE-SERVICES', from: 'OUTPUT', match: `${NEW} -m comment --comment "kubernetes service portals"` },
  { table: 'filter', target: 'KUBE-FORWARD', from: 'FORWARD', match: '-m comment --comment "kubernetes forwarding rules"' },
  { table: 'filter', target: 'KUBE-PROXY-FIREWALL', from: 'INPUT', match: `${NEW} -m comment --comment "kubernetes load balancer firewall"` },
  { table: 'filter', target: 'KUBE-PROXY-FIREWALL', from: 'OUTPUT', match: `${NEW} -m comment --comment "kubernetes load balancer firewall"` },
  { table: 'filter', target: 'KUBE-PROXY-FIREWALL', from: 'FORWARD', match: `${NEW} -m comment --comment "kubernetes load balancer firewall"` },
  { table: 'nat', target: 'KUBE-SERVICES', from: 'OUTPUT', match: '-m comment --comment "kubernetes service portals"' },
  { table: 'nat', target: 'KUBE-SERVICES', from: 'PREROUTING', match: '-m comment --comment "kubernetes service portals"' },
  { table: 'nat', target: 'KUBE-POSTROUTING', from: 'POSTROUTING', match: '-m comment --comment "kubernetes postrouting rules"' },
]

/** kube-proxy's fixed chains per table (the chain lines it writes first). */
export const IPTABLES_TOP_CHAINS = {
  filter: ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'],
  nat: ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'],
} as const

/** `computeProbability`: 1/n with ten decimals (`%0.10f`). */
export function probability(n: number): string {
  return (1 / n).toFixed(10)
}

/** Restore input under construction: chain lines, then rules, per table. */
interface Tables {
  filterChains: string[]
  filterRules: string[]
  natChains: string[]
  natRules: string[]
}

const chainLine = (chain: string) => `:${chain} - [0:0]`

/** The Service's chain names (`newServiceInfo`, `newEndpointInfo`). */
function names(input: RuleInput) {
  const hash = iptablesPortProtoHash(input.service)
  return { cluster: `KUBE-SVC-${hash}`, local: `KUBE-SVL-${hash}`, external: `KUBE-EXT-${hash}`, endpoint: (e: RuleEndpoint) => iptablesEndpointChain(input.service, e) }
}

const target = (v: NoEndpointVerdict) => (v === 'reject' ? 'REJECT' : 'DROP')

/** The ClusterIP and NodePort captures, with the filter table's REJECT/DROP where endpoints are missing. */
function writeCaptures(t: Tables, input: RuleInput, plan: ServicePlan, n: ReturnType<typeof names>): void {
  const { service } = input
  const spn = servicePortNameString(service)
  const proto = protocolName(service)
  const m = `-m ${proto} -p ${proto}`
  const filterComment = (v: NoEndpointVerdict) => `"${spn} ${v === 'reject' ? 'has no endpoints' : 'has no local endpoints'}"`
  if (service.clusterIP !== null) {
    const dst = `${m} -d ${service.clusterIP} --dport ${service.port}`
    if (plan.internalVerdict === null) t.natRules.push(`-A KUBE-SERVICES -m comment --comment "${spn} cluster IP" ${dst} -j ${plan.internalPolicyLocal ? n.local : n.cluster}`)
    else t.filterRules.push(`-A KUBE-SERVICES -m comment --comment ${filterComment(plan.internalVerdict)} ${dst} -j ${target(plan.internalVerdict)}`)
  }
  if (service.nodePort !== null) {
    if (plan.hasEndpoints) t.natRules.push(`-A KUBE-NODEPORTS -m comment --comment ${spn} ${m} --dport ${service.nodePort} -j ${n.external}`)
    if (plan.externalVerdict !== null) {
      t.filterRules.push(`-A KUBE-EXTERNAL-SERVICES -m comment --comment ${filterComment(plan.externalVerdict)} -m addrtype --dst-type LOCAL ${m} --dport ${service.nodePort} -j ${target(plan.externalVerdict)}`)
    }
  }
  if (service.healthCheckNodePort !== null) {
    t.filterRules.push(`-A KUBE-NODEPORTS -m comment --comment "${spn} health check node port" -m tcp -p tcp --dport ${service.healthCheckNodePort} -j ACCEPT`)
  }
}

/** KUBE-EXT-: masquerade under Cluster; under Local, short-circuit pods and the node itself, then go local. */
function writeExternalChain(t: Tables, input: RuleInput, plan: ServicePlan, n: ReturnType<typeof names>): void {
  const spn = servicePortNameString(input.service)
  t.natChains.push(chainLine(n.external))
  if (!plan.externalPolicyLocal) {
    t.natRules.push(`-A ${n.external} -m comment --comment "masquerade traffic for ${spn} external destinations" -j KUBE-MARK-MASQ`)
  } else {
    t.natRules.push(`-A ${n.external} -m comment --comment "pod traffic for ${spn} external destinations" -s ${input.node.clusterCidr} -j ${n.cluster}`)
    t.natRules.push(`-A ${n.external} -m comment --comment "masquerade LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`)
    t.natRules.push(`-A ${n.external} -m comment --comment "route LOCAL traffic for ${spn} external destinations" -m addrtype --src-type LOCAL -j ${n.cluster}`)
  }
  if (plan.hasExternalEndpoints) t.natRules.push(`-A ${n.external} -j ${plan.externalPolicyLocal ? n.local : n.cluster}`)
}

/** `writeServiceToEndpointRules`: `recent --rcheck` per endpoint in order, then `statistic` picks of 1/(n−i). */
function writeServiceToEndpointRules(t: Tables, input: RuleInput, chain: string, endpoints: RuleEndpoint[], n: ReturnType<typeof names>): void {
  const spn = servicePortNameString(input.service)
  t.natChains.push(chainLine(chain))
  const seconds = input.service.sessionAffinityTimeoutSeconds
  if (seconds !== null) {
    for (const ep of endpoints) {
      const sep = n.endpoint(ep)
      t.natRules.push(`-A ${chain} -m comment --comment "${spn} -> ${endpointString(ep)}" -m recent --name ${sep} --rcheck --seconds ${seconds} --reap -j ${sep}`)
    }
  }
  endpoints.forEach((ep, i) => {
    const pick = i < endpoints.length - 1 ? ` -m statistic --mode random --probability ${probability(endpoints.length - i)}` : ''
    t.natRules.push(`-A ${chain} -m comment --comment "${spn} -> ${endpointString(ep)}"${pick} -j ${n.endpoint(ep)}`)
  })
}

/** A KUBE-SEP- chain: hairpin masquerade, svcbench's decision counter, DNAT (recording affinity with `recent --set`). */
function writeEndpointChain(t: Tables, input: RuleInput, ep: RuleEndpoint, n: ReturnType<typeof names>): void {
  const spn = servicePortNameString(input.service)
  const proto = protocolName(input.service)
  const sep = n.endpoint(ep)
  const counter = iptablesDecisionChain(ep.name)
  t.natChains.push(chainLine(sep), chainLine(counter))
  t.natRules.push(`-A ${counter} -m comment --comment ${ep.name} -j RETURN`)
  t.natRules.push(`-A ${sep} -m comment --comment ${spn} -s ${ep.address} -j KUBE-MARK-MASQ`)
  t.natRules.push(`-A ${sep} -m comment --comment ${spn} -j ${counter}`)
  const recent = input.service.sessionAffinityTimeoutSeconds !== null ? ` -m recent --name ${sep} --set` : ''
  t.natRules.push(`-A ${sep} -m comment --comment ${spn}${recent} -m ${proto} -p ${proto} -j DNAT --to-destination ${endpointString(ep)}`)
}

/** The Service port's part of `syncProxyRules`. */
function writeService(t: Tables, input: RuleInput): void {
  const { service } = input
  const plan = planService(input)
  const n = names(input)
  writeCaptures(t, input, plan, n)
  if (plan.hasInternalEndpoints && service.clusterIP !== null) {
    const proto = protocolName(service)
    t.natRules.push(
      // masqueradeAll: every source; else only off-cluster ones (the local traffic detector).
      `-A ${plan.internalPolicyLocal ? n.local : n.cluster} -m comment --comment "${servicePortNameString(service)} cluster IP" -m ${proto} -p ${proto} -d ${service.clusterIP} --dport ${service.port}${input.masqueradeAll === true ? '' : ` ! -s ${input.node.clusterCidr}`} -j KUBE-MARK-MASQ`,
    )
  }
  if (plan.usesExternalTrafficChain) writeExternalChain(t, input, plan, n)
  if (plan.usesClusterPolicyChain) writeServiceToEndpointRules(t, input, n.cluster, plan.clusterEndpoints, n)
  if (plan.usesLocalPolicyChain) writeServiceToEndpointRules(t, input, n.local, plan.localEndpoints, n)
  for (const ep of plan.reachableEndpoints) writeEndpointChain(t, input, ep, n)
}

/** kube-proxy's iptables rules for `input.service` on `input.node`, as `iptables-restore --noflush` input. */
export function renderIptables(input: RuleInput): string {
  const t: Tables = {
    filterChains: IPTABLES_TOP_CHAINS.filter.map(chainLine),
    filterRules: [],
    natChains: IPTABLES_TOP_CHAINS.nat.map(chainLine),
    natRules: [
      `-A KUBE-POSTROUTING -m mark ! --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j RETURN`,
      // Clear the mark so a packet that traverses the stack again is not masqueraded twice.
      `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQUERADE_MARK}`,
      // iptables 1.8 has --random-fully (`HasRandomFully`).
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQUERADE_MARK}`,
    ],
  }
  writeService(t, input)
  // NodePorts only on the node's addresses (nodePortAddresses not MatchAll); last in KUBE-SERVICES.
  for (const ip of input.node.addresses) {
    t.natRules.push(`-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d ${ip} -j KUBE-NODEPORTS`)
  }
  t.filterRules.push(
    // nf_conntrack_tcp_be_liberal is 0 by default, so kube-proxy drops INVALID packets (kubernetes#74839).
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQUERADE_MARK}/${MASQUERADE_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  )
  return ['*filter', ...t.filterChains, ...t.filterRules, 'COMMIT', '*nat', ...t.natChains, ...t.natRules, 'COMMIT', ''].join('\n')
}
