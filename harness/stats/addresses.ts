/**
 * Who talked to whom: the client and TCP source addresses the pods and proxies saw, the
 * (client, pod) stickiness the proxies' decisions show, and each client's pod changes over time
 * (for the clients a fault moved). Pure.
 */
import { stickiness } from './stickiness.ts'
import { round3 } from './round.ts'
import { compareAddresses } from '../util/ip.ts'
import type { ProxyStats } from '../model/measurements.ts'
import type { VariantResult } from '../model/results.ts'
import type { VariantMeasurements } from './types.ts'

/** Most client addresses in `stickiness.matrix`. */
export const MAX_MATRIX_CLIENTS = 64

/**
 * Client addresses configured, bound by the load generator and seen by pods and proxies; TCP
 * sources at the pods split into client and node addresses (SNAT shows as node addresses).
 */
export function addressesSeen(m: Pick<VariantMeasurements, 'variant' | 'load' | 'topology' | 'pods' | 'proxies'>): Pick<VariantResult, 'clientAddresses' | 'sourceAddresses'> {
  const nodeAddressSet = new Set(m.topology.nodes.map((n) => n.address))
  const clientsSeen = new Set<string>()
  const sourcesSeen = new Set<string>()
  for (const p of m.pods) {
    for (const c of Object.keys(p.byClient)) if (!nodeAddressSet.has(c)) clientsSeen.add(c)
    for (const [s, e] of Object.entries(p.byPeer)) if (e.requests > 0 || e.connections > 0) sourcesSeen.add(s)
  }
  const clientsAtProxies = new Set(m.proxies.flatMap((px) => Object.keys(px.byClient)))
  let clientAddressesSeen = 0
  let nodeAddressesSeen = 0
  for (const s of sourcesSeen) {
    if (nodeAddressSet.has(s)) nodeAddressesSeen++
    else clientAddressesSeen++
  }
  return {
    clientAddresses: {
      configured: m.variant.load.clientIps,
      used: m.load.clientAddressesUsed,
      seenByPods: clientsSeen.size,
      seenByProxies: clientsAtProxies.size,
      tcpSourcesSeenByPods: sourcesSeen.size,
    },
    sourceAddresses: { clientAddressesSeen, nodeAddressesSeen },
  }
}

/** Stickiness of the proxies' decisions (mean rounded to 3 decimals) with the (client, pod) matrix. */
export function stickinessSummary(proxies: ProxyStats[]): VariantResult['stickiness'] {
  const s = stickiness(proxyClientsByPod(proxies))
  return { ...s, meanPodsPerClient: round3(s.meanPodsPerClient), matrix: clientPodMatrix(proxies) }
}

/** Per pod: decisions per client address, from every node's proxy. */
function proxyClientsByPod(proxies: ProxyStats[]): Record<string, number>[] {
  const byPod = new Map<string, Record<string, number>>()
  for (const px of proxies) {
    for (const [client, perPod] of Object.entries(px.byClient)) {
      for (const [pod, n] of Object.entries(perPod)) {
        const m = byPod.get(pod) ?? {}
        m[client] = (m[client] ?? 0) + n
        byPod.set(pod, m)
      }
    }
  }
  return [...byPod.values()]
}

/** Decisions per (client, pod) over all nodes, for the first clients in address order. */
function clientPodMatrix(proxies: ProxyStats[]): { client: string; pod: string; decisions: number }[] {
  const cells = new Map<string, Map<string, number>>()
  for (const px of proxies) {
    for (const [client, perPod] of Object.entries(px.byClient)) {
      const row = cells.get(client) ?? new Map<string, number>()
      for (const [pod, n] of Object.entries(perPod)) row.set(pod, (row.get(pod) ?? 0) + n)
      cells.set(client, row)
    }
  }
  const clients = [...cells.keys()].sort(compareAddresses).slice(0, MAX_MATRIX_CLIENTS)
  return clients.flatMap((c) => [...(cells.get(c) ?? new Map<string, number>()).entries()].map(([pod, decisions]) => ({ client: c, pod, decisions })))
}

/** Every client's pod changes across all node proxies, ms since the epoch, in time order. */
export function mergeClientPods(proxies: ProxyStats[], epochMs: number): Record<string, [number, string][]> {
  const out: Record<string, [number, string][]> = {}
  for (const px of proxies) {
    for (const [client, moves] of Object.entries(px.clientPods ?? {})) {
      const list = (out[client] ??= [])
      for (const [t, pod] of moves) list.push([t - epochMs, pod])
    }
  }
  for (const list of Object.values(out)) list.sort((a, b) => a[0] - b[0])
  return out
}
