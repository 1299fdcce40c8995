/**
 * What every UDP forwarder here does with its sockets: bind the listening one exclusively, and
 * keep one socket per flow in a flow table whose lapsed flows are ended on a timer and all of
 * whose flows end when the forwarder closes (the node's NodePort forwarder udp.ts, its hop relay
 * udp-hop.ts, the front load balancer's listener lb/udp.ts).
 */
import dgram from 'node:dgram'
import { createUdpFlowTable, type UdpFlow, type UdpFlowTable, type UdpFlowTiming } from './udp-flow-table.ts'

/** The socket type for an address. */
export const udpSocketType = (host: string): 'udp4' | 'udp6' => (host.includes(':') ? 'udp6' : 'udp4')

/** How often lapsed flows' sockets are closed, ms (a lapsed flow is never used again in between: lookups check its time). */
export const UDP_SWEEP_MS = 100

/** Bind `socket` to `address`:`port` exclusively; resolves once it is bound, rejects with the bind's error. */
export function bindUdp(socket: dgram.Socket, address: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', reject)
      resolve()
    })
  })
}

/** A flow table swept every {@link UDP_SWEEP_MS}. */
export interface SweptFlowTable<T> {
  table: UdpFlowTable<T>
  /** Stop the sweep and end every flow, live or lapsed, with `final` (@default the table's `end`). */
  close(final?: (f: UdpFlow<T>) => void): void
}

/** A flow table whose lapsed flows are ended (`end`: close the flow's socket) on lookup and every {@link UDP_SWEEP_MS}. */
export function createSweptFlowTable<T>(o: { timing: UdpFlowTiming; now: () => number; end: (f: UdpFlow<T>) => void }): SweptFlowTable<T> {
  const table = createUdpFlowTable<T>({ timing: o.timing, now: o.now, onLapse: o.end })
  const sweep = setInterval(() => table.sweep().forEach(o.end), UDP_SWEEP_MS)
  return {
    table,
    close(final = o.end) {
      clearInterval(sweep)
      table.remove(() => true).forEach(final)
      table.sweep().forEach(final)
    },
  }
}

/** Where a new flow's answers go and where its upstream socket binds. */
export interface FlowSocketOptions<T> {
  table: UdpFlowTable<T>
  key: string
  /** The listening socket: answers leave from it, as un-DNAT (or the load balancer's address) makes them. */
  server: dgram.Socket
  client: { address: string; port: number }
  /** The upstream socket's address (the kernel picks the port). */
  localAddress: string
  /** The forwarder has closed. */
  closed: () => boolean
}

/**
 * A new flow with its own upstream socket (or `reuse`'s): each answer on it, while the flow is
 * still the table's entry for its key, refreshes the flow (the reply direction) and goes back to
 * the client. `value` builds what the flow keeps around its socket.
 */
export function createFlowSocket<T>(o: FlowSocketOptions<T>, value: (up: dgram.Socket) => T, reuse?: dgram.Socket): UdpFlow<T> {
  // `reuse`: the key's socket from a flow that ended, bound already (the same source port again).
  const up = reuse ?? dgram.createSocket({ type: udpSocketType(o.localAddress) })
  if (reuse === undefined) up.on('error', () => {})
  else up.removeAllListeners('message')
  const f = o.table.create(o.key, value(up))
  up.on('message', (msg) => {
    if (o.closed() || o.table.get(o.key) !== f) return // the flow is gone: nothing maps the answer back
    o.table.reply(f)
    o.server.send(msg, o.client.port, o.client.address)
  })
  if (reuse === undefined) up.bind({ address: o.localAddress, port: 0 })
  return f
}
