/**
 * What a node proxy saw in the measured phase: every balancing decision that carried measured
 * traffic, per pod and per client address. In L4 mode a decision is a connection (counted on its
 * first bytes at or after the epoch, since keep-alive connections are opened during warm-up);
 * in L7 mode it is a request arriving at or after the epoch.
 */

/** Counters of the measured phase. */
export interface ProxyStats {
  node: string
  /** Client connections that carried traffic in the measured phase. */
  connections: number
  /** Balancing decisions that carried measured traffic (connections in L4, requests in L7). */
  decisions: number
  /** Decisions per pod. */
  byPod: Record<string, number>
  /** Decisions per client address, per pod. */
  byClient: Record<string, Record<string, number>>
  /**
   * Per client address, each change of pod as [Date.now(), pod] (the first decision included),
   * so that failover can tell which clients a fault moved. At most MAX_MOVES per client.
   */
  clientPods: Record<string, [number, string][]>
  /** Client connections refused because no endpoint was ready. */
  noEndpoint: number
  /** Upstream connections that failed to open. */
  upstreamConnectErrors: number
  /** Upstream connections reset or failed after opening. */
  upstreamErrors: number
}

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
  /** Zero the counters; count from `epochMs` on. */
  reset(epochMs: number): void
  snapshot(): ProxyStats
}

/** Fresh counters for node `node`. */
/** Most pod changes kept per client address. */
export const MAX_MOVES = 32

export function createAccounting(node: string): Accounting {
  let s: ProxyStats
  let epochMs = Date.now()
  const reset = (epoch: number) => {
    epochMs = epoch
    s = { node, connections: 0, decisions: 0, byPod: {}, byClient: {}, clientPods: {}, noEndpoint: 0, upstreamConnectErrors: 0, upstreamErrors: 0 }
  }
  reset(epochMs)
  return {
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
    reset,
    snapshot: () => structuredClone(s),
  }
}
