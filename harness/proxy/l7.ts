/**
 * L7 NodePort proxy: one balancing decision per HTTP request (what an ingress or a mesh
 * sidecar does). The pod sees the node as TCP source and the client in X-Forwarded-For. For
 * svcbench's own pods, the lean proxy (lean-front.ts: raw sockets both sides); for your own server
 * (cluster.pod.command), Node's HTTP server and undici pools to the pods, which take any HTTP.
 */
import http from 'node:http'
import { Pool } from 'undici'
import type { Balancer, Endpoint } from '../balancers/types.ts'
import type { Accounting } from './accounting.ts'
import type { Route, RunningProxy } from './l4.ts'
import { forwardRequest, listenExclusive, poolsPerOrigin } from './forward.ts'
import { startLeanL7Proxy } from './lean-front.ts'

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
  /** The pods are svcbench's own: the lean proxy (lean-front.ts) serves. @default false */
  lean?: boolean
}

/** Start the proxy; resolves once it listens. `close()` also closes the upstream pools. */
export async function startL7Proxy(opts: L7ProxyOptions): Promise<RunningProxy> {
  if (opts.lean === true) return startLeanL7Proxy(opts)
  const { balancer, accounting } = opts
  const connections = opts.connectionsPerPod ?? 64
  const pools = poolsPerOrigin(opts.route, (r) => new Pool(`http://${r.host}:${r.port}`, { connections, localAddress: opts.host, keepAliveTimeout: 60_000 }))

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
    if (measured) accounting.onRequestDecision(req.socket as { countedEpoch?: number }, clientIp, ep.name)
    const onUpstreamError = (err: NodeJS.ErrnoException) => {
      if (measured) accounting.onUpstreamFailure(err.code)
    }
    void forwardRequest(pools.get(ep, clientIp), req, res, clientIp, onUpstreamError).finally(() => balancer.release(ep))
  })
  server.keepAliveTimeout = 65_000
  server.on('connection', (s) => s.setNoDelay(true))
  await listenExclusive(server, opts.host, opts.port)
  return {
    close() {
      server.closeAllConnections()
      server.close()
      for (const p of pools.all()) void p.destroy()
    },
  }
}
