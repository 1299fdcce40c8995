/**
 * L4 NodePort proxy: one balancing decision per new TCP connection, bytes piped both ways,
 * as kube-proxy does (conntrack pins every later packet, so with keep-alive every request of a
 * connection reaches the same pod).
 */
import net from 'node:net'
import type { Balancer, Endpoint } from '../balancers/types.ts'
import { createRequestCounter, type Accounting } from './accounting.ts'
import { HOP_HELLO, HOP_READY } from './hop.ts'
import { listenExclusive } from './forward.ts'

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

/**
 * How bytes are moved. `onread` (the default): each socket reads into its own fixed buffer and
 * the read callback writes straight to the other socket, with no stream events and no buffer
 * allocated per read. `data`: the stream 'data' events (an A/B switch for npm run bench:proxy).
 */
const RELAY = process.env.SVCBENCH_L4_RELAY === 'data' ? 'data' : 'onread'

/** Bytes one socket reads at once in `onread` mode (a buffer per socket, reused for every read). */
const READ_BUFFER_BYTES = 16 * 1024

/** Copy `from` to `to` chunk by chunk with backpressure, and end `to` when `from` ends. */
function relay(from: net.Socket, to: net.Socket, inspect?: (chunk: Buffer) => void): void {
  const resume = () => from.resume()
  from.on('data', (chunk: Buffer) => {
    inspect?.(chunk)
    if (!to.write(chunk)) {
      from.pause()
      to.once('drain', resume)
    }
  })
  from.once('end', () => to.end())
}

/** A read callback of `onread` mode: bytes read into the socket's buffer. False pauses reading. */
type ReadSink = (n: number, buf: Buffer) => boolean

/**
 * The `onread` relay from one socket to another: writes each read straight from the reading
 * socket's buffer. While a write has not gone to the kernel completely, the buffer is still the
 * write's data, so reading stops until the write is done (which is also the backpressure).
 */
function bufferRelay(from: net.Socket, to: net.Socket, inspect?: (chunk: Buffer) => void): ReadSink {
  let paused = false
  const written = () => {
    if (paused && to.writableLength === 0) {
      paused = false
      from.resume()
    }
  }
  from.once('end', () => to.end())
  return (n, buf) => {
    const chunk = n === buf.length ? buf : buf.subarray(0, n)
    inspect?.(chunk)
    to.write(chunk, written)
    if (to.writableLength === 0) return true
    paused = true
    return false
  }
}

/**
 * A socket reading into its own buffer and handing each read to a sink set later (reading starts
 * with `resume()`, once the sink is in place). `accepted` (from a server with pauseOnConnect, not
 * reading yet) gives up its handle to the new socket.
 */
function bufferedSocket(sink: { current: ReadSink | null }, accepted?: net.Socket, connect?: net.NetConnectOpts): net.Socket {
  const onread = { buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES), callback: (n: number, buf: Uint8Array) => sink.current?.(n, buf as Buffer) ?? false }
  if (connect !== undefined) return net.connect({ ...connect, onread } as net.NetConnectOpts)
  const raw = accepted as unknown as { _handle: unknown }
  const handle = raw._handle
  raw._handle = null
  return new net.Socket({ handle, manualStart: true, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts)
}

/** Start the proxy; resolves once it listens. */
export async function startL4Proxy(opts: L4ProxyOptions): Promise<RunningProxy> {
  const { balancer, accounting } = opts
  const held = new Set<net.Socket>()
  // Half-open allowed on both sides: a FIN travels through (as through conntrack), the other
  // direction goes on until its own end.
  const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
    // onread mode: the client's reads go to clientSink once the upstream is established.
    const clientSink: { current: ReadSink | null } = { current: null }
    const client = RELAY === 'onread' ? bufferedSocket(clientSink, accepted) : accepted
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
      const connectOpts = { host: r.host, port: r.port, localAddress: r.localAddress, noDelay: true, allowHalfOpen: true }
      const upstreamSink: { current: ReadSink | null } = { current: null }
      const upstream = RELAY === 'onread' ? bufferedSocket(upstreamSink, undefined, connectOpts) : net.connect(connectOpts)
      let connected = false
      client.once('close', () => {
        if (!connected) upstream.destroy()
      })
      const established = (early?: Buffer) => {
        connected = true
        // A connection counts in the measured phase on its first bytes at or after the epoch;
        // command pods' requests are counted in the client's byte stream.
        let counted = false
        const count = opts.countRequests === true ? createRequestCounter() : null
        const inspect = (chunk: Buffer) => {
          if (!counted && accounting.measuring()) {
            counted = true
            accounting.onConnection()
            accounting.onDecision(clientIp, ep.name)
          }
          if (count !== null) {
            const n = count(chunk)
            if (n > 0 && accounting.measuring()) accounting.onRequests(ep.name, n)
          }
        }
        if (early !== undefined && early.length > 0) client.write(Buffer.from(early))
        if (RELAY === 'onread') {
          clientSink.current = bufferRelay(client, upstream, inspect)
          upstreamSink.current = bufferRelay(upstream, client)
          upstream.resume()
        } else {
          relay(client, upstream, inspect)
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
        const handshake = (chunk: Buffer) => {
          if (chunk[0] === HOP_READY) established(chunk.subarray(1))
          else upstream.destroy(new Error('bad hop handshake'))
        }
        if (RELAY === 'onread') {
          // established() puts the relay in place of this sink, and reading goes on.
          upstreamSink.current = (n, buf) => {
            handshake(buf.subarray(0, n))
            return !upstream.destroyed
          }
        } else upstream.once('data', handshake)
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
  await listenExclusive(server, opts.host, opts.port)
  return {
    close() {
      for (const s of held) s.destroy()
      server.close()
    },
  }
}
