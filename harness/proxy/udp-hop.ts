/**
 * The UDP hop to a pod on another node (a UDP Service, externalTrafficPolicy Cluster), as hop.ts
 * is for TCP: the pod's node relays each datagram to the pod from the source address the
 * receiving node used (its SNAT address), so the pod sees the receiving node, and relays the
 * answers back. One socket per inbound flow; `delayMs` ≥ 1 delays every datagram both ways. The
 * relay only carries packets: the pick, and the entry that pins the flow, are the receiving node's.
 */
import dgram from 'node:dgram'
import { bindUdp, createSweptFlowTable } from './udp-socket.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** Options for {@link startUdpHopRelay}. */
export interface UdpHopRelayOptions {
  host: string
  port: number
  target: Endpoint
  /** Extra delay per datagram, ms (0 for none). */
  delayMs: number
  /** An inbound flow's socket closes after this long without a datagram, ms (at least the receiving node's longest entry). */
  idleMs: number
}

/** A running UDP hop relay. */
export interface RunningUdpHop {
  close(): void
}

/** Bind one relay; resolves once it is bound. */
export async function startUdpHopRelay(o: UdpHopRelayOptions): Promise<RunningUdpHop> {
  const type = o.host.includes(':') ? 'udp6' : 'udp4'
  const inbound = dgram.createSocket({ type })
  const flows = createSweptFlowTable<dgram.Socket>({ timing: { kind: 'ipvs', udpMs: o.idleMs }, now: Date.now, end: (f) => f.value.close() })
  const table = flows.table
  const later = (fn: () => void) => (o.delayMs > 0 ? void setTimeout(fn, o.delayMs) : fn())
  let closed = false
  inbound.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`
    let f = table.get(key)
    if (f === undefined) {
      const up = dgram.createSocket({ type })
      up.on('error', () => {})
      up.on('message', (answer) => later(() => closed || inbound.send(answer, rinfo.port, rinfo.address)))
      up.bind({ address: rinfo.address, port: 0 })
      f = table.create(key, up)
    } else table.original(f)
    const up = f.value
    later(() => closed || up.send(msg, o.target.port, o.target.address))
  })
  inbound.on('error', () => {})
  await bindUdp(inbound, o.host, o.port)
  return {
    close() {
      closed = true
      flows.close()
      inbound.close()
    },
  }
}
