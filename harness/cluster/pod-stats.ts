/** A pod's counts over its incarnations, and a command pod's counts from what the node proxies sent it. */
import { emptyPodStats } from '../pods/server.ts'
import type { PodStats, ProxyStats } from '../model/measurements.ts'

/** Sum of a pod's counts over its incarnations. */
export function mergePodStats(name: string, parts: PodStats[]): PodStats {
  const out = emptyPodStats(name)
  for (const s of parts) {
    out.requests += s.requests
    out.errors5xx += s.errors5xx
    out.connections += s.connections
    for (const [k, e] of Object.entries(s.byPeer)) {
      const cur = (out.byPeer[k] ??= { requests: 0, connections: 0 })
      cur.requests += e.requests
      cur.connections += e.connections
    }
    for (const [k, n] of Object.entries(s.byClient)) out.byClient[k] = (out.byClient[k] ?? 0) + n
    s.perSecond.forEach((n, i) => (out.perSecond[i] = (out.perSecond[i] ?? 0) + n))
  }
  out.perSecond = Array.from(out.perSecond, (x) => x ?? 0)
  return out
}

/**
 * What a command pod counted, from the node proxies (which chose the pod for every connection
 * or request): requests and their seconds; connections in L4 mode. Source addresses and 5xx stay
 * unknown (the client's results have the errors).
 */
export function podStatsFromProxies(pod: string, proxies: readonly ProxyStats[], balancing: 'connection' | 'request'): PodStats {
  return mergePodStats(
    pod,
    proxies.map((px) => ({
      ...emptyPodStats(pod),
      requests: px.requestsByPod?.[pod] ?? 0,
      connections: balancing === 'connection' ? (px.byPod[pod] ?? 0) : 0,
      perSecond: px.requestsPerSecondByPod?.[pod] ?? [],
    })),
  )
}
