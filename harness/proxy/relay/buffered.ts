/**
 * Sockets that read into a fixed buffer of their own (net's `onread` option) and hand each read
 * to a sink: what the `onread` and `raw` relays are built on.
 */
import net from 'node:net'

/** Bytes one socket reads at once in the buffered relays (a buffer per socket, reused for every read). */
export const READ_BUFFER_BYTES = 16 * 1024

/** A read callback of the buffered relays: bytes read into the socket's buffer. False pauses reading. */
export type ReadSink = (n: number, buf: Buffer) => boolean

/**
 * A socket reading into its own buffer and handing each read to a sink set later (reading starts
 * with `resume()`, once the sink is in place). `accepted` (from a server with pauseOnConnect, not
 * reading yet) gives up its handle to the new socket.
 */
export function bufferedSocket(sink: { current: ReadSink | null }, accepted?: net.Socket, connect?: net.NetConnectOpts, buffer: Buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES)): net.Socket {
  const onread = { buffer, callback: (n: number, buf: Uint8Array) => sink.current?.(n, buf as Buffer) ?? false }
  if (connect !== undefined) return net.connect({ ...connect, onread } as net.NetConnectOpts)
  const raw = accepted as unknown as { _handle: unknown }
  const handle = raw._handle
  raw._handle = null
  return new net.Socket({ handle, manualStart: true, readable: true, writable: true, allowHalfOpen: true, onread } as net.SocketConstructorOpts)
}
