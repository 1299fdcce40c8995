/**
 * A UDP Service's figures: per pod the queries it answered (pod-side) and the flows the nodes
 * pinned to it (their decisions), per client the pods whose answers reached it (the answers name
 * their pod). What a fault cost the flows is udp-failover.ts. Pure.
 */
import type { UdpResult } from '../model/udp-results.ts'
import type { VariantMeasurements } from './types.ts'

/** The variant's UDP figures; null for a TCP Service (or a load that recorded none). */
export function udpSummary(m: VariantMeasurements, decisions: readonly number[]): UdpResult | null {
  const u = m.load.udp
  if (m.variant.service.protocol !== 'UDP' || u === undefined) return null
  const stats = new Map(m.pods.map((p) => [p.name, p]))
  const lostByClient = new Map<string, number>()
  for (const f of u.flows) lostByClient.set(f.client, (lostByClient.get(f.client) ?? 0) + f.lost)
  const clients = Object.entries(u.byClient)
    .map(([client, byPod]) => ({ client, pods: Object.keys(byPod).sort(), answered: Object.values(byPod).reduce((a, b) => a + b, 0), lost: lostByClient.get(client) ?? 0 }))
    .sort((a, b) => a.client.localeCompare(b.client, 'en', { numeric: true }))
  return {
    sourcePort: u.sourcePort,
    flows: decisions.reduce((a, b) => a + b, 0),
    pods: m.topology.pods.map((p, i) => {
      const s = stats.get(p.name)
      return { name: p.name, queriesAnswered: Math.max(0, (s?.requests ?? 0) - (s?.dropped ?? 0)), flows: decisions[i] ?? 0 }
    }),
    clients,
    clientsOnOnePod: clients.filter((c) => c.pods.length === 1).length,
  }
}
