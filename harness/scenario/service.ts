/**
 * service.*: the kube-proxy configuration (friendly alias, mode, IPVS scheduler and flags), ports,
 * traffic policies and the front load balancer's preset with its overrides.
 */
import type { ScenarioIssue } from '../errors.ts'
import { algorithmFor } from '../balancers/registry.ts'
import { BALANCER_ALIASES, KERNEL_IPVS_TIMEOUTS, type BalancerName, type IpvsFlag, type IpvsScheduler, type IpvsTimeouts, type ProxyMode } from '../model/kube-proxy.ts'
import { parseDurationMs } from '../util/duration.ts'
import type { LoadOrigin, ResolvedVariant, ServiceType } from '../model/scenario.ts'
import type { LbPresetName, LbSettings } from '../model/load-balancer.ts'
import { showValue } from '../util/text.ts'
import { LB_LOCAL_HEALTH_CHECKS, LB_PRESETS } from './lb-presets.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

/**
 * service.ipvs.*: kube-proxy's timeouts, 0 (or unset) keeping the kernel's, as kube-proxy only calls
 * ConfigureTimeouts with a value that is set (pkg/proxy/ipvs/proxier.go); ipvs mode only.
 */
function resolveIpvsTimeouts(ipvs: Obj | undefined, mode: ProxyMode, p: (s: string) => string, issues: ScenarioIssue[]): IpvsTimeouts {
  if (ipvs === undefined) return { ...KERNEL_IPVS_TIMEOUTS }
  if (mode !== 'ipvs') issues.push({ path: p('service.ipvs'), message: `got ${showValue(ipvs)}; IPVS timeouts need proxyMode "ipvs" (got "${mode}")` })
  const ms = (v: unknown, kernel: number) => {
    const x = parseDurationMs(v) ?? 0
    return x > 0 ? x : kernel
  }
  return {
    tcpMs: ms(ipvs.tcpTimeout, KERNEL_IPVS_TIMEOUTS.tcpMs),
    tcpFinMs: ms(ipvs.tcpFinTimeout, KERNEL_IPVS_TIMEOUTS.tcpFinMs),
    udpMs: ms(ipvs.udpTimeout, KERNEL_IPVS_TIMEOUTS.udpMs),
  }
}

/** Options for {@link resolveService}. */
export interface ResolveServiceOptions {
  /** The load balancer preset the manifests imply: it runs unless the scenario names one. */
  filePreset?: { preset: LbPresetName; source: string }
  /** Where the load comes from (load.from): in-cluster clients use the Service's port on a NodePort Service too. @default 'external' */
  from?: LoadOrigin
}

/** service.type as written, defaulted. */
export function serviceTypeOf(service: Obj): ServiceType {
  return (service.type as ServiceType | undefined) ?? 'NodePort'
}

/** service.* with the kube-proxy configuration worked out from alias, mode and scheduler. */
export function resolveService(service: Obj, p: (s: string) => string, issues: ScenarioIssue[], opts: ResolveServiceOptions = {}): ResolvedVariant['service'] {
  const { filePreset } = opts
  const alias = service.balancer as BalancerName | undefined
  let mode = service.proxyMode as ProxyMode | undefined
  let scheduler = service.ipvsScheduler as IpvsScheduler | undefined
  if (alias !== undefined) {
    const a = BALANCER_ALIASES[alias]
    if (mode !== undefined && mode !== a.proxyMode) {
      issues.push({ path: p('service.proxyMode'), message: `got ${showValue(mode)}; balancer "${alias}" means proxyMode "${a.proxyMode}"; drop one of the two` })
    }
    if (scheduler !== undefined && scheduler !== a.ipvsScheduler) {
      issues.push({ path: p('service.ipvsScheduler'), message: `got ${showValue(scheduler)}; balancer "${alias}" means ${a.ipvsScheduler === undefined ? 'no IPVS scheduler' : `ipvsScheduler "${a.ipvsScheduler}"`}; drop one of the two` })
    }
    mode = a.proxyMode
    scheduler = a.ipvsScheduler
  }
  if (mode === undefined) mode = scheduler !== undefined ? 'ipvs' : D.DEFAULT_PROXY_MODE
  if (mode !== 'ipvs' && scheduler !== undefined && alias === undefined) {
    issues.push({ path: p('service.ipvsScheduler'), message: `got ${showValue(scheduler)}; an IPVS scheduler needs proxyMode "ipvs" (got "${mode}")` })
  }
  const sched: IpvsScheduler | null = mode === 'ipvs' ? (scheduler ?? 'rr') : null
  const flags = (service.ipvsFlags as IpvsFlag[] | undefined) ?? []
  flags.forEach((f, i) => {
    const needs = f.startsWith('sh-') ? 'sh' : 'mh'
    if (sched !== needs) {
      issues.push({ path: p(`service.ipvsFlags[${i}]`), message: `got ${showValue(f)}; this flag needs ipvsScheduler "${needs}" (got ${sched === null ? `proxyMode "${mode}"` : `"${sched}"`})` })
    }
  })
  const ipvsTimeouts = resolveIpvsTimeouts(service.ipvs as Obj | undefined, mode, p, issues)
  const affinity = (service.sessionAffinity as 'None' | 'ClientIP' | undefined) ?? 'None'
  // A timeout with affinity None is kept but unused: a variant (or a scenario over manifests)
  // may switch affinity off without having to remove the timeout.
  const type = serviceTypeOf(service)
  const nodePort = (service.nodePort as number | undefined) ?? D.DEFAULT_NODE_PORT
  const healthCheckNodePort = (service.healthCheckNodePort as number | undefined) ?? D.DEFAULT_HEALTH_CHECK_NODE_PORT
  if (type === 'NodePort') {
    // In-cluster clients connect to the ClusterIP's port, which every Service type has.
    for (const f of [...(opts.from === 'cluster' ? [] : ['port']), 'healthCheckNodePort', 'loadBalancer']) {
      if (service[f] !== undefined) issues.push({ path: p(`service.${f}`), message: `only applies to type "LoadBalancer" (got type "NodePort")` })
    }
  } else if (type === 'ClusterIP') {
    // A ClusterIP Service has no NodePort (the API server refuses these fields on it).
    for (const f of ['nodePort', 'healthCheckNodePort', 'loadBalancer', 'externalTrafficPolicy']) {
      if (service[f] !== undefined) issues.push({ path: p(`service.${f}`), message: `only applies to type "NodePort" or "LoadBalancer" (got type "ClusterIP")` })
    }
  } else if (healthCheckNodePort === nodePort) {
    issues.push({ path: p('service.healthCheckNodePort'), message: `got ${healthCheckNodePort}; expected a port other than service.nodePort` })
  }
  let loadBalancer: LbSettings | null = null
  if (type === 'LoadBalancer') {
    const lb = (service.loadBalancer ?? {}) as Obj
    const preset = (lb.preset as LbPresetName | undefined) ?? filePreset?.preset ?? D.DEFAULT_LB_PRESET
    const base = LB_PRESETS[preset]
    const local = service.externalTrafficPolicy === 'Local' ? LB_LOCAL_HEALTH_CHECKS[preset] : undefined
    const hc = { ...(local ?? base.healthCheck), ...((lb.healthCheck as Partial<LbSettings['healthCheck']> | undefined) ?? {}) }
    const leaderFailoverSeconds = (lb.leaderFailoverSeconds as number | undefined) ?? base.leaderFailoverSeconds
    const algorithm = (lb.algorithm as LbSettings['algorithm'] | undefined) ?? base.algorithm
    if (algorithm === 'leader' && (lb.healthCheck as Obj | undefined)?.unhealthyThreshold === undefined) {
      // MetalLB moves the address after leaderFailoverSeconds: probe each second until then.
      hc.intervalSeconds = 1
      hc.unhealthyThreshold = Math.max(1, Math.ceil(leaderFailoverSeconds))
    }
    if (hc.timeoutSeconds > hc.intervalSeconds && (lb.healthCheck as Obj | undefined)?.timeoutSeconds !== undefined) {
      issues.push({ path: p('service.loadBalancer.healthCheck.timeoutSeconds'), message: `got ${hc.timeoutSeconds}; expected at most intervalSeconds (${hc.intervalSeconds})` })
    }
    loadBalancer = {
      preset,
      algorithm,
      healthCheck: hc,
      allUnhealthy: (lb.allUnhealthy as LbSettings['allUnhealthy'] | undefined) ?? base.allUnhealthy,
      preserveClientIp: (lb.preserveClientIp as boolean | undefined) ?? base.preserveClientIp,
      leaderFailoverSeconds,
      tls: (lb.tls as boolean | undefined) ?? false,
    }
  }
  return {
    dataplane: (service.dataplane as ResolvedVariant['service']['dataplane'] | undefined) ?? D.DEFAULT_DATAPLANE,
    protocol: (service.protocol as ResolvedVariant['service']['protocol'] | undefined) ?? D.DEFAULT_PROTOCOL,
    udpConntrackCleanup: (service.udpConntrackCleanup as ResolvedVariant['service']['udpConntrackCleanup'] | undefined) ?? D.DEFAULT_UDP_CONNTRACK_CLEANUP,
    type,
    nodePort,
    port: (service.port as number | undefined) ?? D.DEFAULT_LB_PORT,
    healthCheckNodePort,
    loadBalancer,
    proxyMode: mode,
    ipvsScheduler: sched,
    ipvsFlags: [...new Set(flags)],
    ipvsTimeouts,
    algorithm: algorithmFor(mode, sched ?? undefined),
    balancer: alias ?? null,
    balancing: (service.balancing as 'connection' | 'request' | undefined) ?? D.DEFAULT_BALANCING,
    sessionAffinity: affinity,
    sessionAffinityTimeoutSeconds: (service.sessionAffinityTimeoutSeconds as number | undefined) ?? D.DEFAULT_SESSION_AFFINITY_TIMEOUT_SECONDS,
    externalTrafficPolicy: (service.externalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster',
    internalTrafficPolicy: (service.internalTrafficPolicy as 'Cluster' | 'Local' | undefined) ?? 'Cluster',
    masqueradeAll: (service.masqueradeAll as boolean | undefined) ?? false,
  }
}
