/**
 * One variant's results from what the load generator, the pods and the proxies counted.
 * Distribution figures come from pod-side counts (the truth); latency and errors from the
 * client side. This file composes the parts: timeline.ts (per-second points and events),
 * decisions.ts (decisions per pod, the prediction, χ², fairness), addresses.ts (addresses seen,
 * stickiness, client moves), lb.ts (the front load balancer) and failover.ts (what each fault cost).
 */
import { failedFaultWarnings } from '../faults/driver.ts'
import { summarizeLatency, latencyCurve } from './latency.ts'
import { failoverStats } from './failover.ts'
import { summarizeCpu } from './cpu.ts'
import { round3, round4, round6 } from './round.ts'
import { measuredSeconds, timelineEvents, timelinePoints } from './timeline.ts'
import { balancingDecisions, fairnessSummary, type BalancingDecisions } from './decisions.ts'
import { addressesSeen, mergeClientPods, stickinessSummary } from './addresses.ts'
import { lbHealth, loadBalancerSummary } from './lb.ts'
import { loadHonestyWarnings, loadSummary } from './load-summary.ts'
import { udpSummary } from './udp.ts'
import { udpFailover } from './udp-failover.ts'
import { clientsSummary, sameNodeShares } from './clients.ts'
import type { LoadResult, PodStats } from '../model/measurements.ts'
import type { VariantResult } from '../model/results.ts'
import type { LatencySummary } from '../model/summaries.ts'
import type { VariantMeasurements } from './types.ts'
import type { FailoverResult } from '../model/variant-parts.ts'

/** Build a variant's results. Pure. */
export function summarizeVariant(m: VariantMeasurements): VariantResult {
  const { variant: v, load } = m
  const podStats = new Map(m.pods.map((p) => [p.name, p]))
  const counts = m.topology.pods.map((p) => podStats.get(p.name)?.requests ?? 0)
  const podTotal = counts.reduce((a, b) => a + b, 0)
  const { total, allErrors } = requestTotals(load)
  const elapsedSec = measuredSeconds(load)
  const split = balancingDecisions(m)
  const rps = round3(load.responses / elapsedSec)
  const latency = summarizeLatency(load.latency)
  const cpu = m.cpu ?? null
  const calibration = m.calibration ?? null
  const failover = faultCosts(m, split.unitIsClients)

  return {
    name: v.name,
    balancer: v.service.algorithm,
    alias: v.service.balancer,
    dataplane: v.service.dataplane,
    proxyMode: v.service.proxyMode,
    ipvsScheduler: v.service.ipvsScheduler,
    ipvsFlags: [...v.service.ipvsFlags],
    sessionAffinity: v.service.sessionAffinity,
    externalTrafficPolicy: v.service.externalTrafficPolicy,
    serviceType: v.service.type,
    internalTrafficPolicy: v.service.internalTrafficPolicy,
    balancing: v.service.balancing,
    durationSec: round3(elapsedSec),
    countedBy: v.cluster.command === null ? 'pods' : 'proxies',
    interrupted: load.interrupted,
    load: loadSummary(v, load),
    requests: {
      total,
      ok: load.ok,
      rps,
      okRps: round3(load.ok / elapsedSec),
      podSide: podTotal,
      scheduled: load.scheduled ?? total,
      sent: load.sent ?? load.scheduled ?? total,
      dropped: load.dropped ?? 0,
    },
    errors: {
      total: allErrors,
      rate: total === 0 ? 0 : round6(allErrors / total),
      byKind: { ...load.errorsByKind },
      byCode: { ...load.errorsByCode },
    },
    latencyMs: { ...latency, curve: latencyCurve(load.latency) },
    serviceLatencyMs: summarizeLatency(load.serviceLatency ?? load.latency),
    pods: podRows(m, podStats, podTotal, split),
    nodes: nodeRows(m),
    fairness: fairnessSummary(counts, split),
    stickiness: stickinessSummary(m.proxies),
    ...addressesSeen(m),
    clients: clientsSummary(m),
    timeline: timelinePoints(m),
    events: timelineEvents(m),
    failover,
    loadBalancer: loadBalancerSummary(m),
    ...(v.service.protocol === 'UDP' ? { udp: udpSummary(m, split.decisions) } : {}),
    cpu: cpu === null ? null : summarizeCpu(cpu.usage, cpu.cores),
    calibration,
    normalized: normalizedTo(calibration, rps, latency),
    trials: [],
    warnings: [...(m.warnings ?? []), ...failedFaultWarnings(failover), ...loadHonestyWarnings(v, load, failover)],
  }
}

/** Requests (responses plus transport errors) and errors of every kind, client side. */
function requestTotals(load: LoadResult): { total: number; allErrors: number } {
  const httpErrors = Object.entries(load.errorsByCode)
    .filter(([code]) => code.startsWith('HTTP_'))
    .reduce((a, [, n]) => a + n, 0)
  const allErrors = Object.values(load.errorsByKind).reduce((a, b) => a + b, 0)
  return { total: load.responses + allErrors - httpErrors, allErrors }
}

/** Per pod: pod-side counts and share, the predicted share and the proxies' decisions. */
function podRows(m: VariantMeasurements, podStats: Map<string, PodStats>, podTotal: number, split: BalancingDecisions): VariantResult['pods'] {
  const expected = split.prediction.expectedShares
  const sameNode = sameNodeShares(m)
  return m.topology.pods.map((p, i) => {
    const s = podStats.get(p.name)
    return {
      name: p.name,
      node: p.node,
      address: p.address,
      requests: s?.requests ?? 0,
      connections: s?.connections ?? 0,
      errors5xx: s?.errors5xx ?? 0,
      share: podTotal === 0 ? 0 : round6((s?.requests ?? 0) / podTotal),
      expectedShare: expected === null ? null : round6(expected[i] ?? 0),
      decisions: split.decisions[i] ?? 0,
      weight: p.spec.weight,
      sameNodeShare: sameNode[i] ?? null,
    }
  })
}

/** Per node: connections and decisions its proxy counted. */
function nodeRows(m: VariantMeasurements): VariantResult['nodes'] {
  const proxyByNode = new Map(m.proxies.map((p) => [p.node, p]))
  const clientsOn = (node: string) => (m.topology.clients ?? []).filter((c) => c.node === node).length
  return m.topology.nodes.map((n) => ({
    name: n.name,
    address: n.address,
    connections: proxyByNode.get(n.name)?.connections ?? 0,
    decisions: proxyByNode.get(n.name)?.decisions ?? 0,
    relay: proxyByNode.get(n.name)?.relay ?? null,
    ipvsRealServers: proxyByNode.get(n.name)?.realServers ?? null,
    clientPods: clientsOn(n.name),
    byPod: Object.fromEntries(Object.entries(proxyByNode.get(n.name)?.byPod ?? {}).filter(([, k]) => k > 0)),
  }))
}

/** What each fault cost; its error window ends at the next fault. */
function faultCosts(m: VariantMeasurements, unitIsClients: boolean): FailoverResult[] {
  const { variant: v, load } = m
  return (m.faults ?? []).map((f, k, all) =>
    failoverStats({
      fault: f.fault,
      appliedAtMs: f.atMs,
      failed: f.failed ?? null,
      nextFaultAtMs: all[k + 1]?.atMs ?? null,
      elapsedMs: load.elapsedMs,
      events: m.events ?? [],
      errors: load.errorEvents,
      errorsPer100ms: load.errorsPer100ms,
      okPer100ms: load.okPer100ms,
      model: v.load.model,
      droppedPer100ms: load.droppedPer100ms,
      completedPer100ms: load.completedPer100ms,
      perSecondHistograms: load.perSecondHistograms,
      probe: v.cluster.readinessProbe,
      propagationMs: v.cluster.endpointPropagationMs,
      nodeMonitorGracePeriodSeconds: v.cluster.nodeMonitorGracePeriodSeconds,
      clientPods: unitIsClients ? mergeClientPods(m.proxies, m.epochMs ?? 0) : undefined,
      lb: lbHealth(m),
    }),
  ).map((r, k) => (v.service.protocol !== 'UDP' ? r : { ...r, udp: udpFailover(load.udp, r.pods, (m.faults ?? [])[k]!.atMs, (m.faults ?? [])[k + 1]?.atMs ?? load.elapsedMs) }))
}

/** requests.rps and latency p50/p99 as ratios to the calibration path; null without a usable one. */
function normalizedTo(calibration: VariantResult['calibration'], rps: number, latency: LatencySummary): VariantResult['normalized'] {
  if (calibration === null || !(calibration.rps > 0 && calibration.p50 > 0 && calibration.p99 > 0)) return null
  return { rps: round4(rps / calibration.rps), p50: round4(latency.p50 / calibration.p50), p99: round4(latency.p99 / calibration.p99) }
}
