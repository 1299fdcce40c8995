/**
 * A node's balancing decisions in the measured phase, in the shape the node proxies report
 * (ProxyStats), from what the kernel kept. Pure.
 *
 * A decision that carried measured traffic is a connection either established at the epoch
 * (keep-alive connections opened in the warm-up carry on into the measured phase, as the proxies
 * count them) or made after it. Per pod, they are the endpoint chains' counters (new connections
 * since the epoch) plus the connections established at the epoch; per client address, and the
 * moves of each client between pods, they come from conntrack (the established entries at the
 * epoch and the NEW events after it), whose events can be lost under load: the warnings say how
 * many the counters saw that conntrack did not report.
 */
import { MAX_MOVES } from '../../proxy/accounting.ts'
import type { ProxyStats } from '../../model/measurements.ts'

/** One connection a node DNATed: when, from which client address and port, to which pod. */
export interface Decision {
  atMs: number
  client: string
  clientPort: number
  pod: string
}

/** What {@link nodeDecisions} works from. */
export interface NodeDecisionInput {
  node: string
  epochMs: number
  /** Connections established at the epoch. */
  established: readonly Decision[]
  /** New connections conntrack reported at or after the epoch. */
  made: readonly Decision[]
  /** The endpoint counters (new connections per pod) at the epoch; undefined when they could not be read. */
  countersAtEpoch: Readonly<Record<string, number>> | undefined
  /** When they were read (Date.now() just before): connections made earlier are not in their difference. @default epochMs */
  countersAtEpochMs?: number
  /** The same now. */
  countersNow: Readonly<Record<string, number>> | undefined
}

/** A node's ProxyStats from the kernel's records, and what the reader must know about them. */
export function nodeDecisions(input: NodeDecisionInput): { stats: ProxyStats; warnings: string[] } {
  const warnings: string[] = []
  // An established connection that conntrack also reported as new after the epoch is one decision.
  const key = (d: Decision) => `${d.client}:${d.clientPort}:${d.pod}`
  const made = new Set(input.made.map(key))
  const carried = [...input.established.filter((d) => !made.has(key(d))).map((d) => ({ ...d, atMs: Math.max(d.atMs, input.epochMs) })), ...input.made].sort((a, b) => a.atMs - b.atMs)

  const countedByPod = (ds: readonly Decision[]) => {
    const out: Record<string, number> = {}
    for (const d of ds) out[d.pod] = (out[d.pod] ?? 0) + 1
    return out
  }
  const readAt = input.countersAtEpochMs ?? input.epochMs
  // What the counters' difference cannot hold: connections established at the epoch, and those made before the counters were read.
  const beforeCounters = [...input.established.filter((d) => !made.has(key(d))), ...input.made.filter((d) => d.atMs < readAt)]
  const afterCounters = input.made.filter((d) => d.atMs >= readAt)
  let newByPod: Record<string, number> = countedByPod(afterCounters)
  const { countersAtEpoch: c0, countersNow: c1 } = input
  if (c0 === undefined || c1 === undefined) {
    warnings.push(`node "${input.node}": its endpoint counters could not be read; its per-pod decisions are conntrack's reports, which may miss connections`)
  } else if (Object.entries(c0).some(([pod, n]) => (c1[pod] ?? 0) < n)) {
    warnings.push(`node "${input.node}": its endpoint counters went back during the measured phase (the rules were rewritten without their counters); its per-pod decisions are conntrack's reports, which may miss connections`)
  } else {
    newByPod = Object.fromEntries(Object.entries(c1).map(([pod, n]) => [pod, n - (c0[pod] ?? 0)]).filter(([, n]) => (n as number) > 0))
    const counted = Object.values(newByPod).reduce((a, b) => a + b, 0)
    const reported = afterCounters.length
    if (reported < counted) {
      warnings.push(`node "${input.node}": conntrack reported ${reported} of the ${counted} new connections its rules counted; per-client counts and pod moves (stickiness) miss the other ${counted - reported}`)
    }
  }

  const byPod: Record<string, number> = { ...newByPod }
  for (const d of beforeCounters) byPod[d.pod] = (byPod[d.pod] ?? 0) + 1
  const decisions = Object.values(byPod).reduce((a, b) => a + b, 0)
  const byClient: ProxyStats['byClient'] = {}
  const clientPods: ProxyStats['clientPods'] = {}
  for (const d of carried) {
    const c = (byClient[d.client] ??= {})
    c[d.pod] = (c[d.pod] ?? 0) + 1
    const moves = (clientPods[d.client] ??= [])
    const last = moves[moves.length - 1]
    if ((last === undefined || last[1] !== d.pod) && moves.length < MAX_MOVES) moves.push([d.atMs, d.pod])
  }
  return {
    stats: { node: input.node, connections: decisions, decisions, byPod, byClient, clientPods, noEndpoint: 0, upstreamConnectErrors: 0, upstreamErrors: 0, requestsByPod: {}, requestsPerSecondByPod: {} },
    warnings,
  }
}
