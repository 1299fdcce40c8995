/**
 * L4 NodePort proxy: one balancing decision per new TCP connection, bytes piped both ways,
 * as kube-proxy does (conntrack pins every later packet, so with keep-alive every request of a
 * connection reaches the same pod).
 */
import net from 'node:net'
import type { Balancer, Endpoint } from '../balancers/types.ts'
import { createRequestCounter, type Accounting } from './accounting.ts'
import { HOP_HELLO, HOP_READY } from './hop.ts'

/** Where and from which source address to open the upstream connection for an endpoint. */
export interface Route {
  host: string
  port: number
  localAddress: string
  /** Through another node's hop relay: confirm the connect with the relay handshake. */
  viaHop?: boolean
}

/** Options for {@link startL4Proxy}. */
export interface L4ProxyOptions {
  host: string
  port: number
  balancer: Balancer
  accounting: Accounting
  route: (ep: Endpoint, clientIp: string) => Route
  /**
   * No endpoint available: `reject` resets the connection (kube-proxy REJECTs a Service with no
   * endpoints); `drop` holds it unanswered until the client gives up (a dropped SYN times out).
   */
  onNoEndpoint: 'reject' | 'drop'
  /** Count HTTP requests per pod in the client's byte stream (command pods). @default false */
  countRequests?: boolean
}

/** A running proxy. */
export interface RunningProxy {
  close(): void
}

/** How bytes are moved (an A/B switch for npm run bench:proxy; `data` is the default). */
const RELAY = process.env.SVCBENCH_L4_RELAY === 'pipe' ? 'pipe' : 'data'

/** Copy `from` to `to` chunk by chunk with backpressure, and end `to` when `from` ends. */
function relay(from: net.Socket, to: net.Socket): void {
  const resume = () => from.resume()
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) {
      from.pause()
      to.once('drain', resume)
    }
  })
  from.once('end', () => to.end())
}

/** Start the proxy; resolves once it listens. */
export async function startL4Proxy(opts: L4ProxyOptions): Promise<RunningProxy> {
  const { balancer, accounting } = opts
  const held = new Set<net.Socket>()
  const server = net.createServer({ noDelay: true, pauseOnConnect: true }, (client) => {
    const clientIp = client.remoteAddress ?? '127.0.0.1'
    const ctx = { clientIp, clientPort: client.remotePort ?? 0, localIp: opts.host }
    client.on('error', () => {})
    const refuse = () => {
      if (accounting.measuring()) accounting.onNoEndpoint()
      if (opts.onNoEndpoint === 'reject') {
        client.resetAndDestroy()
      } else {
        held.add(client)
        client.once('close', () => held.delete(client))
      }
    }
    const tried = new Set<string>()
    // Picks for one client connection; a retry (userspace) skips endpoints already tried. Other
    // connections move a shared cursor meanwhile, so a re-pick can land on a tried one again.
    const MAX_PICKS = 64
    const attempt = () => {
      for (let i = 0; i < MAX_PICKS; i++) {
        const ep = balancer.pick(ctx)
        if (ep === undefined) break
        if (!tried.has(ep.name)) {
          tried.add(ep.name)
          connectTo(ep)
          return
        }
        balancer.release(ep)
      }
      refuse()
    }
    const connectTo = (ep: Endpoint) => {
      let released = false
      const release = () => {
        if (!released) {
          released = true
          balancer.release(ep)
        }
      }
      const r = opts.route(ep, clientIp)
      const upstream = net.connect({ host: r.host, port: r.port, localAddress: r.localAddress, noDelay: true })
      let connected = false
      client.once('close', () => {
        if (!connected) upstream.destroy()
      })
      const established = (early?: Buffer) => {
        connected = true
        // A connection counts in the measured phase on its first bytes at or after the epoch.
        const countIfMeasured = () => {
          if (accounting.measuring()) {
            accounting.onConnection()
            accounting.onDecision(clientIp, ep.name)
            client.off('data', countIfMeasured)
          }
        }
        client.on('data', countIfMeasured)
        if (opts.countRequests === true) {
          const count = createRequestCounter()
          client.on('data', (chunk: Buffer) => {
            const n = count(chunk)
            if (n > 0 && accounting.measuring()) accounting.onRequests(ep.name, n)
          })
        }
        if (early !== undefined && early.length > 0) client.write(early)
        if (RELAY === 'pipe') {
          client.pipe(upstream)
          upstream.pipe(client)
        } else {
          relay(client, upstream)
          relay(upstream, client)
        }
        client.resume()
        client.on('close', () => {
          release()
          if (!upstream.destroyed) upstream.end()
        })
      }
      if (r.viaHop === true) {
        // Connected only once the relay has reached the pod (see hop.ts).
        upstream.once('connect', () => upstream.write(Buffer.from([HOP_HELLO])))
        upstream.once('data', (chunk: Buffer) => {
          if (chunk[0] === HOP_READY) established(chunk.subarray(1))
          else upstream.destroy(new Error('bad hop handshake'))
        })
      } else {
        upstream.once('connect', () => established())
      }
      upstream.on('error', () => {
        if (accounting.measuring()) {
          if (connected) accounting.onUpstreamError()
          else accounting.onUpstreamConnectError()
        }
        if (!connected && balancer.retryOnConnectFailure === true && !client.destroyed) {
          // userspace proxy: the failed connect is seen here, so try the next endpoint.
          release()
          attempt()
          return
        }
        // Propagate the failure as a reset, as the client would see it through conntrack.
        if (!client.destroyed) client.resetAndDestroy()
      })
      upstream.on('close', () => {
        if (!connected && balancer.retryOnConnectFailure === true) return
        release()
        if (!client.destroyed) client.end()
      })
    }
    attempt()
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host: opts.host, port: opts.port, exclusive: true, backlog: 4096 }, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    close() {
      for (const s of held) s.destroy()
      server.close()
    },
  }
}
