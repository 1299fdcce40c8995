/**
 * The hop to a pod on another node (externalTrafficPolicy Cluster): the pod's node relays bytes
 * to it, keeping the source address the receiving node used (its SNAT address), so the pod sees
 * the receiving node. The relay is a real extra process hop; `delayMs` ≥ 1 adds a timer delay to
 * every chunk in both directions (order is kept: equal timeouts fire in order).
 *
 * Connect semantics across the hop: with kernel NAT, a connect to a dead pod on another node
 * fails at connect time. A relay has already accepted, so an L4 proxy opens with HOP_HELLO and
 * counts the connection as established only when the relay answers HOP_READY (sent once the
 * relay's own connect to the pod succeeded); a failed pod connect resets the relay connection
 * first. Other clients (the L7 proxy's HTTP) are relayed as they are.
 */
import net from 'node:net'
import { linkLifetimes, listenExclusive } from './forward.ts'
import type { Endpoint } from '../model/kube-proxy.ts'

/** First byte an L4 proxy sends to ask for connect confirmation. */
export const HOP_HELLO = 0x00
/** Byte the relay answers once its connect to the pod succeeded. */
export const HOP_READY = 0x01

/** Options for {@link startHopRelay}. */
export interface HopRelayOptions {
  host: string
  port: number
  target: Endpoint
  /** Extra delay per chunk, ms (0 for none). */
  delayMs: number
}

function forward(from: net.Socket, to: net.Socket, delayMs: number): void {
  if (delayMs <= 0) {
    from.pipe(to)
    return
  }
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), delayMs))
  from.on('end', () => setTimeout(() => to.destroyed || to.end(), delayMs))
}

/** Start one relay; resolves once it listens. */
export async function startHopRelay(opts: HopRelayOptions): Promise<net.Server> {
  // Half-open allowed both ways, as through kernel DNAT: a client that shuts down its write side
  // after the request still gets the response (each FIN is passed on, not answered by closing).
  const server = net.createServer({ noDelay: true, allowHalfOpen: true }, (inbound) => {
    inbound.on('error', () => {})
    inbound.once('data', (first) => {
      inbound.pause()
      const handshake = first[0] === HOP_HELLO
      const rest = handshake ? first.subarray(1) : first
      const upstream = net.connect({ host: opts.target.address, port: opts.target.port, localAddress: inbound.remoteAddress, noDelay: true, allowHalfOpen: true })
      upstream.once('connect', () => {
        if (handshake) inbound.write(Buffer.from([HOP_READY]))
        if (rest.length > 0) upstream.write(rest)
        forward(inbound, upstream, opts.delayMs)
        forward(upstream, inbound, opts.delayMs)
        inbound.resume()
      })
      linkLifetimes(upstream, inbound)
    })
  })
  await listenExclusive(server, opts.host, opts.port)
  return server
}
