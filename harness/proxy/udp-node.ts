/**
 * A node proxy's UDP side (a UDP Service): the NodePort forwarder (udp.ts), the ClusterIP
 * forwarder for in-cluster clients (another udp.ts, with the ClusterIP's balancer and route), and
 * the node's UDP hop relays (udp-hop.ts), one per pod slot on the node, started from the node's
 * configuration.
 */
import { startUdpProxy, type RunningUdpProxy } from './udp.ts'
import { startUdpHopRelay, type RunningUdpHop } from './udp-hop.ts'
import type { UdpFlowTiming } from './udp-flow-table.ts'
import type { Balancer } from '../balancers/types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { NodeProxyConfig } from '../model/wire.ts'
import type { Accounting } from './accounting.ts'
import type { Route } from './types.ts'

/** How a node times its UDP entries: IPVS's UDP timeout in ipvs mode, else conntrack's. */
export function udpTimingOf(config: Pick<NodeProxyConfig, 'proxyMode' | 'ipvsTimeouts' | 'udp'>): UdpFlowTiming {
  if (config.proxyMode === 'ipvs') return { kind: 'ipvs', udpMs: config.ipvsTimeouts.udpMs }
  return { kind: 'conntrack', unrepliedMs: config.udp?.timeoutMs ?? 30_000, streamMs: config.udp?.streamTimeoutMs ?? 120_000 }
}

/** One frontend's balancing: which endpoints it picks from and how it reaches them. */
export interface UdpFrontendParts {
  balancer: Balancer
  route: (ep: Endpoint, clientIp: string) => Route
}

/** What {@link startUdpNode} needs besides the configuration. */
export interface UdpNodeParts extends UdpFrontendParts {
  accounting: Accounting
  /** The ClusterIP's balancing (internalTrafficPolicy's scope, the client pod's address kept); required when config.clusterIp is set. */
  internal?: UdpFrontendParts
}

/** The node's UDP side, running. */
export interface RunningUdpNode {
  /** Its forwarders: the NodePort's (absent for a ClusterIP Service) and the ClusterIP's (with in-cluster clients). */
  forwarders: RunningUdpProxy[]
  close(): void
}

/** Start the node's hop relays, then its NodePort and ClusterIP forwarders. */
export async function startUdpNode(config: NodeProxyConfig, parts: UdpNodeParts): Promise<RunningUdpNode> {
  const timing = udpTimingOf(config)
  const idleMs = timing.kind === 'ipvs' ? timing.udpMs : Math.max(timing.unrepliedMs, timing.streamMs)
  const hops: RunningUdpHop[] = await Promise.all(
    config.hops
      .filter((h) => h.node === config.node)
      .map((h) => startUdpHopRelay({ host: config.address, port: h.hopPort, target: { name: h.pod, address: h.podAddress, port: h.podPort, node: h.node }, delayMs: config.hopLatencyMs, idleMs })),
  )
  const cleanup = config.udp?.cleanup ?? 'kube-proxy'
  const start = (host: string, port: number, f: UdpFrontendParts) => startUdpProxy({ host, port, balancer: f.balancer, route: f.route, accounting: parts.accounting, timing, cleanup })
  const forwarders: RunningUdpProxy[] = []
  const close = () => {
    for (const f of forwarders) f.close()
    for (const h of hops) h.close()
  }
  try {
    if (config.nodePort !== null) forwarders.push(await start(config.address, config.nodePort, parts))
    // The ClusterIP is a frontend of its own (its own entries in the node's conntrack, cleaned as
    // the NodePort's are: cleanup.go matches the ClusterIP:port and the NodePort apart).
    const cip = config.clusterIp
    if (cip != null) {
      if (parts.internal === undefined) throw new Error('a ClusterIP forwarder needs its balancer and route (parts.internal)')
      forwarders.push(await start(cip.address, cip.port, parts.internal))
    }
  } catch (err) {
    close()
    throw err
  }
  for (const f of forwarders) f.endpoints(config.endpoints)
  return { forwarders, close }
}
