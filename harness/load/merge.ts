/**
 * One load made of several running at once (the kernel dataplane runs one load generator per
 * namespace its in-cluster clients live in): their live counters added, their results merged into
 * the LoadResult one generator would have measured. Every part counts from the same epoch, so
 * per-second and per-100 ms rows line up index by index; HDR histograms add bucket by bucket
 * (the same 3 significant digits; hdr-histogram-js's add keeps the exact extremes).
 */
import { createLatencyHistogram, summarizeLatency, type LatencyHistogram } from '../stats/latency.ts'
import { MAX_ERROR_EVENTS } from './recorder.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/variant-parts.ts'
import type { LoadProgress, LoadResult, LoadSecond, UdpLoadResult } from '../model/measurements.ts'
import type { RunningLoad } from './types.ts'

/** The sum of `hs` (adding keeps the exact largest and smallest values recorded). */
function addHistograms(hs: readonly LatencyHistogram[]): LatencyHistogram {
  const out = createLatencyHistogram()
  for (const h of hs) out.add(h)
  return out
}

/** Counts added key by key. */
function addCounts<K extends string>(rows: readonly Record<K, number>[]): Record<K, number> {
  const out = {} as Record<K, number>
  for (const r of rows) for (const [k, n] of Object.entries(r) as [K, number][]) out[k] = (out[k] ?? 0) + n
  return out
}

/** Rows of equal meaning added index by index (the shorter ones count 0 past their end). */
function addRows(rows: readonly number[][]): number[] {
  const out: number[] = []
  for (const r of rows) r.forEach((n, i) => (out[i] = (out[i] ?? 0) + n))
  return Array.from(out, (x) => x ?? 0)
}

/** A sum over the parts that have the optional field, undefined when none has it. */
function sumOf(parts: readonly LoadResult[], f: (p: LoadResult) => number | undefined): number | undefined {
  const xs = parts.map(f).filter((x): x is number => x !== undefined)
  return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0)
}

/** The fields only some loads carry (the open model's, UDP's), merged where present. */
function openModelParts(parts: readonly LoadResult[]): Partial<LoadResult> {
  const out: Partial<LoadResult> = {}
  const service = parts.map((p) => p.serviceLatency).filter((h): h is LatencyHistogram => h !== undefined)
  if (service.length > 0) out.serviceLatency = addHistograms(service)
  if (parts.some((p) => p.scheduleLag !== undefined)) {
    const lags = parts.map((p) => p.scheduleLag).filter((h): h is LatencyHistogram => h != null)
    out.scheduleLag = lags.length === 0 ? null : addHistograms(lags)
  }
  for (const k of ['scheduled', 'sent', 'dropped'] as const) {
    const x = sumOf(parts, (p) => p[k])
    if (x !== undefined) out[k] = x
  }
  for (const k of ['completedPer100ms', 'droppedPer100ms'] as const) {
    if (parts.some((p) => p[k] !== undefined)) out[k] = addRows(parts.map((p) => p[k] ?? []))
  }
  const udp = parts.map((p) => p.udp).filter((u): u is UdpLoadResult => u !== undefined)
  if (udp.length > 0) out.udp = mergeUdp(udp)
  return out
}

/** UDP answers of several loads: clients are each load's own; flows index one list of pods. */
function mergeUdp(parts: readonly UdpLoadResult[]): UdpLoadResult {
  const podNames = [...new Set(parts.flatMap((u) => u.podNames))]
  return {
    sourcePort: (parts[0] as UdpLoadResult).sourcePort,
    byClient: Object.assign({}, ...parts.map((u) => u.byClient)) as UdpLoadResult['byClient'],
    flows: parts.flatMap((u) => u.flows.map((f) => ({ ...f, pod: f.pod.map((i) => (i < 0 ? i : podNames.indexOf(u.podNames[i] as string))) }))),
    podNames,
  }
}

/** The LoadResult of all `parts` together (at least one). Client addresses are each part's own, so their counts add. */
export function mergeLoadResults(parts: readonly LoadResult[]): LoadResult {
  if (parts.length === 1) return parts[0] as LoadResult
  const seconds = Math.max(0, ...parts.map((p) => p.perSecondHistograms.length))
  const perSecondHistograms = Array.from({ length: seconds }, (_, i) => addHistograms(parts.flatMap((p) => (p.perSecondHistograms[i] === undefined ? [] : [p.perSecondHistograms[i]]))))
  const slots = Math.max(0, ...parts.map((p) => p.errorsPer100ms.length))
  const errorsPer100ms = Array.from({ length: slots }, (_, i) => ERROR_KINDS.map((_k, j) => parts.reduce((a, p) => a + (p.errorsPer100ms[i]?.[j] ?? 0), 0)))
  return {
    elapsedMs: Math.max(...parts.map((p) => p.elapsedMs)),
    responses: parts.reduce((a, p) => a + p.responses, 0),
    ok: parts.reduce((a, p) => a + p.ok, 0),
    statusCounts: addCounts(parts.map((p) => p.statusCounts)),
    errorsByKind: { ...(Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>), ...addCounts(parts.map((p) => p.errorsByKind)) },
    errorsByCode: addCounts(parts.map((p) => p.errorsByCode)),
    latency: addHistograms(parts.map((p) => p.latency)),
    ...openModelParts(parts),
    perSecond: perSecondHistograms.map((h, i) => {
      const rows = parts.flatMap((p) => (p.perSecond[i] === undefined ? [] : [p.perSecond[i]]))
      const sum = (f: (r: LoadSecond) => number | undefined) => rows.reduce((a, r) => a + (f(r) ?? 0), 0)
      const base = { responses: sum((r) => r.responses), ok: sum((r) => r.ok), errors: sum((r) => r.errors), latency: summarizeLatency(h) }
      // The optional per-second counts add where any part has them (the open model's, and completions).
      const extra = Object.fromEntries((['completed', 'scheduled', 'dropped', 'inFlight'] as const).filter((k) => rows.some((r) => r[k] !== undefined)).map((k) => [k, sum((r) => r[k])]))
      return { ...base, ...extra }
    }),
    perSecondHistograms,
    okPer100ms: addRows(parts.map((p) => p.okPer100ms)),
    errorEvents: parts.flatMap((p) => p.errorEvents).sort((a, b) => a.tMs - b.tMs).slice(0, MAX_ERROR_EVENTS),
    errorsPer100ms,
    clientAddressesUsed: parts.reduce((a, p) => a + p.clientAddressesUsed, 0),
    interrupted: parts.some((p) => p.interrupted),
  }
}

/** Live counters of loads running together. */
function addProgress(ps: readonly LoadProgress[]): LoadProgress {
  return {
    responses: ps.reduce((a, p) => a + p.responses, 0),
    errors: ps.reduce((a, p) => a + p.errors, 0),
    measured: { requests: ps.reduce((a, p) => a + p.measured.requests, 0), errors: ps.reduce((a, p) => a + p.measured.errors, 0) },
  }
}

/** `loads` (at least one) as one: progress added, stopped together, their results merged; if one fails, the others are stopped and the failure stands. */
export function combineLoads(loads: readonly RunningLoad[]): RunningLoad {
  if (loads.length === 1) return loads[0] as RunningLoad
  const stop = () => {
    for (const l of loads) l.stop()
  }
  const result = Promise.all(loads.map((l) => l.result.catch((err: unknown) => {
    stop()
    throw err
  }))).then(mergeLoadResults)
  return { progress: () => addProgress(loads.map((l) => l.progress())), stop, result }
}
