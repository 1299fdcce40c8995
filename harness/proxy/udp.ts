/**
 * A node's UDP forwarder for one frontend of a UDP Service (its NodePort, or its ClusterIP for
 * in-cluster clients): one pick per new flow (client address and port to this frontend), kept in
 * the frontend's flow table (udp-flow-table.ts) with the kernel's timeouts, conntrack's or
 * IPVS's, refreshed by every datagram either way. Each flow gets its own upstream socket, bound
 * where the route says: this node's address (NodePort under Cluster, hairpin, masqueradeAll:
 * SNAT to the node) or the client's own address (NodePort under Local, ClusterIP traffic from a
 * pod: the client address kept), through the pod's node's UDP hop relay when the pod runs
 * elsewhere. Answers go back from the frontend's socket, as un-DNAT makes them. Nothing answers
 * a datagram with no endpoint (a DROP; a REJECT's ICMP port unreachable reaches no unconnected
 * socket either: net/ipv4/udp.c `__udp4_lib_err` reports it only to a connected socket or one
 * with IP_RECVERR) or to a dead pod: the client's query times out.
 *
 * Endpoint changes delete flows as kube-proxy deletes conntrack entries (udp-cleanup.ts), per
 * `cleanup`; a flow that stays keeps its pod, dead or restarted on the same address.
 */
import dgram from 'node:dgram'
import type { UdpFlow, UdpFlowTiming } from './udp-flow-table.ts'
import { bindUdp, createFlowSocket, createSweptFlowTable, udpSocketType } from './udp-socket.ts'
import { udpCleanupFor } from './udp-cleanup.ts'
import type { Balancer } from '../balancers/types.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { UdpConntrackCleanup } from '../model/scenario.ts'
import type { Accounting } from './accounting.ts'
import type { Route } from './types.ts'

export { UDP_SWEEP_MS } from './udp-socket.ts'

/** Options for {@link startUdpProxy}. */
export interface UdpProxyOptions {
  host: string
  port: number
  balancer: Balancer
  accounting: Accounting
  /** Where an endpoint is reached from this node, and from which source address. */
  route: (ep: Endpoint, clientIp: string) => Route
  timing: UdpFlowTiming
  cleanup: UdpConntrackCleanup
  /** Clock, ms. @default Date.now */
  now?: () => number
}

/** A running UDP forwarder. */
export interface RunningUdpProxy {
  /** The Service's serving endpoints now, on every node (before any traffic policy): flows to those gone are deleted per `cleanup`. Returns how many. */
  endpoints(serving: readonly Endpoint[]): number
  /** Live flows. */
  flows(): number
  close(): void
}

/** What a flow keeps. */
interface FlowState {
  ep: Endpoint
  up: dgram.Socket
  /** The epoch it was counted in (a flow counts once per measurement, on its first measured datagram). */
  countedEpoch: number
}

/** Bind the NodePort's UDP socket; resolves once it is bound. */
export async function startUdpProxy(o: UdpProxyOptions): Promise<RunningUdpProxy> {
  const now = o.now ?? Date.now
  const server = dgram.createSocket({ type: udpSocketType(o.host) })
  const end = (f: UdpFlow<FlowState>) => {
    f.value.up.close()
    o.balancer.release(f.value.ep, { how: 'request', clientIp: f.key.slice(0, f.key.lastIndexOf(':')) })
  }
  const flows = createSweptFlowTable<FlowState>({ timing: o.timing, now, end })
  const table = flows.table
  let serving = new Set<string>()
  let closed = false

  const newFlow = (key: string, clientIp: string, clientPort: number): UdpFlow<FlowState> | undefined => {
    const ep = o.balancer.pick({ clientIp, clientPort, localIp: o.host })
    if (ep === undefined) {
      if (o.accounting.measuring()) o.accounting.onNoEndpoint()
      return undefined
    }
    const r = o.route(ep, clientIp)
    const where = { table, key, server, client: { address: clientIp, port: clientPort }, localAddress: r.localAddress, closed: () => closed }
    return createFlowSocket(where, (up) => ({ ep, up, countedEpoch: -1 }))
  }

  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`
    let f = table.get(key)
    if (f === undefined) f = newFlow(key, rinfo.address, rinfo.port)
    else table.original(f)
    if (f === undefined) return
    const { ep } = f.value
    const a = o.accounting
    if (a.measuring()) {
      if (f.value.countedEpoch !== a.epochMs()) {
        f.value.countedEpoch = a.epochMs()
        a.onConnection()
        a.onDecision(rinfo.address, ep.name)
      }
      a.onRequests(ep.name, 1)
    }
    const r = o.route(ep, rinfo.address)
    f.value.up.send(msg, r.port, r.host)
  })
  server.on('error', () => {})
  await bindUdp(server, o.host, o.port)
  return {
    endpoints(list) {
      const after = new Set(list.map((e) => e.address))
      const c = udpCleanupFor(o.cleanup, serving, after)
      serving = after
      const gone = c.kind === 'none' ? [] : table.remove((f) => c.kind === 'all' || c.drop(f.value.ep.address))
      gone.forEach(end)
      return gone.length
    },
    flows: () => table.size(),
    close() {
      closed = true
      flows.close((f) => f.value.up.close()) // the sockets only: no balancer to tell any more
      server.close()
    },
  }
}
