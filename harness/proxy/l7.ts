/**
 * L7 NodePort proxy: one balancing decision per HTTP request (what an ingress or a mesh
 * sidecar does), over undici pools to the pods bound to the node's address. The pod sees the
 * node as TCP source and the client in X-Forwarded-For.
 */
import http from 'node:http'
import { Pool } from 'undici'
import type { Balancer, Endpoint } from '../balancers/types.ts'
import type { Accounting } from './accounting.ts'
import type { Route, RunningProxy } from './l4.ts'
import { forwardRequest } from './forward.ts'
import { createLeanPool, upstreamHead } from './lean-upstream.ts'

/** Options for {@link startL7Proxy}. */
export interface L7ProxyOptions {
  host: string
  port: number
  balancer: Balancer
  accounting: Accounting
  /** Where an endpoint is reached (its localAddress is ignored: a L7 proxy connects as itself). */
  route: (ep: Endpoint, clientIp: string) => Route
  /** No endpoint: `reject` answers 503; `drop` never answers (the client times out). */
  onNoEndpoint: 'reject' | 'drop'
  /** Upstream connections per pod. @default 64 */
  connectionsPerPod?: number
  /** Requests are always counted here (one decision per request); accepted for symmetry with L4. */
  countRequests?: boolean
  /** The pods are svcbench's own: bodiless requests go over the lean client (lean-upstream.ts). @default false */
  lean?: boolean
}

/** Start the proxy; resolves once it listens. `close()` also closes the upstream pools. */
export async function startL7Proxy(opts: L7ProxyOptions): Promise<RunningProxy> {
  const { balancer, accounting } = opts
  const connections = opts.connectionsPerPod ?? 64
  /** One pool per upstream origin (a pod, or the hop relay to it), made on first use. */
  const poolsBy = <P>(make: (r: Route) => P) => {
    const pools = new Map<string, P>()
    const get = (ep: Endpoint, clientIp: string): P => {
      const r = opts.route(ep, clientIp)
      const key = `${r.host}:${r.port}`
      let p = pools.get(key)
      if (p === undefined) {
        p = make(r)
        pools.set(key, p)
      }
      return p
    }
    return { get, all: () => pools.values() }
  }
  const general = poolsBy((r) => new Pool(`http://${r.host}:${r.port}`, { connections, localAddress: opts.host, keepAliveTimeout: 60_000 }))
  const lean = poolsBy((r) => createLeanPool(r.host, r.port, opts.host, connections))

  const server = http.createServer((req, res) => {
    const clientIp = req.socket.remoteAddress ?? '127.0.0.1'
    const ep = balancer.pick({ clientIp, clientPort: req.socket.remotePort ?? 0, localIp: opts.host })
    const measured = accounting.measuring()
    if (ep === undefined) {
      if (measured) accounting.onNoEndpoint()
      if (opts.onNoEndpoint === 'drop') return // never answered: the client times out
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('no endpoints')
      return
    }
    if (measured) {
      accounting.onDecision(clientIp, ep.name)
      accounting.onRequests(ep.name, 1)
      const sock = req.socket as { svcbenchCounted?: number }
      if (sock.svcbenchCounted !== accounting.epochMs()) {
        sock.svcbenchCounted = accounting.epochMs()
        accounting.onConnection()
      }
    }
    const onUpstreamError = (err: NodeJS.ErrnoException) => {
      if (measured && err.code === 'ECONNREFUSED') accounting.onUpstreamConnectError()
      else if (measured) accounting.onUpstreamError()
    }
    const bodiless = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0'
    const exchange =
      opts.lean === true && bodiless
        ? lean.get(ep, clientIp)
            .send(upstreamHead(req, clientIp), res)
            .catch((err: NodeJS.ErrnoException) => {
              onUpstreamError(err)
              if (!res.headersSent) {
                res.writeHead(502, { 'content-type': 'text/plain' })
                res.end('bad gateway')
              } else res.destroy()
            })
        : forwardRequest(general.get(ep, clientIp), req, res, clientIp, onUpstreamError)
    void exchange.finally(() => balancer.release(ep))
  })
  server.keepAliveTimeout = 65_000
  server.on('connection', (s) => s.setNoDelay(true))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: opts.host, port: opts.port, exclusive: true, backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    close() {
      server.closeAllConnections()
      server.close()
      for (const p of general.all()) void p.destroy()
      for (const p of lean.all()) p.destroy()
    },
  }
}
