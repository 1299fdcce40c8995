/** `service.*` from the Service (ports, affinity, traffic policies, load balancer) and a KubeProxyConfiguration. */
import { type ManifestContext, get, whereOf } from './context.ts'
import { presetFromFile, type FilePreset } from './lb.ts'
import type { ServiceType } from '../../model/scenario.ts'

type Obj = Record<string, unknown>

/** The scenario's service fields, and the load balancer preset the file implies (LoadBalancer only). */
export function serviceFields(ctx: ManifestContext, svc: Obj, type: ServiceType, port: Obj, proxyConfigs: Obj[]): { service: Obj; preset: FilePreset | undefined } {
  const sid = whereOf(ctx, svc)
  const service: Obj = { type }
  // A ClusterIP Service has no NodePort: a nodePort left in a file run as ClusterIP is not used.
  if (typeof port.nodePort === 'number' && type !== 'ClusterIP') service.nodePort = port.nodePort
  // The Service port: where in-cluster clients connect (ClusterIP; any type with load.from
  // 'cluster'), or the load balancer listens.
  if ((type === 'ClusterIP' || (type === 'NodePort' && ctx.loadFrom === 'cluster')) && typeof port.port === 'number') service.port = port.port
  if (port.protocol === 'UDP') service.protocol = 'UDP'
  let preset: FilePreset | undefined
  if (type === 'LoadBalancer') {
    if (typeof port.port === 'number') service.port = port.port
    const hc = get(svc, 'spec.healthCheckNodePort')
    if (hc !== undefined) service.healthCheckNodePort = hc
    preset = presetFromFile(svc, ctx.objects, sid)
    ctx.warnings.push(...preset.warnings)
    if (Object.keys(preset.healthCheck).length > 0) service.loadBalancer = { healthCheck: preset.healthCheck }
  } else if (get(svc, 'spec.healthCheckNodePort') !== undefined) {
    ctx.warnings.push(`${sid}: spec.healthCheckNodePort only applies to type LoadBalancer, ignored`)
  }
  const affinity = get(svc, 'spec.sessionAffinity')
  if (affinity !== undefined) service.sessionAffinity = affinity
  const timeout = get(svc, 'spec.sessionAffinityConfig.clientIP.timeoutSeconds')
  if (timeout !== undefined) service.sessionAffinityTimeoutSeconds = timeout
  for (const f of [...(type === 'ClusterIP' ? [] : ['externalTrafficPolicy']), 'internalTrafficPolicy']) {
    const v = get(svc, `spec.${f}`)
    if (v !== undefined) service[f] = v
  }
  if (proxyConfigs.length > 1) ctx.warnings.push(`${ctx.shown}: ${proxyConfigs.length} KubeProxyConfigurations; the first is used`)
  const kp = proxyConfigs[0]
  if (kp !== undefined) {
    const mode = kp.mode
    service.proxyMode = mode === undefined || mode === '' ? 'iptables' : mode
    const scheduler = get(kp, 'ipvs.scheduler')
    if (service.proxyMode === 'ipvs' && scheduler !== undefined && scheduler !== '') service.ipvsScheduler = scheduler
    // metav1.Duration strings ("900s", "2m"; "0s" keeps the kernel's), the form service.ipvs takes.
    const timeouts = Object.fromEntries(['tcpTimeout', 'tcpFinTimeout', 'udpTimeout'].map((k) => [k, get(kp, `ipvs.${k}`)]).filter(([, v]) => v !== undefined))
    if (service.proxyMode === 'ipvs' && Object.keys(timeouts).length > 0) service.ipvs = timeouts
    if (typeof kp.masqueradeAll === 'boolean') service.masqueradeAll = kp.masqueradeAll
  }
  return { service, preset }
}
