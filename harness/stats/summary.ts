/**
 * One variant's results from what the load generator, the pods and the proxies counted.
 * Distribution figures come from pod-side counts (the truth); latency and errors from the
 * client side.
 */
import { summarizeLatency, latencyCurve, createLatencyHistogram, type LatencyHistogram } from './latency.ts'
import { jainIndex, coefficientOfVariation, maxOverMean, chiSquaredP } from './fairness.ts'
import { stickiness } from './stickiness.ts'
import { predictShares, decisionUnit, type PredictPod, type Prediction } from './predict.ts'
import { failoverStats } from './failover.ts'
import { compareAddresses } from '../util/ip.ts'
import type { ResolvedVariant, ResolvedFault, ResolvedPodSpec } from '../model/scenario.ts'
import type { LoadResult, PodStats, ProxyStats, TimedEndpointEvent, LbStats } from '../model/measurements.ts'
import type { CpuSummary, LatencySummary, StickinessSummary, DecisionUnit, FailoverResult } from '../model/results.ts'
import type { TimelineEvent, TimelinePoint, VariantResult } from '../model/results.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/results.ts'

/** chiSquaredP below this rejects the prediction. */
export const PREDICTION_ALPHA = 0.01

/** Inputs of {@link summarizeVariant}. */
export interface VariantMeasurements {
  variant: ResolvedVariant
  topology: { nodes: { name: string; address: string }[]; pods: { name: string; node: string; address: string; port: number; spec: ResolvedPodSpec }[] }
  /** Hash seed the proxies used (Maglev), for the prediction. */
  hashSeed: number
  /** Faults as applied (ms since the epoch). */
  faults?: { fault: ResolvedFault; atMs: number }[]
  /** Endpoints-controller events (ms since the epoch). */
  events?: TimedEndpointEvent[]
  /** Start of the measured phase (Date.now()), to place the proxies' timestamps. */
  epochMs?: number
  /** The front load balancer's counts and health events (Date.now() times), with the epoch. */
  lb?: LbStats & { epochMs: number }
  load: LoadResult
  pods: PodStats[]
  proxies: ProxyStats[]
}

const r3 = (x: number) => Math.round(x * 1000) / 1000
const r6 = (x: number) => Math.round(x * 1e6) / 1e6

/** Latency summary of several seconds' histograms together (missing ones skipped). */
function mergedLatency(hs: (LatencyHistogram | undefined)[]): LatencySummary {
  const h = createLatencyHistogram()
  for (const x of hs) if (x !== undefined) h.add(x)
  return summarizeLatency(h)
}

/** Build a variant's results. Pure. */
export function summarizeVariant(m: VariantMeasurements): VariantResult {
  const { variant: v, load } = m
  const podStats = new Map(m.pods.map((p) => [p.name, p]))
  const counts = m.topology.pods.map((p) => podStats.get(p.name)?.requests ?? 0)
  const podTotal = counts.reduce((a, b) => a + b, 0)
  const httpErrors = Object.entries(load.errorsByCode)
    .filter(([code]) => code.startsWith('HTTP_'))
    .reduce((a, [, n]) => a + n, 0)
  const allErrors = Object.values(load.errorsByKind).reduce((a, b) => a + b, 0)
  const transportErrors = allErrors - httpErrors
  const total = load.responses + transportErrors
  const elapsedSec = Math.max(load.elapsedMs / 1000, 0.001)

  // One entry per second. The phase overruns its duration by a few ms (the last responses come
  // in after the stop); a trailing fragment under half a second joins the last whole second
  // instead of becoming a point whose rate is extrapolated from a few ms.
  const whole = Math.floor(elapsedSec)
  const buckets = whole >= 1 && elapsedSec - whole < 0.5 ? whole : Math.max(1, Math.ceil(elapsedSec))
  // Exact per-second error counts by kind, from the 100 ms slots.
  const errorsBySecond = new Map<number, number[]>()
  ;(load.errorsPer100ms ?? []).forEach((row, slot) => {
    const k = Math.min(buckets - 1, Math.floor(slot / 10))
    const acc = errorsBySecond.get(k) ?? ERROR_KINDS.map(() => 0)
    row.forEach((n, i) => (acc[i] = (acc[i] ?? 0) + n))
    errorsBySecond.set(k, acc)
  })
  const timeline: TimelinePoint[] = []
  for (let k = 0; k < buckets; k++) {
    const last = k === buckets - 1
    const width = last ? Math.max(0.001, elapsedSec - k) : 1
    // The seconds this bucket covers: itself, and for the last one every later fragment.
    const secs = last ? Array.from({ length: Math.max(1, load.perSecond.length - k) }, (_, j) => k + j) : [k]
    const sum = (f: (i: number) => number) => secs.reduce((a, i) => a + f(i), 0)
    const byPod: Record<string, number> = {}
    for (const p of m.topology.pods) {
      const per = podStats.get(p.name)?.perSecond ?? []
      // Pod-side seconds beyond the phase (requests finishing after the stop) belong to the last one.
      byPod[p.name] = r3((last ? per.slice(k).reduce((a, b) => a + (b ?? 0), 0) : (per[k] ?? 0)) / width)
    }
    const kinds = Object.fromEntries(ERROR_KINDS.map((x) => [x, 0])) as Record<ErrorKind, number>
    ;(errorsBySecond.get(k) ?? []).forEach((n, i) => (kinds[ERROR_KINDS[i] as ErrorKind] = r3(n / width)))
    const lat = secs.length === 1 ? load.perSecond[k]?.latency : mergedLatency(secs.map((i) => load.perSecondHistograms[i]))
    timeline.push({
      tSec: k,
      errorsByKind: kinds,
      rps: r3(sum((i) => load.perSecond[i]?.responses ?? 0) / width),
      errors: r3(sum((i) => load.perSecond[i]?.errors ?? 0) / width),
      p50Ms: lat?.p50 ?? 0,
      p99Ms: lat?.p99 ?? 0,
      byPod,
    })
  }

  const nodeAddressSet = new Set(m.topology.nodes.map((n) => n.address))
  const clientsSeen = new Set<string>()
  const sourcesSeen = new Set<string>()
  for (const p of m.pods) {
    for (const c of Object.keys(p.byClient)) if (!nodeAddressSet.has(c)) clientsSeen.add(c)
    for (const [s, e] of Object.entries(p.byPeer)) if (e.requests > 0 || e.connections > 0) sourcesSeen.add(s)
  }
  const clientsAtProxies = new Set(m.proxies.flatMap((px) => Object.keys(px.byClient)))
  const proxyByNode = new Map(m.proxies.map((p) => [p.node, p]))
  let clientAddressesSeen = 0
  let nodeAddressesSeen = 0
  for (const s of sourcesSeen) {
    if (nodeAddressSet.has(s)) nodeAddressesSeen++
    else clientAddressesSeen++
  }

  // Balancing decisions, as the proxies made them, and the prediction for them.
  const fairnessInput = { algorithm: v.service.algorithm, flags: flagsOf(v), balancing: v.service.balancing, sessionAffinity: v.service.sessionAffinity === 'ClientIP' }
  const podIndex = new Map(m.topology.pods.map((p, i) => [p.name, i]))
  const decisions = m.topology.pods.map(() => 0)
  const unitIsClients = decisionUnit(fairnessInput) === 'clients'
  for (const px of m.proxies) {
    if (unitIsClients) {
      for (const perPod of Object.values(px.byClient)) {
        for (const [pod, n] of Object.entries(perPod)) {
          const i = podIndex.get(pod)
          if (n > 0 && i !== undefined) decisions[i] = (decisions[i] ?? 0) + 1
        }
      }
    } else {
      for (const [pod, n] of Object.entries(px.byPod)) {
        const i = podIndex.get(pod)
        if (i !== undefined) decisions[i] = (decisions[i] ?? 0) + n
      }
    }
  }
  const prediction: Prediction = predictShares({
    ...fairnessInput,
    hashSeed: m.hashSeed,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    pods: m.topology.pods.map((p): PredictPod => ({
      name: p.name,
      address: p.address,
      port: p.port,
      node: p.node,
      weight: p.spec.weight,
      behaviourKey: JSON.stringify([p.spec.latency, p.spec.responseBytes, p.spec.errorRate]),
    })),
    nodes: m.topology.nodes.map((n) => {
      const px = proxyByNode.get(n.name)
      return { name: n.name, address: n.address, decisions: px?.decisions ?? 0, clients: Object.keys(px?.byClient ?? {}) }
    }),
  })
  // A prediction assumes one endpoint set for the whole run; endpoint updates (faults) void it.
  const updates = (m.events ?? []).filter((e) => e.type === 'published').length
  const faults = (m.faults ?? []).length
  if (updates > 0 || faults > 0) {
    prediction.expectedShares = null
    prediction.expectedCounts = null
    prediction.basis =
      faults > 0
        ? `no static prediction: ${faults} fault${faults === 1 ? '' : 's'} changed who could take traffic during the run`
        : `no static prediction: the endpoint set changed ${updates} time${updates === 1 ? '' : 's'} during the run`
  }
  const p = prediction.expectedShares === null ? null : chiSquaredP(decisions, prediction.expectedShares)

  return {
    name: v.name,
    balancer: v.service.algorithm,
    alias: v.service.balancer,
    proxyMode: v.service.proxyMode,
    ipvsScheduler: v.service.ipvsScheduler,
    ipvsFlags: [...v.service.ipvsFlags],
    sessionAffinity: v.service.sessionAffinity,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    balancing: v.service.balancing,
    durationSec: r3(elapsedSec),
    countedBy: v.cluster.command === null ? 'pods' : 'proxies',
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
    latencyMs: { ...summarizeLatency(load.latency), curve: latencyCurve(load.latency) },
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
        expectedShare: prediction.expectedShares === null ? null : r6(prediction.expectedShares[i] ?? 0),
        decisions: decisions[i] ?? 0,
        weight: p.spec.weight,
      }
    }),
    nodes: m.topology.nodes.map((n) => ({
      name: n.name,
      address: n.address,
      connections: proxyByNode.get(n.name)?.connections ?? 0,
      decisions: proxyByNode.get(n.name)?.decisions ?? 0,
      relay: proxyByNode.get(n.name)?.relay ?? null,
    })),
    fairness: {
      jain: r6(jainIndex(counts)),
      cov: r6(coefficientOfVariation(counts)),
      maxOverMean: r6(maxOverMean(counts)),
      unit: prediction.unit,
      decisions,
      expectedShares: prediction.expectedShares === null ? null : prediction.expectedShares.map(r6),
      chiSquaredP: p === null ? null : p < 1e-12 ? 0 : r6(p),
      fitsPrediction: p === null ? null : p >= PREDICTION_ALPHA,
      basis: prediction.basis,
    },
    stickiness: { ...roundStickiness(stickiness(proxyClientsByPod(m.proxies))), matrix: clientPodMatrix(m.proxies) },
    clientAddresses: {
      configured: v.load.clientIps,
      used: load.clientAddressesUsed,
      seenByPods: clientsSeen.size,
      seenByProxies: clientsAtProxies.size,
      tcpSourcesSeenByPods: sourcesSeen.size,
    },
    sourceAddresses: { clientAddressesSeen, nodeAddressesSeen },
    timeline,
    events: timelineEvents(m),
    failover: (m.faults ?? []).map((f, k, all) =>
      failoverStats({
        fault: f.fault,
        appliedAtMs: f.atMs,
        nextFaultAtMs: all[k + 1]?.atMs ?? null,
        elapsedMs: load.elapsedMs,
        events: m.events ?? [],
        errors: load.errorEvents,
        errorsPer100ms: load.errorsPer100ms,
        okPer100ms: load.okPer100ms,
        perSecondHistograms: load.perSecondHistograms,
        probe: v.cluster.readinessProbe,
        propagationMs: v.cluster.endpointPropagationMs,
        nodeMonitorGracePeriodSeconds: v.cluster.nodeMonitorGracePeriodSeconds,
        clientPods: unitIsClients ? mergeClientPods(m.proxies, m.epochMs ?? 0) : undefined,
        lb:
          m.lb === undefined || v.service.loadBalancer === null
            ? undefined
            : { healthCheck: v.service.loadBalancer.healthCheck, events: m.lb.events.map((e) => ({ node: e.node, healthy: e.healthy, tMs: e.atMs - m.lb!.epochMs })) },
      }),
    ),
    loadBalancer:
      m.lb === undefined || v.service.loadBalancer === null
        ? null
        : {
            preset: v.service.loadBalancer.preset,
            algorithm: v.service.loadBalancer.algorithm,
            preserveClientIp: v.service.loadBalancer.preserveClientIp,
            allUnhealthy: v.service.loadBalancer.allUnhealthy,
            tls: v.service.loadBalancer.tls,
            healthCheck: { ...v.service.loadBalancer.healthCheck },
            byNode: Object.fromEntries(m.topology.nodes.map((n) => [n.name, m.lb!.byNode[n.name] ?? 0])),
            refused: m.lb.refused,
            events: m.lb.events.map((e) => ({ tSec: r3((e.atMs - m.lb!.epochMs) / 1000), node: e.node, healthy: e.healthy })),
            relay: m.lb.relay,
          },
    cpu: null,
    calibration: null,
    normalized: null,
    trials: [],
    warnings: [],
  }
}

/** Most client addresses in `stickiness.matrix`. */
export const MAX_MATRIX_CLIENTS = 64

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
function mergeClientPods(proxies: ProxyStats[], epochMs: number): Record<string, [number, string][]> {
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

function timelineEvents(m: VariantMeasurements): TimelineEvent[] {
  const out: TimelineEvent[] = []
  for (const f of m.faults ?? []) out.push({ tSec: r3(f.atMs / 1000), type: 'fault', detail: `${f.fault.action} ${f.fault.pods.join(',')}` })
  for (const e of m.events ?? []) {
    if (e.type === 'published') {
      const term = e.terminating ?? []
      out.push({ tSec: r3(e.tMs / 1000), type: 'endpoints-updated', detail: `ready: ${e.ready.join(',')}${term.length > 0 ? `; terminating: ${term.join(',')}` : ''}` })
    }
    else out.push({ tSec: r3(e.tMs / 1000), type: e.type, detail: e.pod })
  }
  for (const e of m.lb?.events ?? []) {
    out.push({ tSec: r3((e.atMs - m.lb!.epochMs) / 1000), type: e.healthy ? 'lb-healthy' : 'lb-unhealthy', detail: e.node })
  }
  return out.sort((a, b) => a.tSec - b.tSec)
}

function flagsOf(v: ResolvedVariant) {
  return { hashPort: v.service.ipvsFlags.some((f) => f.endsWith('-port')), fallback: v.service.ipvsFlags.some((f) => f.endsWith('-fallback')) }
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

function roundStickiness(s: StickinessSummary): StickinessSummary {
  return { ...s, meanPodsPerClient: r3(s.meanPodsPerClient) }
}
