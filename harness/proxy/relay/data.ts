/** The `data` relay: the sockets' stream 'data' events, with backpressure through pause/drain. */
import type net from 'node:net'

/** Copy `from` to `to` chunk by chunk with backpressure, and end `to` when `from` ends. */
export function relayData(from: net.Socket, to: net.Socket, inspect?: (chunk: Buffer) => void): void {
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
