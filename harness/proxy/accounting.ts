/**
 * What a node proxy saw in the measured phase: every balancing decision that carried measured
 * traffic, per pod and per client address. In L4 mode a decision is a connection (counted on its
 * first bytes at or after the epoch, since keep-alive connections are opened during warm-up);
 * in L7 mode it is a request arriving at or after the epoch.
 */
import type { ProxyStats } from '../model/measurements.ts'

/** Mutable counters behind {@link ProxyStats}. Callers check {@link Accounting.measuring} first. */
export interface Accounting {
  /** True once the epoch has passed: only then do the on* calls count. */
  measuring(): boolean
  /** Start of the measured phase (identifies the current measurement). */
  epochMs(): number
  onConnection(): void
  onDecision(clientIp: string, pod: string): void
  onNoEndpoint(): void
  onUpstreamConnectError(): void
  onUpstreamError(): void
  /** `n` HTTP requests went to `pod`. */
  onRequests(pod: string, n: number): void
  /**
   * An L7 decision: one request from `clientIp` on connection `conn` went to `pod`. The
   * connection counts once per measurement (`conn` keeps the epoch it was counted in).
   */
  onRequestDecision(conn: { countedEpoch?: number }, clientIp: string, pod: string): void
  /** An upstream request failed: a refused connect (`ECONNREFUSED`, a dead pod) or anything else. */
  onUpstreamFailure(code: string | undefined): void
  /** A client connection opened (L4): for the most held open at once since the proxy started. */
  onOpen(): void
  /** A client connection counted by {@link onOpen} closed. */
  onClose(): void
  /** Zero the counters (the peak of open connections is kept); count from `epochMs` on. */
  reset(epochMs: number): void
  /** Tell `listener` every new epoch (now and at each reset). */
  onEpoch(listener: (epochMs: number) => void): void
  snapshot(): ProxyStats
}

/** Counters of a node proxy that has counted nothing (yet, or ever: a node that died first). */
export function emptyProxyStats(node: string): ProxyStats {
  return { node, connections: 0, decisions: 0, byPod: {}, byClient: {}, clientPods: {}, noEndpoint: 0, upstreamConnectErrors: 0, upstreamErrors: 0, requestsByPod: {}, requestsPerSecondByPod: {} }
}

/** Most pod changes kept per client address. */
export const MAX_MOVES = 32

/** Fresh counters for node `node`. */
export function createAccounting(node: string): Accounting {
  let s: ProxyStats
  let epochMs = Date.now()
  let open = 0
  let peak: number | undefined
  const listeners: ((epochMs: number) => void)[] = []
  const reset = (epoch: number) => {
    epochMs = epoch
    s = emptyProxyStats(node)
    for (const l of listeners) l(epoch)
  }
  reset(epochMs)
  const a: Accounting = {
    measuring: () => Date.now() >= epochMs,
    epochMs: () => epochMs,
    onConnection: () => void s.connections++,
    onDecision(clientIp, pod) {
      s.decisions++
      s.byPod[pod] = (s.byPod[pod] ?? 0) + 1
      const c = (s.byClient[clientIp] ??= {})
      c[pod] = (c[pod] ?? 0) + 1
      const moves = (s.clientPods[clientIp] ??= [])
      const last = moves[moves.length - 1]
      if ((last === undefined || last[1] !== pod) && moves.length < MAX_MOVES) moves.push([Date.now(), pod])
    },
    onNoEndpoint: () => void s.noEndpoint++,
    onUpstreamConnectError: () => void s.upstreamConnectErrors++,
    onUpstreamError: () => void s.upstreamErrors++,
    onRequests(pod, n) {
      s.requestsByPod[pod] = (s.requestsByPod[pod] ?? 0) + n
      const sec = Math.floor((Date.now() - epochMs) / 1000)
      const row = (s.requestsPerSecondByPod[pod] ??= [])
      while (row.length <= sec) row.push(0)
      row[sec]! += n
    },
    onRequestDecision(conn, clientIp, pod) {
      a.onDecision(clientIp, pod)
      a.onRequests(pod, 1)
      if (conn.countedEpoch !== epochMs) {
        conn.countedEpoch = epochMs
        s.connections++
      }
    },
    onUpstreamFailure(code) {
      if (code === 'ECONNREFUSED') s.upstreamConnectErrors++
      else s.upstreamErrors++
    },
    onOpen() {
      open++
      peak = Math.max(peak ?? 0, open)
    },
    onClose: () => void (open = Math.max(0, open - 1)),
    reset,
    onEpoch(listener) {
      listeners.push(listener)
      listener(epochMs)
    },
    snapshot: () => ({ ...structuredClone(s), ...(peak === undefined ? {} : { peakConnections: peak }) }),
  }
  return a
}

const END = [13, 10, 13, 10] // \r\n\r\n

/**
 * Counts HTTP/1.1 requests in a client→server byte stream by their header terminators (CRLF CRLF),
 * across chunk boundaries. Exact for requests without a body, which is what svcbench's load
 * generator sends (GET); a body containing CRLF CRLF would count twice.
 */
export function createRequestCounter(): (chunk: Uint8Array) => number {
  // How many bytes of the terminator the stream has matched so far (0–3).
  let state = 0
  return (chunk) => {
    let n = 0
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number
      if (b === END[state]) {
        if (++state === 4) {
          n++
          state = 0
        }
      } else state = b === 13 ? 1 : 0
    }
    return n
  }
}
