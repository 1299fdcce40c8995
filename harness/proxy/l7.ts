/**
 * L7 NodePort proxy: one balancing decision per HTTP request (what an ingress or a mesh
 * sidecar does). The pod sees the node as TCP source and the client in X-Forwarded-For. For
 * svcbench's own pods, the lean proxy (lean-front.ts: raw sockets both sides); for your own server
 * (cluster.pod.command), Node's HTTP server and undici pools to the pods, which take any HTTP.
 */
import http from 'node:http'
import { Pool } from 'undici'
import type { Balancer } from '../balancers/types.ts'
import type { Accounting } from './accounting.ts'
import { forwardRequest, listenExclusive, poolsPerOrigin } from './forward.ts'
import { startLeanL7Proxy } from './lean-front.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { Route, RunningProxy } from './types.ts'
import { noEndpointAction, type L7ProxyOptions } from './types.ts'
import { answerAfterHalfClose } from '../util/http.ts'

/** Start the proxy; resolves once it listens. `close()` also closes the upstream pools. */
export async function startL7Proxy(opts: L7ProxyOptions): Promise<RunningProxy> {
  if (opts.lean === true) return startLeanL7Proxy(opts)
  const { balancer, accounting } = opts
  const connections = opts.connectionsPerPod ?? 64
  const pools = poolsPerOrigin(opts.route, (r) => new Pool(`http://${r.host}:${r.port}`, { connections, localAddress: opts.sourceAddress ?? opts.host, keepAliveTimeout: 60_000 }))

  const server = http.createServer((req, res) => {
    const clientIp = req.socket.remoteAddress ?? '127.0.0.1'
    const ep = balancer.pick({ clientIp, clientPort: req.socket.remotePort ?? 0, localIp: opts.host })
    const measured = accounting.measuring()
    if (ep === undefined) {
      if (measured) accounting.onNoEndpoint()
      if (noEndpointAction(opts) === 'drop') return // never answered: the client times out
      res.writeHead(503, { 'content-type': 'text/plain' })
      res.end('no endpoints')
      return
    }
    if (measured) accounting.onRequestDecision(req.socket as { countedEpoch?: number }, clientIp, ep.name)
    const onUpstreamError = (err: NodeJS.ErrnoException) => {
      if (measured) accounting.onUpstreamFailure(err.code)
    }
    void forwardRequest(pools.get(ep, clientIp), req, res, clientIp, onUpstreamError).finally(() => balancer.release(ep, { how: 'request', clientIp }))
  })
  server.keepAliveTimeout = 65_000
  // A client's FIN after its request does not cancel the answer (Node's HTTP server drops it otherwise).
  answerAfterHalfClose(server)
  server.on('connection', (s) => s.setNoDelay(true))
  await listenExclusive(server, opts.host, opts.port)
  return {
    relay: 'l7',
    relayFallback: null,
    close() {
      server.closeAllConnections()
      server.close()
      for (const p of pools.all()) void p.destroy()
    },
  }
}
