/**
 * What a node proxy saw: every balancing decision it made, per pod and per client address.
 * In L4 mode a decision is a connection; in L7 mode it is a request.
 */

/** Counters since the last reset. */
export interface ProxyStats {
  node: string
  /** Client connections accepted. */
  connections: number
  /** Balancing decisions made (connections in L4, requests in L7). */
  decisions: number
  /** Decisions per pod. */
  byPod: Record<string, number>
  /** Decisions per client address, per pod. */
  byClient: Record<string, Record<string, number>>
  /** Client connections refused because no endpoint was ready. */
  noEndpoint: number
  /** Upstream connections that failed to open. */
  upstreamConnectErrors: number
  /** Upstream connections reset or failed after opening. */
  upstreamErrors: number
}

/** Mutable counters behind {@link ProxyStats}. */
export interface Accounting {
  onConnection(): void
  onDecision(clientIp: string, pod: string): void
  onNoEndpoint(): void
  onUpstreamConnectError(): void
  onUpstreamError(): void
  reset(): void
  snapshot(): ProxyStats
}

/** Fresh counters for node `node`. */
export function createAccounting(node: string): Accounting {
  let s: ProxyStats
  const reset = () => {
    s = { node, connections: 0, decisions: 0, byPod: {}, byClient: {}, noEndpoint: 0, upstreamConnectErrors: 0, upstreamErrors: 0 }
  }
  reset()
  return {
    onConnection: () => void s.connections++,
    onDecision(clientIp, pod) {
      s.decisions++
      s.byPod[pod] = (s.byPod[pod] ?? 0) + 1
      const c = (s.byClient[clientIp] ??= {})
      c[pod] = (c[pod] ?? 0) + 1
    },
    onNoEndpoint: () => void s.noEndpoint++,
    onUpstreamConnectError: () => void s.upstreamConnectErrors++,
    onUpstreamError: () => void s.upstreamErrors++,
    reset,
    snapshot: () => structuredClone(s),
  }
}
