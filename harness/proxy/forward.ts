/** Forwarding pieces shared by the node proxies, the hop relays and the front load balancer. */
import type http from 'node:http'
import type net from 'node:net'
import type { Pool } from 'undici'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { Route } from './types.ts'

/** Listen on host:port, exclusively, with a deep accept backlog; rejects on a bind error. */
export function listenExclusive(server: net.Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port, exclusive: true, backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** One upstream pool per origin (a pod, or the hop relay to it), made on first use. */
export function poolsPerOrigin<P>(route: (ep: Endpoint, clientIp: string) => Route, make: (r: Route) => P): { get(ep: Endpoint, clientIp: string): P; all(): IterableIterator<P> } {
  const pools = new Map<string, P>()
  return {
    get(ep, clientIp) {
      const r = route(ep, clientIp)
      const key = `${r.host}:${r.port}`
      let p = pools.get(key)
      if (p === undefined) {
        p = make(r)
        pools.set(key, p)
      }
      return p
    },
    all: () => pools.values(),
  }
}

/**
 * Tie two sockets' lifetimes together: a failure on one resets the other (as a reset travels
 * through conntrack), a close of one ends the other.
 */
export function linkLifetimes(a: net.Socket, b: net.Socket): void {
  a.on('error', () => b.destroyed || b.resetAndDestroy())
  b.on('error', () => a.destroyed || a.resetAndDestroy())
  a.on('close', () => b.destroyed || b.end())
  b.on('close', () => a.destroyed || a.end())
}

/** Headers that belong to one connection and are not forwarded (RFC 9110 §7.6.1). */
export const HOP_BY_HOP: ReadonlySet<string> = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'])

function endToEnd(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v
  return out
}

/** X-Forwarded-For as a proxy passes it on: the client appended to what the request carried. */
export function forwardedFor(req: http.IncomingMessage, clientIp: string): string {
  const prior = req.headers['x-forwarded-for']
  return typeof prior === 'string' && prior !== '' ? `${prior}, ${clientIp}` : clientIp
}

/**
 * Forward one HTTP request over `pool` as an L7 proxy: hop-by-hop headers dropped, the client
 * appended to X-Forwarded-For, the response streamed back; an upstream failure answers 502 and
 * is passed to `onUpstreamError`. Resolves when the exchange is over.
 */
export function forwardRequest(
  pool: Pool,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  clientIp: string,
  onUpstreamError: (err: NodeJS.ErrnoException) => void = () => {},
): Promise<void> {
  const headers = endToEnd(req.headers)
  headers['x-forwarded-for'] = forwardedFor(req, clientIp)
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD'
  return pool.request({ path: req.url ?? '/', method: (req.method ?? 'GET') as 'GET', headers, body: hasBody ? req : null }).then(
    async (up) => {
      res.writeHead(up.statusCode, endToEnd(up.headers))
      for await (const chunk of up.body) res.write(chunk)
      res.end()
    },
    (err: NodeJS.ErrnoException) => {
      onUpstreamError(err)
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' })
      res.end('bad gateway')
    },
  )
}
