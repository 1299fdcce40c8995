/**
 * The UDP parts of a variant: service.protocol's consequences (the open model is required, one
 * pick per flow, a front load balancer only where its preset carries UDP), the nodes' conntrack
 * timeouts and the UDP load's source ports. In-cluster clients (load.from 'cluster': resolvers in
 * client pods at the ClusterIP, the CoreDNS case) run as external ones do, with the same refusals. Checked here so that a UDP scenario that cannot run
 * is refused before anything starts (exit 2).
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedVariant, UdpSourcePort } from '../model/scenario.ts'
import type { LbPresetName } from '../model/load-balancer.ts'
import { parseDurationMs } from '../util/duration.ts'
import { showValue } from '../util/text.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

/**
 * Presets whose load balancer can carry UDP: the NLB's UDP listeners hash each flow (5-tuple) to
 * a target, as its TCP ones do. The others are refused for UDP (their models here are TCP
 * proxies; Classic ELB has no UDP at all). TODO(#18): the front load balancer process forwards
 * TCP only, so a UDP Service behind aws-nlb is refused too until it has a UDP flow-hash listener
 * (and a health check that fits a UDP NodePort: nothing answers TCP on it).
 */
export const UDP_LB_PRESETS: readonly LbPresetName[] = ['aws-nlb']

/** cluster.conntrack.* in ms; whole seconds ≥ 1 on the kernel dataplane (its sysctls are in seconds). */
export function resolveConntrack(cluster: Obj, dataplane: string, p: (s: string) => string, issues: ScenarioIssue[]): ResolvedVariant['cluster']['conntrack'] {
  const ct = (cluster.conntrack ?? {}) as Obj
  const get = (key: 'udpTimeout' | 'udpStreamTimeout', dflt: number) => {
    const ms = parseDurationMs(ct[key]) ?? dflt
    if (ms < 1) issues.push({ path: p(`cluster.conntrack.${key}`), message: `got ${showValue(ct[key])}; expected at least 1ms` })
    else if (dataplane === 'kernel' && ms % 1000 !== 0) {
      issues.push({ path: p(`cluster.conntrack.${key}`), message: `got ${showValue(ct[key])}; the kernel dataplane writes it to a sysctl in whole seconds: expected a multiple of 1s, e.g. "${Math.max(1, Math.round(ms / 1000))}s"` })
    }
    return ms
  }
  return { udpTimeoutMs: get('udpTimeout', D.DEFAULT_UDP_TIMEOUT_MS), udpStreamTimeoutMs: get('udpStreamTimeout', D.DEFAULT_UDP_STREAM_TIMEOUT_MS) }
}

/** load.udpSourcePort and load.udpQueryBytes (UDP Services only). */
export function resolveUdpLoad(load: Obj, protocol: string, p: (s: string) => string, issues: ScenarioIssue[]): Pick<ResolvedVariant['load'], 'udpSourcePort' | 'udpQueryBytes'> {
  if (protocol !== 'UDP') {
    for (const k of ['udpSourcePort', 'udpQueryBytes']) {
      if (load[k] !== undefined) issues.push({ path: p(`load.${k}`), message: `applies to UDP Services only (service.protocol is "${protocol}"); set service.protocol: "UDP" or leave load.${k} out` })
    }
  }
  return {
    udpSourcePort: (load.udpSourcePort as UdpSourcePort | undefined) ?? D.DEFAULT_UDP_SOURCE_PORT,
    udpQueryBytes: (load.udpQueryBytes as number | undefined) ?? D.DEFAULT_UDP_QUERY_BYTES,
  }
}

/** What a UDP Service cannot be combined with (each an issue with its fix); nothing for TCP. */
export function udpIssues(v: ResolvedVariant, raw: { service: Obj; load: Obj }, p: (s: string) => string): ScenarioIssue[] {
  const out: ScenarioIssue[] = []
  const s = v.service
  if (s.protocol !== 'UDP') {
    if (raw.service.udpConntrackCleanup !== undefined) out.push({ path: p('service.udpConntrackCleanup'), message: `applies to UDP Services only (service.protocol is "${s.protocol}")` })
    return out
  }
  if (v.load.model !== 'open') {
    out.push({ path: p('load.rate'), message: 'not set; a UDP Service runs on the open model (UDP has no connection to close the loop on): set load.rate (queries per second, e.g. load.rate: 500) or load.stages' })
  }
  if (s.balancing === 'request') {
    out.push({ path: p('service.balancing'), message: 'got "request"; a UDP Service is balanced per flow (kube-proxy picks once per conntrack entry): leave service.balancing out or set "connection"' })
  }
  const lb = s.loadBalancer
  if (lb !== null && !UDP_LB_PRESETS.includes(lb.preset)) {
    out.push({ path: p('service.loadBalancer.preset'), message: `got "${lb.preset}"; its load balancer carries TCP only here; for a UDP Service expected one of ${UDP_LB_PRESETS.map((x) => `"${x}"`).join(', ')} (flow hash), or type "NodePort"` })
  } else if (lb !== null) {
    out.push({ path: p('service.type'), message: `got "LoadBalancer" (preset "${lb.preset}"); svcbench's front load balancer does not carry UDP yet: run the UDP Service as type "NodePort" (the NLB's flow hash pins each flow to one node, as every node's kube-proxy then pins it to one pod)` })
  }
  if (s.proxyMode === 'userspace') {
    out.push({ path: p('service.proxyMode'), message: 'got "userspace"; its UDP proxy (removed in 1.26) is not modelled: expected iptables, nftables or ipvs' })
  }
  if (raw.load.keepAlive !== undefined || raw.load.maxConnections !== undefined || raw.load.connectionLifetime !== undefined) {
    out.push({ path: p('load'), message: 'keepAlive, maxConnections and connectionLifetime are TCP settings; a UDP load sends one datagram per query (load.udpSourcePort says which socket): leave them out' })
  }
  return out
}
