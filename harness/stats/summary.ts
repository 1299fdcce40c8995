/**
 * One variant's results from what the load generator, the pods and the proxies counted.
 * Distribution figures come from pod-side counts (the truth); latency and errors from the
 * client side.
 */
import type { ResolvedVariant } from '../scenario/resolve.ts'
import type { LoadResult, ErrorKind } from '../load/autocannon.ts'
import type { PodStats } from '../pods/server.ts'
import type { ProxyStats } from '../proxy/accounting.ts'
import { summarizeLatency, type LatencySummary } from './latency.ts'
import { fairness, uniformShares, type FairnessSummary } from './fairness.ts'
import { stickiness, type StickinessSummary } from './stickiness.ts'

/** A pod's part in a variant. */
export interface PodResult {
  name: string
  node: string
  address: string
  /** Requests the pod served in the measured phase (pod-side count). */
  requests: number
  /** Connections the pod accepted in the measured phase. */
  connections: number
  /** Requests the pod answered with 5xx. */
  errors5xx: number
  /** requests / all pods' requests. */
  share: number
  /** Share the configuration predicts. */
  expectedShare: number
}

/** A node's proxy in a variant. */
export interface NodeResult {
  name: string
  address: string
  /** Client connections the node's proxy accepted. */
  connections: number
  /** Balancing decisions it made (connections in L4 mode, requests in L7 mode). */
  decisions: number
}

/** One second of the measured phase. */
export interface TimelinePoint {
  /** Seconds since the measured phase began (bucket start). */
  tSec: number
  /** Responses per second (any status), client side. */
  rps: number
  /** Errors per second (transport errors and HTTP ≥ 400), client side. */
  errors: number
  /** Latency p50 / p99 of the second's responses, ms. */
  p50Ms: number
  p99Ms: number
  /** Requests per second per pod, pod side. */
  byPod: Record<string, number>
}

/** Everything measured for one variant. */
export interface VariantResult {
  name: string
  balancer: string
  balancing: 'connection' | 'request'
  /** Length of the measured phase, seconds. */
  durationSec: number
  interrupted: boolean
  requests: {
    /** Responses of any status plus transport errors. */
    total: number
    /** Responses with status < 400. */
    ok: number
    /** Responses (any status) per second, as autocannon and wrk report. */
    rps: number
    /** ok per second. */
    okRps: number
    /** Requests the pods counted (can exceed responses by those in flight at the end). */
    podSide: number
  }
  errors: {
    total: number
    /** errors.total / requests.total. */
    rate: number
    byKind: Record<ErrorKind, number>
    byCode: Record<string, number>
  }
  latencyMs: LatencySummary
  pods: PodResult[]
  nodes: NodeResult[]
  fairness: FairnessSummary
  stickiness: StickinessSummary
  clientAddresses: {
    /** load.clientIps. */
    configured: number
    /** Distinct source addresses client connections were bound to. */
    used: number
    /** Distinct client addresses the pods saw (X-Forwarded-For in request mode). */
    seenByPods: number
    /** Distinct TCP source addresses the pods saw (node addresses in request mode). */
    tcpSourcesSeenByPods: number
  }
  timeline: TimelinePoint[]
}

/** Inputs of {@link summarizeVariant}. */
export interface VariantMeasurements {
  variant: ResolvedVariant
  topology: { nodes: { name: string; address: string }[]; pods: { name: string; node: string; address: string }[] }
  load: LoadResult
  pods: PodStats[]
  proxies: ProxyStats[]
}

const r3 = (x: number) => Math.round(x * 1000) / 1000
const r6 = (x: number) => Math.round(x * 1e6) / 1e6

/** Build a variant's results. Pure. */
export function summarizeVariant(m: VariantMeasurements): VariantResult {
  const { variant: v, load } = m
  const podStats = new Map(m.pods.map((p) => [p.name, p]))
  const counts = m.topology.pods.map((p) => podStats.get(p.name)?.requests ?? 0)
  const podTotal = counts.reduce((a, b) => a + b, 0)
  const expected = uniformShares(counts.length)
  const httpErrors = Object.entries(load.errorsByCode)
    .filter(([code]) => code.startsWith('HTTP_'))
    .reduce((a, [, n]) => a + n, 0)
  const allErrors = Object.values(load.errorsByKind).reduce((a, b) => a + b, 0)
  const transportErrors = allErrors - httpErrors
  const total = load.responses + transportErrors
  const elapsedSec = Math.max(load.elapsedMs / 1000, 0.001)

  const buckets = Math.max(1, Math.ceil(elapsedSec))
  const timeline: TimelinePoint[] = []
  for (let k = 0; k < buckets; k++) {
    const width = Math.min(1, elapsedSec - k) || 1
    const s = load.perSecond[k]
    const byPod: Record<string, number> = {}
    for (const p of m.topology.pods) byPod[p.name] = r3((podStats.get(p.name)?.perSecond[k] ?? 0) / width)
    timeline.push({
      tSec: k,
      rps: r3((s?.responses ?? 0) / width),
      errors: r3((s?.errors ?? 0) / width),
      p50Ms: s?.latency.p50 ?? 0,
      p99Ms: s?.latency.p99 ?? 0,
      byPod,
    })
  }

  const clientsSeen = new Set<string>()
  const sourcesSeen = new Set<string>()
  for (const p of m.pods) {
    for (const c of Object.keys(p.byClient)) clientsSeen.add(c)
    for (const [s, e] of Object.entries(p.byPeer)) if (e.requests > 0 || e.connections > 0) sourcesSeen.add(s)
  }
  const proxyByNode = new Map(m.proxies.map((p) => [p.node, p]))

  return {
    name: v.name,
    balancer: v.service.balancer,
    balancing: v.service.balancing,
    durationSec: r3(elapsedSec),
    interrupted: load.interrupted,
    requests: {
      total,
      ok: load.ok,
      rps: r3(load.responses / elapsedSec),
      okRps: r3(load.ok / elapsedSec),
      podSide: podTotal,
    },
    errors: {
      total: allErrors,
      rate: total === 0 ? 0 : r6(allErrors / total),
      byKind: { ...load.errorsByKind },
      byCode: { ...load.errorsByCode },
    },
    latencyMs: summarizeLatency(load.latency),
    pods: m.topology.pods.map((p, i) => {
      const s = podStats.get(p.name)
      return {
        name: p.name,
        node: p.node,
        address: p.address,
        requests: s?.requests ?? 0,
        connections: s?.connections ?? 0,
        errors5xx: s?.errors5xx ?? 0,
        share: podTotal === 0 ? 0 : r6((s?.requests ?? 0) / podTotal),
        expectedShare: r6(expected[i] ?? 0),
      }
    }),
    nodes: m.topology.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      connections: proxyByNode.get(n.name)?.connections ?? 0,
      decisions: proxyByNode.get(n.name)?.decisions ?? 0,
    })),
    fairness: roundFairness(fairness(counts, expected)),
    stickiness: { ...stickiness(m.pods.map((p) => p.byClient)), meanPodsPerClient: r3(stickiness(m.pods.map((p) => p.byClient)).meanPodsPerClient) },
    clientAddresses: {
      configured: v.load.clientIps,
      used: load.clientAddressesUsed,
      seenByPods: clientsSeen.size,
      tcpSourcesSeenByPods: sourcesSeen.size,
    },
    timeline,
  }
}

function roundFairness(f: FairnessSummary): FairnessSummary {
  return {
    jain: r6(f.jain),
    cov: r6(f.cov),
    maxOverMean: r6(f.maxOverMean),
    chiSquaredP: f.chiSquaredP < 1e-12 ? 0 : r6(f.chiSquaredP),
    expectedShares: f.expectedShares.map(r6),
  }
}
