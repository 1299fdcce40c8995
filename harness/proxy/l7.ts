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
import { createLeanPool, upstreamHead, type LeanPool } from './lean-upstream.ts'

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
  const pools = new Map<string, Pool>()
  const poolFor = (ep: Endpoint, clientIp: string) => {
    const r = opts.route(ep, clientIp)
    const origin = `http://${r.host}:${r.port}`
    let p = pools.get(origin)
    if (p === undefined) {
      p = new Pool(origin, {
        connections: opts.connectionsPerPod ?? 64,
        localAddress: opts.host,
        keepAliveTimeout: 60_000,
      })
      pools.set(origin, p)
    }
    return p
  }

  const lean = new Map<string, LeanPool>()
  const leanPoolFor = (ep: Endpoint, clientIp: string) => {
    const r = opts.route(ep, clientIp)
    const key = `${r.host}:${r.port}`
    let p = lean.get(key)
    if (p === undefined) {
      p = createLeanPool(r.host, r.port, opts.host, opts.connectionsPerPod ?? 64)
      lean.set(key, p)
    }
    return p
  }

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
        ? leanPoolFor(ep, clientIp)
            .send(upstreamHead(req, clientIp), res)
            .catch((err: NodeJS.ErrnoException) => {
              onUpstreamError(err)
              if (!res.headersSent) {
                res.writeHead(502, { 'content-type': 'text/plain' })
                res.end('bad gateway')
              } else res.destroy()
            })
        : forwardRequest(poolFor(ep, clientIp), req, res, clientIp, onUpstreamError)
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
      for (const p of pools.values()) void p.destroy()
      for (const p of lean.values()) p.destroy()
    },
  }
}
