/**
 * L4 NodePort proxy: one balancing decision per new TCP connection, bytes piped both ways,
 * as kube-proxy does (conntrack pins every later packet, so with keep-alive every request of a
 * connection reaches the same pod). The relays that move the bytes are in relay/, one per mode.
 */
import net from 'node:net'
import { createRequestCounter } from './accounting.ts'
import { HOP_HELLO, HOP_READY } from './hop.ts'
import { listenExclusive } from './forward.ts'
import { handToNative, nativeRelay, type NativeRelay } from './relay/native.ts'
import { availableRelay, type RelayMode } from './relay/mode.ts'
import { bufferedSocket, READ_BUFFER_BYTES, type ReadSink } from './relay/buffered.ts'
import { relayRaw } from './relay/raw.ts'
import { relayOnread } from './relay/onread.ts'
import { relayData } from './relay/data.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { L4ProxyOptions, RunningProxy } from './types.ts'

/** What every connection of one proxy shares. */
interface ProxyState {
  opts: L4ProxyOptions
  mode: RelayMode
  /** The native relay, in `native` mode. */
  native: NativeRelay | null
  /** Client connections held open with no answer (`drop`), closed with the proxy. */
  held: Set<net.Socket>
}

/** One side of a connection: its socket and, in the buffered modes, its read buffer and sink. */
interface Side {
  socket: net.Socket
  /** Buffered modes: the socket's reads go to `sink.current` once the relay is in place. */
  sink: { current: ReadSink | null }
  /** Buffered modes: the buffer the socket reads into; null otherwise. */
  buffer: Buffer | null
}

/** An accepted client connection. */
interface ClientSide extends Side {
  ip: string
  /** Pick an endpoint not tried yet for this connection and connect to it, else refuse. */
  attempt(): void
}

/** A side reading into its own buffer in the buffered modes (`raw`, `onread`). */
function newSide(mode: RelayMode, make: (sink: Side['sink'], buffer: Buffer | undefined) => net.Socket): Side {
  const sink: Side['sink'] = { current: null }
  const buffer = mode === 'raw' || mode === 'onread' ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : null
  return { socket: make(sink, buffer ?? undefined), sink, buffer }
}

/** Start the proxy; resolves once it listens. */
export async function startL4Proxy(opts: L4ProxyOptions): Promise<RunningProxy> {
  const { mode, fallback } = availableRelay(opts.relay, opts.countRequests === true)
  const native = mode === 'native' ? nativeRelay() : null
  if (native !== null) opts.accounting.onEpoch((ms) => native.setEpoch(ms))
  const st: ProxyState = { opts, mode, native, held: new Set() }
  // Half-open allowed on both sides: a FIN travels through (as through conntrack), the other
  // direction goes on until its own end.
  const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (accepted) => onAccept(accepted, st))
  await listenExclusive(server, opts.host, opts.port)
  return {
    relay: mode,
    relayFallback: fallback,
    close() {
      for (const s of st.held) s.destroy()
      server.close()
    },
  }
}

/** Most picks for one client connection before it is refused. */
const MAX_PICKS = 64

/** A new client connection: pick an endpoint (again, for userspace retries) or refuse. */
function onAccept(accepted: net.Socket, st: ProxyState): void {
  const { balancer, accounting } = st.opts
  const side = newSide(st.mode, (sink, buffer) => (buffer !== undefined ? bufferedSocket(sink, accepted, undefined, buffer) : accepted))
  const socket = side.socket
  const ip = socket.remoteAddress ?? '127.0.0.1'
  const ctx = { clientIp: ip, clientPort: socket.remotePort ?? 0, localIp: st.opts.host }
  socket.on('error', () => {})
  const refuse = () => {
    if (accounting.measuring()) accounting.onNoEndpoint()
    if (st.opts.onNoEndpoint === 'reject') {
      socket.resetAndDestroy()
    } else {
      st.held.add(socket)
      socket.once('close', () => st.held.delete(socket))
    }
  }
  const tried = new Set<string>()
  // Picks for one client connection; a retry (userspace) skips endpoints already tried. Other
  // connections move a shared cursor meanwhile, so a re-pick can land on a tried one again.
  const client: ClientSide = {
    ...side,
    ip,
    attempt() {
      for (let i = 0; i < MAX_PICKS; i++) {
        const ep = balancer.pick(ctx)
        if (ep === undefined) break
        if (!tried.has(ep.name)) {
          tried.add(ep.name)
          connectUpstream(client, ep, st)
          return
        }
        balancer.release(ep)
      }
      refuse()
    },
  }
  client.attempt()
}

/** Open the upstream connection to `ep` (through a hop relay where the route says so) and relay once it is established. */
function connectUpstream(client: ClientSide, ep: Endpoint, st: ProxyState): void {
  const { balancer, accounting } = st.opts
  let released = false
  const release = () => {
    if (!released) {
      released = true
      balancer.release(ep)
    }
  }
  const r = st.opts.route(ep, client.ip)
  const connectOpts = { host: r.host, port: r.port, localAddress: r.localAddress, noDelay: true, allowHalfOpen: true }
  const up = newSide(st.mode, (sink, buffer) => (buffer !== undefined ? bufferedSocket(sink, undefined, connectOpts, buffer) : net.connect(connectOpts)))
  const upstream = up.socket
  let connected = false
  client.socket.once('close', () => {
    if (!connected) upstream.destroy()
  })
  const established = (early?: Buffer) => {
    connected = true
    relayPair(st, client, up, ep, early)
    client.socket.on('close', () => {
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
    if (up.buffer !== null) {
      // established() puts the relay in place of this sink, and reading goes on.
      up.sink.current = (n, buf) => {
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
    if (!connected && balancer.retryOnConnectFailure === true && !client.socket.destroyed) {
      // userspace proxy: the failed connect is seen here, so try the next endpoint.
      release()
      client.attempt()
      return
    }
    // Propagate the failure as a reset, as the client would see it through conntrack.
    if (!client.socket.destroyed) client.socket.resetAndDestroy()
  })
  upstream.on('close', () => {
    if (!connected && balancer.retryOnConnectFailure === true) return
    release()
    if (!client.socket.destroyed) client.socket.end()
  })
}

/**
 * The upstream connection is established (`early`: bytes that came with the hop handshake): count
 * the connection on its first measured bytes and put the proxy's relay in place both ways.
 */
function relayPair(st: ProxyState, client: ClientSide, up: Side, ep: Endpoint, early?: Buffer): void {
  const { accounting } = st.opts
  const upstream = up.socket
  // A connection counts in the measured phase on its first bytes at or after the epoch;
  // command pods' requests are counted in the client's byte stream.
  let counted = false
  const countConnection = () => {
    accounting.onConnection()
    accounting.onDecision(client.ip, ep.name)
  }
  const count = st.opts.countRequests === true ? createRequestCounter() : null
  // True once there is nothing more to watch (counted, and no requests to count).
  const inspect = (chunk: Buffer): boolean => {
    if (!counted && accounting.measuring()) {
      counted = true
      countConnection()
    }
    if (count !== null) {
      const n = count(chunk)
      if (n > 0 && accounting.measuring()) accounting.onRequests(ep.name, n)
    }
    return counted && count === null
  }
  if (early !== undefined && early.length > 0) client.socket.write(Buffer.from(early))
  const native = st.native
  if (native !== null) {
    const handOver = () =>
      handToNative(native, client.socket, upstream, (e) => {
        if (e.kind === 'first') {
          if (accounting.measuring()) countConnection()
          return
        }
        if (e.kind === 'failed' && e.side === 'upstream') {
          // As through conntrack: the pod's reset reaches the client as a reset.
          if (accounting.measuring()) accounting.onUpstreamError()
          client.socket.resetAndDestroy()
        }
        client.socket.destroy()
        upstream.destroy()
      })
    if (client.socket.writableLength > 0) client.socket.once('drain', handOver)
    else handOver()
  } else if (st.mode === 'raw') {
    relayRaw(client.socket, upstream, client.buffer!, inspect)
    relayRaw(upstream, client.socket, up.buffer!)
    upstream.resume()
  } else if (st.mode === 'onread') {
    client.sink.current = relayOnread(client.socket, upstream, inspect)
    up.sink.current = relayOnread(upstream, client.socket)
    upstream.resume()
  } else {
    relayData(client.socket, upstream, inspect)
    relayData(upstream, client.socket)
  }
  if (native === null) client.socket.resume()
}
