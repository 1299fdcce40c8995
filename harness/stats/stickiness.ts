/**
 * Stickiness: how many pods each client address reached. Pure.
 * Input: per pod, balancing decisions per client address, as the node proxies made them
 * (connections in L4 mode, requests in L7 mode).
 */
import type { StickinessSummary } from '../model/summaries.ts'

/** Stickiness from `byPod[pod][client] = decisions`. */
export function stickiness(byPod: readonly Readonly<Record<string, number>>[]): StickinessSummary {
  const pods = new Map<string, number>()
  for (const clients of byPod) {
    for (const [client, n] of Object.entries(clients)) {
      if (n > 0) pods.set(client, (pods.get(client) ?? 0) + 1)
    }
  }
  const counts = [...pods.values()]
  const clients = counts.length
  return {
    clients,
    clientsOnOnePod: counts.filter((c) => c === 1).length,
    meanPodsPerClient: clients === 0 ? 0 : counts.reduce((a, b) => a + b, 0) / clients,
    maxPodsPerClient: clients === 0 ? 0 : Math.max(...counts),
  }
}
