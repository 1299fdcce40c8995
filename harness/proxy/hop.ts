/**
 * The hop to a pod on another node (externalTrafficPolicy Cluster): the pod's node relays bytes
 * to it, keeping the source address the receiving node used (its SNAT address), so the pod sees
 * the receiving node. The relay is a real extra process hop; `delayMs` ≥ 1 adds a timer delay to
 * every chunk in both directions (order is kept: equal timeouts fire in order).
 */
import net from 'node:net'
import type { Endpoint } from '../balancers/types.ts'

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
  const server = net.createServer({ noDelay: true }, (inbound) => {
    const upstream = net.connect({ host: opts.target.address, port: opts.target.port, localAddress: inbound.remoteAddress, noDelay: true })
    forward(inbound, upstream, opts.delayMs)
    forward(upstream, inbound, opts.delayMs)
    upstream.on('error', () => inbound.destroyed || inbound.resetAndDestroy())
    inbound.on('error', () => upstream.destroyed || upstream.resetAndDestroy())
    upstream.on('close', () => inbound.destroyed || inbound.end())
    inbound.on('close', () => upstream.destroyed || upstream.end())
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: opts.host, port: opts.port, exclusive: true, backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return server
}
