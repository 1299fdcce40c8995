/**
 * A node proxy's UDP side (a UDP Service): the NodePort forwarder (udp.ts) and the node's UDP hop
 * relays (udp-hop.ts), one per pod slot on the node, started from the node's configuration.
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

/** What {@link startUdpNode} needs besides the configuration. */
export interface UdpNodeParts {
  balancer: Balancer
  accounting: Accounting
  route: (ep: Endpoint, clientIp: string) => Route
}

/** The node's UDP side, running. */
export interface RunningUdpNode {
  forwarder: RunningUdpProxy
  close(): void
}

/** Start the node's hop relays, then its NodePort forwarder. */
export async function startUdpNode(config: NodeProxyConfig, parts: UdpNodeParts): Promise<RunningUdpNode> {
  const timing = udpTimingOf(config)
  const idleMs = timing.kind === 'ipvs' ? timing.udpMs : Math.max(timing.unrepliedMs, timing.streamMs)
  const hops: RunningUdpHop[] = await Promise.all(
    config.hops
      .filter((h) => h.node === config.node)
      .map((h) => startUdpHopRelay({ host: config.address, port: h.hopPort, target: { name: h.pod, address: h.podAddress, port: h.podPort, node: h.node }, delayMs: config.hopLatencyMs, idleMs })),
  )
  // (a UDP Service runs at the NodePorts only: scenario/udp.ts refuses in-cluster UDP clients)
  const forwarder = await startUdpProxy({ host: config.address, port: config.nodePort as number, ...parts, timing, cleanup: config.udp?.cleanup ?? 'kube-proxy' })
  forwarder.endpoints(config.endpoints)
  return {
    forwarder,
    close() {
      forwarder.close()
      for (const h of hops) h.close()
    },
  }
}
