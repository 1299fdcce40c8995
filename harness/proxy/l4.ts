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
import { USERSPACE_DIAL_TIMEOUTS_MS } from '../balancers/userspace.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import { noEndpointAction, type L4ProxyOptions, type RunningProxy } from './types.ts'

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
  /** Pick an endpoint and connect to it (again after a failed dial, in userspace mode), else refuse. */
  attempt(): void
}

/** How one proxied connection is going, for the IPVS entry it leaves when it ends (balancers/types.ts ConnectionEnd). */
interface ConnState {
  /** A RST or a socket error on either side. */
  reset: boolean
  /** The first FIN seen (JavaScript relays only: the native one reads the sockets itself). */
  firstFin?: { side: 'client' | 'pod'; atMs: number }
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
  const listen = async () => {
    // Half-open allowed on both sides: a FIN travels through (as through conntrack), the other
    // direction goes on until its own end.
    const srv = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (accepted) => onAccept(accepted, st))
    await listenExclusive(srv, opts.host, opts.port)
    return srv
  }
  let server: net.Server | null = await listen()
  let closed = false
  let toggled = Promise.resolve()
  return {
    relay: mode,
    relayFallback: fallback,
    refuseNew(on) {
      // Nothing listening: the node's kernel answers every SYN with a reset, which a client sees
      // as a refused connection (as the ICMP port unreachable of kube-proxy's REJECT); connections
      // already relayed go on, as their conntrack entries do.
      toggled = toggled.then(async () => {
        if (closed) return
        if (on && server !== null) {
          server.close()
          server = null
        } else if (!on && server === null) server = await listen()
      })
      return toggled
    },
    close() {
      closed = true
      for (const s of st.held) s.destroy()
      server?.close()
      void toggled.then(() => server?.close())
    },
  }
}

/**
 * A new client connection: pick an endpoint and connect. IPVS and iptables pick once (a failed
 * connect reaches the client); the userspace proxy dials again, at most four times, each dial
 * with its own timeout and the next endpoint in its rotation (USERSPACE_DIAL_TIMEOUTS_MS).
 */
function onAccept(accepted: net.Socket, st: ProxyState): void {
  const { balancer, accounting } = st.opts
  const side = newSide(st.mode, (sink, buffer) => (buffer !== undefined ? bufferedSocket(sink, accepted, undefined, buffer) : accepted))
  const socket = side.socket
  const ip = socket.remoteAddress ?? '127.0.0.1'
  const ctx = { clientIp: ip, clientPort: socket.remotePort ?? 0, localIp: st.opts.host }
  socket.on('error', () => {})
  accounting.onOpen()
  socket.once('close', () => accounting.onClose())
  const refuse = () => {
    if (accounting.measuring()) accounting.onNoEndpoint()
    if (noEndpointAction(st.opts) === 'reject') {
      socket.resetAndDestroy()
    } else {
      st.held.add(socket)
      socket.once('close', () => st.held.delete(socket))
    }
  }
  const userspace = balancer.retryOnConnectFailure === true
  let dial = 0
  // Each dial takes the next pick, tried or not (roundrobin.go's NextEndpoint), as the real one did.
  const client: ClientSide = {
    ...side,
    ip,
    attempt() {
      if (userspace && dial >= USERSPACE_DIAL_TIMEOUTS_MS.length) return refuse()
      const ep = balancer.pick({ ...ctx, attempt: dial })
      if (ep === undefined) return refuse()
      const timeoutMs = userspace ? USERSPACE_DIAL_TIMEOUTS_MS[dial] : undefined
      dial++
      connectUpstream(client, ep, st, timeoutMs)
    },
  }
  client.attempt()
}

/**
 * Open the upstream connection to `ep` (through a hop relay where the route says so; within
 * `dialTimeoutMs` when given) and relay once it is established. When it ends the balancer hears
 * how: reset, or closed with a FIN each way, and which side's FIN came first.
 */
function connectUpstream(client: ClientSide, ep: Endpoint, st: ProxyState, dialTimeoutMs?: number): void {
  const { balancer, accounting } = st.opts
  const conn: ConnState = { reset: false }
  let released = false
  const release = () => {
    if (released) return
    released = true
    const t = Date.now()
    const firstFin = conn.firstFin === undefined ? undefined : { side: conn.firstFin.side, msBeforeClose: t - conn.firstFin.atMs }
    balancer.release(ep, { how: conn.reset || !connected ? 'reset' : 'fin', clientIp: client.ip, firstFin })
  }
  const r = st.opts.route(ep, client.ip)
  const connectOpts = { host: r.host, port: r.port, localAddress: r.localAddress, noDelay: true, allowHalfOpen: true }
  const up = newSide(st.mode, (sink, buffer) => (buffer !== undefined ? bufferedSocket(sink, undefined, connectOpts, buffer) : net.connect(connectOpts)))
  const upstream = up.socket
  let connected = false
  client.socket.once('close', () => {
    if (!connected) upstream.destroy()
  })
  const dialTimer =
    dialTimeoutMs === undefined
      ? undefined
      : setTimeout(() => connected || upstream.destroy(Object.assign(new Error(`dial timeout after ${dialTimeoutMs}ms`), { code: 'ETIMEDOUT' })), dialTimeoutMs)
  client.socket.once('end', () => (conn.firstFin ??= { side: 'client', atMs: Date.now() }))
  upstream.once('end', () => (conn.firstFin ??= { side: 'pod', atMs: Date.now() }))
  client.socket.once('error', () => (conn.reset = true))
  const established = (early?: Buffer) => {
    connected = true
    clearTimeout(dialTimer)
    relayPair(st, client, up, ep, conn, early)
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
    conn.reset = true
    if (accounting.measuring()) {
      if (connected) accounting.onUpstreamError()
      else accounting.onUpstreamConnectError()
    }
    if (!connected && balancer.retryOnConnectFailure === true && !client.socket.destroyed) {
      // userspace proxy: the failed (or timed-out) dial is seen here, so dial again.
      release()
      client.attempt()
      return
    }
    // Propagate the failure as a reset, as the client would see it through conntrack.
    if (!client.socket.destroyed) client.socket.resetAndDestroy()
  })
  upstream.on('close', () => {
    clearTimeout(dialTimer)
    if (!connected && balancer.retryOnConnectFailure === true) return
    release()
    if (!client.socket.destroyed) client.socket.end()
  })
}

/**
 * The upstream connection is established (`early`: bytes that came with the hop handshake): count
 * the connection on its first measured bytes and put the proxy's relay in place both ways.
 */
function relayPair(st: ProxyState, client: ClientSide, up: Side, ep: Endpoint, conn: ConnState, early?: Buffer): void {
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
        if (e.kind === 'failed') conn.reset = true
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
