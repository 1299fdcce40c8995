/**
 * L4 NodePort proxy: one balancing decision per new TCP connection, bytes piped both ways,
 * as kube-proxy does (conntrack pins every later packet, so with keep-alive every request of a
 * connection reaches the same pod). The upstream connection is bound to the client's own
 * address, so the pod sees the real client address.
 */
import net from 'node:net'
import type { Balancer } from '../balancers/types.ts'
import type { Accounting } from './accounting.ts'

/** Options for {@link startL4Proxy}. */
export interface L4ProxyOptions {
  host: string
  port: number
  balancer: Balancer
  accounting: Accounting
}

/** Start the proxy; resolves once it listens. */
export async function startL4Proxy(opts: L4ProxyOptions): Promise<net.Server> {
  const { balancer, accounting } = opts
  const server = net.createServer({ noDelay: true }, (client) => {
    const clientIp = client.remoteAddress ?? '127.0.0.1'
    const ep = balancer.pick({ clientIp, clientPort: client.remotePort ?? 0 })
    if (ep === undefined) {
      // kube-proxy REJECTs when a Service has no endpoints: the client sees a reset/refusal.
      if (accounting.measuring()) accounting.onNoEndpoint()
      client.resetAndDestroy()
      return
    }
    // A connection counts in the measured phase on its first bytes at or after the epoch.
    const countIfMeasured = () => {
      if (accounting.measuring()) {
        accounting.onConnection()
        accounting.onDecision(clientIp, ep.name)
        client.off('data', countIfMeasured)
      }
    }
    client.on('data', countIfMeasured)
    let released = false
    const release = () => {
      if (!released) {
        released = true
        balancer.release(ep)
      }
    }
    let connected = false
    const upstream = net.connect({ host: ep.address, port: ep.port, localAddress: clientIp, noDelay: true })
    upstream.once('connect', () => {
      connected = true
    })
    client.pipe(upstream)
    upstream.pipe(client)
    upstream.on('error', () => {
      if (accounting.measuring()) {
        if (connected) accounting.onUpstreamError()
        else accounting.onUpstreamConnectError()
      }
      // Propagate the failure as a reset, as the client would see it through conntrack.
      if (!client.destroyed) client.resetAndDestroy()
    })
    client.on('error', () => {
      if (!upstream.destroyed) upstream.resetAndDestroy()
    })
    upstream.on('close', () => {
      release()
      if (!client.destroyed) client.end()
    })
    client.on('close', () => {
      release()
      if (!upstream.destroyed) upstream.end()
    })
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
