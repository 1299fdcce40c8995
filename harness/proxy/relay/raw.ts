/**
 * The `raw` relay: each socket reads into its own fixed buffer (buffered.ts) and each read goes
 * straight to the other socket's TCP handle through Node's stream binding (`stream_wrap`), past
 * both sockets' stream machinery. The binding is Node-internal: where it is missing or changed,
 * the relay is not available (mode.ts then picks `onread`).
 */
import type net from 'node:net'

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

/** Whether this Node has the stream binding the raw relay drives. */
export function rawAvailable(): boolean {
  return streamBinding() !== null
}

/**
 * The raw relay: `from`'s reads (into its own buffer, see bufferedSocket) go straight to `to`'s
 * TCP handle, past both sockets' stream machinery (no Writable state, no write callbacks, no
 * nextTick per write): the handle tries the write at once, and only when the kernel did not
 * take it all does reading stop until the binding reports the write done. End of stream and read
 * errors still take net.Socket's own path (its original read handler), so 'end', 'error' and
 * 'close' are as before; a failed write destroys `to` with the error, as its Writable would.
 * Call only where {@link rawAvailable}.
 */
export function relayRaw(from: net.Socket, to: net.Socket, buf: Buffer, inspect?: (chunk: Buffer) => boolean): void {
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
