/** The `onread` relay: each socket reads into its own fixed buffer (buffered.ts), written through the other socket's Writable. */
import type net from 'node:net'
import type { ReadSink } from './buffered.ts'

/**
 * The `onread` relay from one socket to another: writes each read straight from the reading
 * socket's buffer. While a write has not gone to the kernel completely, the buffer is still the
 * write's data, so reading stops until the write is done (which is also the backpressure).
 */
export function relayOnread(from: net.Socket, to: net.Socket, inspect?: (chunk: Buffer) => void): ReadSink {
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
