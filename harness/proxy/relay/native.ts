/**
 * The `native` relay (native/relay.c, built by `npm ci` through node-gyp): a thread that moves
 * the bytes of established connections with no JavaScript per message; the proxy hands each
 * established pair over. Optional: where it did not build (no compiler) or SVCBENCH_L4_RELAY asks
 * for a JavaScript relay, the proxy uses those ({@link nativeRelayProblem} says why it is missing).
 */
import fs from 'node:fs'
import type net from 'node:net'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

/** What the relay tells about a pair. */
export type RelayEvent =
  /** The client's first bytes at or after the epoch. */
  | { kind: 'first' }
  /** Both directions ended (each passed its end of stream on). */
  | { kind: 'done' }
  /** A socket failed (`side`: which), e.g. ECONNRESET. The pair is out of the relay. */
  | { kind: 'failed'; side: 'client' | 'upstream'; errno: number }

interface Addon {
  start(cb: (kind: number, id: number, side: number, errno: number) => void): void
  add(id: number, clientFd: number, upstreamFd: number): void
  setEpoch(ms: number): void
}

/** The relay of this process. */
export interface NativeRelay {
  /** Relay between two connected sockets' descriptors from now on; `on` hears about the pair. */
  add(clientFd: number, upstreamFd: number, on: (e: RelayEvent) => void): void
  /** Connections count (`first`) on their first client bytes at or after this time (ms). */
  setEpoch(ms: number): void
}

/** Where node-gyp puts the addon, relative to the package root. */
export const ADDON_FILE = path.join('build', 'Release', 'svcbench_relay.node')

/** The built addon, looked for upwards from this module (sources, or a bundle in node_modules/.cache). */
export function findAddon(from = path.dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from, i = 0; i < 8; i++) {
    const f = path.join(dir, ADDON_FILE)
    if (fs.existsSync(f)) return f
    const up = path.dirname(dir)
    if (up === dir) break
    dir = up
  }
  return null
}

let relay: NativeRelay | null | undefined
let problem: string | null = null

/** The process's native relay, started on first use; null where it is not available. */
export function nativeRelay(): NativeRelay | null {
  if (relay !== undefined) return relay
  relay = null
  if (process.platform !== 'linux') {
    problem = 'the native relay runs on Linux only'
    return relay
  }
  const file = findAddon()
  if (file === null) {
    problem = 'the native relay is not built (npm run build:native needs python3, make and g++)'
    return relay
  }
  let addon: Addon
  try {
    addon = createRequire(import.meta.url)(file) as Addon
  } catch (err) {
    // Kept, so that a run that falls back to a JavaScript relay can say why.
    problem = `the native relay ${file} failed to load: ${(err as Error).message}`
    return relay
  }
  const listeners = new Map<number, (e: RelayEvent) => void>()
  let nextId = 1
  addon.start((kind, id, side, errno) => {
    const on = listeners.get(id)
    if (on === undefined) return
    if (kind === 1) on({ kind: 'first' })
    else {
      listeners.delete(id)
      on(kind === 2 ? { kind: 'done' } : { kind: 'failed', side: side === 0 ? 'client' : 'upstream', errno })
    }
  })
  relay = {
    add(clientFd, upstreamFd, on) {
      const id = nextId
      nextId = nextId >= 0xffffffff ? 1 : nextId + 1
      listeners.set(id, on)
      try {
        addon.add(id, clientFd, upstreamFd)
      } catch (err) {
        listeners.delete(id)
        throw err
      }
    },
    setEpoch: (ms) => addon.setEpoch(ms),
  }
  return relay
}

/** Why {@link nativeRelay} is null here (not Linux, not built, or its load error); null where it runs. */
export function nativeRelayProblem(): string | null {
  return nativeRelay() === null ? problem : null
}

/** The part of a net.Socket's TCP handle the hand-over touches. */
interface SocketHandle {
  fd?: number
  reading?: boolean
  readStop(): number
}

/**
 * Hand an established pair to the native relay: both sockets stop reading (libuv lets go of
 * their descriptors' events), the relay reads and writes the descriptors, and `on` hears when the
 * pair ended; the sockets stay Node's, to be closed then, and not before (the relay would go on
 * using the descriptor numbers). A socket already gone ends the pair.
 */
export function handToNative(native: NativeRelay, client: net.Socket, upstream: net.Socket, on: Parameters<NativeRelay['add']>[2]): void {
  const c = (client as unknown as { _handle: SocketHandle | null })._handle
  const u = (upstream as unknown as { _handle: SocketHandle | null })._handle
  if (c === null || u === null || typeof c.fd !== 'number' || typeof u.fd !== 'number' || c.fd < 0 || u.fd < 0 || client.destroyed || upstream.destroyed) {
    client.destroy()
    upstream.destroy()
    return
  }
  // From here on Node must not read these descriptors: paused (net.Socket's read(0) after
  // 'connect'), and no _read (a stream that just emitted 'data', as the hop handshake does, reads
  // more on the next tick whether paused or not).
  for (const [sock, h] of [[client, c], [upstream, u]] as const) {
    sock.pause()
    ;(sock as unknown as { _read: () => void })._read = () => {}
    h.readStop()
    h.reading = false
  }
  try {
    native.add(c.fd, u.fd, on)
  } catch {
    client.resetAndDestroy()
    upstream.destroy()
  }
}
