/**
 * L4 NodePort proxy: one balancing decision per new TCP connection, bytes piped both ways,
 * as kube-proxy does (conntrack pins every later packet, so with keep-alive every request of a
 * connection reaches the same pod).
 */
import net from 'node:net'
import type { Balancer } from '../balancers/types.ts'
import { createRequestCounter, type Accounting } from './accounting.ts'
import { HOP_HELLO, HOP_READY } from './hop.ts'
import { listenExclusive } from './forward.ts'
import { handToNative, nativeRelay } from './native-relay.ts'
import type { Endpoint } from '../model/kube-proxy.ts'
import type { L4ProxyOptions, RelayMode, RunningProxy } from './types.ts'

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

/** The parts of Node's stream binding the raw relay uses (the state array its handles share). */
interface StreamBinding {
  WriteWrap: new () => WriteReq
  streamBaseState: Int32Array
  kReadBytesOrError: number
  kLastWriteWasAsync: number
}
/** A write request as the binding takes it: told on completion if the write went asynchronous. */
interface WriteReq {
  handle?: unknown
  oncomplete?: (status: number) => void
}
/** A TCP handle under a net.Socket, as the raw relay drives it. */
interface RawHandle {
  onread: (this: RawHandle, ab: unknown) => unknown
  writeBuffer(req: WriteReq, data: Buffer): number
  readStart(): number
  readStop(): number
}

let binding: StreamBinding | null | undefined
function streamBinding(): StreamBinding | null {
  if (binding === undefined) {
    try {
      const b = (process as unknown as { binding(name: string): StreamBinding }).binding('stream_wrap')
      binding = typeof b.WriteWrap === 'function' && b.streamBaseState instanceof Int32Array ? b : null
    } catch {
      binding = null
    }
  }
  return binding
}
function rawAvailable(): boolean {
  return streamBinding() !== null
}
export const RELAY_MODES: readonly RelayMode[] = ['native', 'raw', 'onread', 'data']

/** The relay mode SVCBENCH_L4_RELAY asks for, else the fastest available. */
export function defaultRelay(): RelayMode {
  const asked = process.env.SVCBENCH_L4_RELAY as RelayMode | undefined
  if (asked !== undefined && RELAY_MODES.includes(asked) && asked !== 'native') return asked
  return nativeRelay() !== null ? 'native' : 'raw'
}

/** What is wrong with SVCBENCH_L4_RELAY (for the CLI to refuse before starting anything), or null. */
export function relayEnvProblem(): string | null {
  const asked = process.env.SVCBENCH_L4_RELAY
  if (asked === undefined || asked === '') return null
  if (!RELAY_MODES.includes(asked as RelayMode)) return `got ${JSON.stringify(asked)}; expected one of ${RELAY_MODES.join(', ')} (how the connection proxy moves bytes)`
  if (asked === 'native' && nativeRelay() === null) return `got "native", but the native relay is not built (${process.platform === 'linux' ? 'npm run build:native needs python3, make and g++' : 'Linux only'})`
  return null
}

/** `asked`, or the next one down where it is not available or cannot count requests. */
function availableRelay(asked: RelayMode, countRequests: boolean): RelayMode {
  if (asked === 'native' && (countRequests || nativeRelay() === null)) asked = 'raw'
  if (asked === 'raw' && !rawAvailable()) asked = 'onread'
  return asked
}

/**
 * The raw relay: `from`'s reads (into its own buffer, see bufferedSocket) go straight to `to`'s
 * TCP handle, past both sockets' stream machinery (no Writable state, no write callbacks, no
 * nextTick per write): the handle tries the write at once, and only when the kernel did not
 * take it all does reading stop until the binding reports the write done. End of stream and read
 * errors still take net.Socket's own path (its original read handler), so 'end', 'error' and
 * 'close' are as before; a failed write destroys `to` with the error, as its Writable would.
 */
function rawRelay(from: net.Socket, to: net.Socket, buf: Buffer, inspect?: (chunk: Buffer) => boolean): void {
  const b = streamBinding()!
  const state = b.streamBaseState
  const kNread = b.kReadBytesOrError
  const kAsync = b.kLastWriteWasAsync
  const fromHandle = (from as unknown as { _handle: RawHandle | null })._handle
  const toHandle = (to as unknown as { _handle: RawHandle | null })._handle
  if (fromHandle === null || toHandle === null) {
    // One side went away before the relay was in place (its close handler ends the other).
    from.destroy()
    to.destroy()
    return
  }
  const streamOnread = fromHandle.onread
  let watch = inspect
  let view = buf
  let viewBytes = buf.length
  let req: WriteReq = new b.WriteWrap()
  req.handle = toHandle
  const done = (status: number) => {
    req = new b.WriteWrap()
    req.handle = toHandle
    if (status < 0) {
      to.destroy(Object.assign(new Error(`write ${status}`), { errno: status }))
      return
    }
    if (!from.destroyed) fromHandle.readStart()
  }
  from.once('end', () => to.end())
  fromHandle.onread = function (ab) {
    const n = state[kNread]!
    if (n <= 0) return streamOnread.call(this, ab)
    if (to.destroyed) return
    // Keep-alive traffic repeats its message sizes: the view of the last size is reused.
    if (n !== viewBytes) {
      view = n === buf.length ? buf : buf.subarray(0, n)
      viewBytes = n
    }
    const chunk = view
    if (watch !== undefined && watch(chunk)) watch = undefined
    const err = toHandle.writeBuffer(req, chunk)
    if (err !== 0) {
      to.destroy(Object.assign(new Error(`write ${err}`), { errno: err }))
      return
    }
    if (state[kAsync] !== 0) {
      // The rest of the chunk is still to be written from `buf`: no reading into it until then.
      req.oncomplete = done
      fromHandle.readStop()
    }
  }
}

/**
 * A socket reading into its own buffer and handing each read to a sink set later (reading starts
 * with `resume()`, once the sink is in place). `accepted` (from a server with pauseOnConnect, not
 * reading yet) gives up its handle to the new socket.
 */
function bufferedSocket(sink: { current: ReadSink | null }, accepted?: net.Socket, connect?: net.NetConnectOpts, buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)): net.Socket {
  const onread = { buffer, callback: (n: number, buf: Uint8Array) => sink.current?.(n, buf as Buffer) ?? false }
  if (connect !== undefined) return net.connect({ ...connect, onread } as net.NetConnectOpts)
  const raw = accepted as unknown as { _handle: unknown }
  const handle = raw._handle
  raw._handle = null
  return new net.Socket({ handle, manualStart: true, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts)
}

/** Start the proxy; resolves once it listens. */
export async function startL4Proxy(opts: L4ProxyOptions): Promise<RunningProxy> {
  const { balancer, accounting } = opts
  const mode = availableRelay(opts.relay ?? defaultRelay(), opts.countRequests === true)
  const native = mode === 'native' ? nativeRelay() : null
  if (native !== null) accounting.onEpoch((ms) => native.setEpoch(ms))
  const held = new Set<net.Socket>()
  // Half-open allowed on both sides: a FIN travels through (as through conntrack), the other
  // direction goes on until its own end.
  const server = net.createServer({ noDelay: true, pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
    // Buffered modes: the client's reads go to clientSink once the upstream is established.
    const clientSink: { current: ReadSink | null } = { current: null }
    const buffered = mode === 'raw' || mode === 'onread'
    const clientBuffer = buffered ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : null
    const client = clientBuffer !== null ? bufferedSocket(clientSink, accepted, undefined, clientBuffer) : accepted
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
      const upstreamBuffer = buffered ? Buffer.allocUnsafe(READ_BUFFER_BYTES) : null
      const upstream = upstreamBuffer !== null ? bufferedSocket(upstreamSink, undefined, connectOpts, upstreamBuffer) : net.connect(connectOpts)
      let connected = false
      client.once('close', () => {
        if (!connected) upstream.destroy()
      })
      const established = (early?: Buffer) => {
        connected = true
        // A connection counts in the measured phase on its first bytes at or after the epoch;
        // command pods' requests are counted in the client's byte stream.
        let counted = false
        const countConnection = () => {
          accounting.onConnection()
          accounting.onDecision(clientIp, ep.name)
        }
        const count = opts.countRequests === true ? createRequestCounter() : null
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
        if (early !== undefined && early.length > 0) client.write(Buffer.from(early))
        if (native !== null) {
          const handOver = () =>
            handToNative(native, client, upstream, (e) => {
              if (e.kind === 'first') {
                if (accounting.measuring()) countConnection()
                return
              }
              if (e.kind === 'failed' && e.side === 'upstream') {
                // As through conntrack: the pod's reset reaches the client as a reset.
                if (accounting.measuring()) accounting.onUpstreamError()
                client.resetAndDestroy()
              }
              client.destroy()
              upstream.destroy()
            })
          if (client.writableLength > 0) client.once('drain', handOver)
          else handOver()
        } else if (mode === 'raw') {
          rawRelay(client, upstream, clientBuffer!, inspect)
          rawRelay(upstream, client, upstreamBuffer!)
          upstream.resume()
        } else if (mode === 'onread') {
          clientSink.current = bufferRelay(client, upstream, inspect)
          upstreamSink.current = bufferRelay(upstream, client)
          upstream.resume()
        } else {
          relay(client, upstream, inspect)
          relay(upstream, client)
        }
        if (native === null) client.resume()
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
        if (buffered) {
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
