/**
 * The UDP parts of a variant: service.protocol's consequences (the open model is required, one
 * pick per flow, a front load balancer only where its preset carries UDP), the nodes' conntrack
 * timeouts and the UDP load's source ports. In-cluster clients (load.from 'cluster': resolvers in
 * client pods at the ClusterIP, the CoreDNS case) run as external ones do, with the same
 * refusals. Checked here so that a UDP scenario that cannot run is refused before anything starts
 * (exit 2).
 */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedVariant, UdpSourcePort } from '../model/scenario.ts'
import type { LbPresetName } from '../model/load-balancer.ts'
import { parseDurationMs } from '../util/duration.ts'
import { showValue } from '../util/text.ts'
import * as D from './defaults.ts'

type Obj = Record<string, unknown>

/**
 * Presets whose load balancer carries UDP here: the NLB's UDP listeners hash each flow (5-tuple)
 * to a target and keep it there until it is idle for 120 s (harness/lb/udp.ts;
 * docs/kube-proxy-model.md "A UDP Service behind the NLB").
 */
export const UDP_LB_PRESETS: readonly LbPresetName[] = ['aws-nlb']

/** Why each other preset is refused for a UDP Service. */
const NO_UDP: Record<Exclude<LbPresetName, 'aws-nlb'>, string> = {
  // Classic ELB listeners are HTTP, HTTPS, TCP and SSL (Elastic Load Balancing, "Listeners for
  // your Classic Load Balancer"); cloud-provider-aws aws.go checkProtocol refuses UDP unless the
  // Service asks for an NLB: there is no UDP to model.
  'aws-clb': 'a Classic ELB has no UDP listener at all (HTTP, HTTPS, TCP and SSL only)',
  'gcp-l4': 'its UDP path (passthrough Network Load Balancer) is not modelled for UDP yet',
  'azure-lb': 'its UDP load-balancing rules are not modelled for UDP yet',
  'metallb-l2': 'its UDP path (the leader node\'s kube-proxy) is not modelled for UDP yet',
}

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
  out.push(...udpLbIssues(v, p))
  if (s.proxyMode === 'userspace') {
    out.push({ path: p('service.proxyMode'), message: 'got "userspace"; its UDP proxy (removed in 1.26) is not modelled: expected iptables, nftables or ipvs' })
  }
  if (raw.load.keepAlive !== undefined || raw.load.maxConnections !== undefined || raw.load.connectionLifetime !== undefined) {
    out.push({ path: p('load'), message: 'keepAlive, maxConnections and connectionLifetime are TCP settings; a UDP load sends one datagram per query (load.udpSourcePort says which socket): leave them out' })
  }
  return out
}

/** A UDP Service behind a LoadBalancer: only the presets that carry UDP here, as their UDP listeners work. */
function udpLbIssues(v: ResolvedVariant, p: (s: string) => string): ScenarioIssue[] {
  const lb = v.service.loadBalancer
  if (lb === null) return []
  if (lb.preset !== 'aws-nlb') {
    const expected = `for a UDP Service expected ${UDP_LB_PRESETS.map((x) => `"${x}"`).join(', ')} (flow hash per UDP flow), or service.type "NodePort"`
    return [{ path: p('service.loadBalancer.preset'), message: `got "${lb.preset}"; ${NO_UDP[lb.preset]}; ${expected}` }]
  }
  const out: ScenarioIssue[] = []
  // Edit target group attributes, "Client IP preservation": enabled, and cannot be disabled, for
  // UDP and TCP_UDP target groups.
  if (!lb.preserveClientIp) {
    out.push({ path: p('service.loadBalancer.preserveClientIp'), message: 'got false; an NLB cannot turn client IP preservation off for a UDP target group (AWS: enabled, and can\'t be disabled, for UDP and TCP_UDP): leave it out or set true' })
  }
  if (lb.algorithm === 'least-outstanding') {
    out.push({ path: p('service.loadBalancer.algorithm'), message: 'got "least-outstanding"; that is a per-request HTTP (L7) balancer, and a UDP Service has no requests to balance: expected "flow-hash" (the NLB\'s), or leave it out' })
  }
  if (lb.tls) {
    out.push({ path: p('service.loadBalancer.tls'), message: 'got true; TLS listeners carry TCP, a UDP Service has none: leave it out or set false' })
  }
  return out
}
