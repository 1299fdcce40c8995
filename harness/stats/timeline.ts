/**
 * A variant's timeline: one point per second of the measured phase (client-side rates, errors by
 * kind and latency; pod-side requests per pod), and the events placed on it (faults, endpoint
 * changes, load-balancer health). Pure.
 */
import { summarizeLatency, createLatencyHistogram, type LatencyHistogram } from './latency.ts'
import { round3 } from './round.ts'
import type { LoadResult } from '../model/measurements.ts'
import type { LatencySummary } from '../model/summaries.ts'
import type { VariantMeasurements } from './types.ts'
import type { TimelineEvent, TimelinePoint } from '../model/variant-parts.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/variant-parts.ts'

/** The measured phase's length in seconds (at least 1 ms, so rates stay finite). */
export function measuredSeconds(load: LoadResult): number {
  return Math.max(load.elapsedMs / 1000, 0.001)
}

/**
 * How many points the timeline has. The phase overruns its duration by a few ms (the last
 * responses come in after the stop); a trailing fragment under half a second joins the last whole
 * second instead of becoming a point whose rate is extrapolated from a few ms.
 */
function timelineBuckets(elapsedSec: number): number {
  const whole = Math.floor(elapsedSec)
  return whole >= 1 && elapsedSec - whole < 0.5 ? whole : Math.max(1, Math.ceil(elapsedSec))
}

/** Exact error counts by kind (ERROR_KINDS order) per timeline point, from the 100 ms slots. */
function errorsBySecond(errorsPer100ms: readonly number[][] | undefined, buckets: number): Map<number, number[]> {
  const out = new Map<number, number[]>()
  ;(errorsPer100ms ?? []).forEach((row, slot) => {
    const k = Math.min(buckets - 1, Math.floor(slot / 10))
    const acc = out.get(k) ?? ERROR_KINDS.map(() => 0)
    row.forEach((n, i) => (acc[i] = (acc[i] ?? 0) + n))
    out.set(k, acc)
  })
  return out
}

/** Latency summary of several seconds' histograms together (missing ones skipped). */
function mergedLatency(hs: (LatencyHistogram | undefined)[]): LatencySummary {
  const h = createLatencyHistogram()
  for (const x of hs) if (x !== undefined) h.add(x)
  return summarizeLatency(h)
}

/** One point per second of the measured phase; the last one also covers any later fragment. */
export function timelinePoints(m: Pick<VariantMeasurements, 'load' | 'pods' | 'topology'>): TimelinePoint[] {
  const { load } = m
  const podStats = new Map(m.pods.map((p) => [p.name, p]))
  const elapsedSec = measuredSeconds(load)
  const buckets = timelineBuckets(elapsedSec)
  const errors = errorsBySecond(load.errorsPer100ms, buckets)
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
      byPod[p.name] = round3((last ? per.slice(k).reduce((a, b) => a + (b ?? 0), 0) : (per[k] ?? 0)) / width)
    }
    const kinds = Object.fromEntries(ERROR_KINDS.map((x) => [x, 0])) as Record<ErrorKind, number>
    ;(errors.get(k) ?? []).forEach((n, i) => (kinds[ERROR_KINDS[i] as ErrorKind] = round3(n / width)))
    const lat = secs.length === 1 ? load.perSecond[k]?.latency : mergedLatency(secs.map((i) => load.perSecondHistograms[i]))
    const rate = (f: (sec: LoadResult['perSecond'][number]) => number) => round3(sum((i) => { const sec = load.perSecond[i]; return sec === undefined ? 0 : f(sec) }) / width)
    const open = load.scheduleLag != null
    const lastSec = load.perSecond[secs[secs.length - 1] as number]
    timeline.push({
      tSec: k,
      errorsByKind: kinds,
      rps: round3(sum((i) => load.perSecond[i]?.responses ?? 0) / width),
      errors: round3(sum((i) => load.perSecond[i]?.errors ?? 0) / width),
      p50Ms: lat?.p50 ?? 0,
      p99Ms: lat?.p99 ?? 0,
      byPod,
      completed: rate((x) => x.completed ?? x.responses),
      ...(open ? { scheduled: rate((x) => x.scheduled ?? 0), dropped: rate((x) => x.dropped ?? 0), inFlight: lastSec?.inFlight ?? 0 } : {}),
    })
  }
  return timeline
}

/** An `endpoints-updated` event's detail: the ready pods, and the serving-but-terminating ones when there are any. */
export function endpointsDetail(ready: readonly string[], terminating: readonly string[]): string {
  return `ready: ${ready.join(',')}${terminating.length > 0 ? `; terminating: ${terminating.join(',')}` : ''}`
}

/** Whether `e` is an endpoint update that left the Service no endpoint at all (none ready, none terminating): kube-proxy REJECTs from then on. */
export function leavesNoEndpoints(e: Pick<TimelineEvent, 'type' | 'detail'>): boolean {
  return e.type === 'endpoints-updated' && e.detail === endpointsDetail([], [])
}

/** Faults, endpoint changes and load-balancer health transitions, in time order. */
export function timelineEvents(m: Pick<VariantMeasurements, 'faults' | 'events' | 'lb'>): TimelineEvent[] {
  const out: TimelineEvent[] = []
  for (const f of m.faults ?? []) out.push({ tSec: round3(f.atMs / 1000), type: 'fault', detail: `${f.fault.action} ${f.fault.pods.join(',')}` })
  for (const e of m.events ?? []) {
    if (e.type === 'published') {
      out.push({ tSec: round3(e.tMs / 1000), type: 'endpoints-updated', detail: endpointsDetail(e.ready, e.terminating ?? []) })
    } else out.push({ tSec: round3(e.tMs / 1000), type: e.type, detail: e.pod })
  }
  for (const e of m.lb?.events ?? []) {
    out.push({ tSec: round3((e.atMs - m.lb!.epochMs) / 1000), type: e.healthy ? 'lb-healthy' : 'lb-unhealthy', detail: e.node })
  }
  return out.sort((a, b) => a.tSec - b.tSec)
}
