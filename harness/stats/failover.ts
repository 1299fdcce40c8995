/**
 * What a fault cost, from timestamps: when it happened, when the endpoints controller took the pod
 * out (or back), the errors it caused, the throughput dip and when throughput recovered, and
 * latency before, during and after. Pure: every time is ms since the start of the measured phase.
 */
import { createLatencyHistogram, summarizeLatency, type LatencyHistogram } from './latency.ts'
import type { LoadModel, ResolvedFault, ResolvedProbe } from '../model/scenario.ts'
import type { TimedEndpointEvent } from '../model/measurements.ts'
import { FAULTS } from '../faults/registry.ts'
import type { FailoverResult } from '../model/variant-parts.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/variant-parts.ts'

/** Inputs of {@link failoverStats}. */
export interface FailoverInput {
  fault: ResolvedFault
  /** When the fault was applied. */
  appliedAtMs: number
  /** When the next fault was applied (ends this fault's error window), or null. */
  nextFaultAtMs: number | null
  elapsedMs: number
  /** Why the fault could not be carried out, from the fault driver; null when it was. @default null */
  failed?: string | null
  events: TimedEndpointEvent[]
  /** Error events (possibly only the first ones of a long run). */
  errors: { tMs: number; kind: ErrorKind }[]
  /** Exact error counts per 100 ms, in ERROR_KINDS order; when given, counts come from here. */
  errorsPer100ms?: number[][]
  /** Successful responses per 100 ms (goodput: 5xx answers and transport errors do not count). */
  okPer100ms: number[]
  /** The load model: under `open` every count is by intended start and drops are lost requests; under `closed` blocked clients are looked for. @default 'closed' */
  model?: LoadModel
  /** Open model: drops per 100 ms, by intended start. @default [] */
  droppedPer100ms?: number[]
  /** Requests that ended per 100 ms, by the time they ended (clientsBlocked); without it clientsBlocked is null. */
  completedPer100ms?: number[]
  perSecondHistograms: LatencyHistogram[]
  probe: ResolvedProbe
  propagationMs: number
  /** Seconds before a dead node's pods are marked not ready (kill-node without a load balancer). */
  nodeMonitorGracePeriodSeconds?: number
  /**
   * For hashing balancers and ClientIP affinity: each client's pod changes as [ms since the epoch,
   * pod], all nodes merged and sorted; enables clientsRemapped.
   */
  clientPods?: Record<string, [number, string][]>
  /** The front load balancer's health checks and transitions (ms since the epoch), if any. */
  lb?: {
    healthCheck: { intervalSeconds: number; timeoutSeconds: number; unhealthyThreshold: number }
    events: { node: string; healthy: boolean; tMs: number }[]
    /** False when its health check cannot pass at all (lb/health.ts): no detection is expected. @default true */
    checkCanPass?: boolean
  }
}

const r3 = (x: number) => Math.round(x * 1000) / 1000

/**
 * Expected detection delay for a fault under the probe (or LB health check) settings, seconds:
 * each action's own arithmetic (harness/faults/<action>.ts).
 */
export function expectedDetection(
  fault: ResolvedFault,
  probe: ResolvedProbe,
  propagationMs: number,
  opts: Pick<FailoverInput, 'lb' | 'nodeMonitorGracePeriodSeconds'> = {},
): { min: number; max: number } | null {
  return FAULTS[fault.action].expectedDetection(fault, probe, propagationMs, opts)
}

function mergedP99(hists: LatencyHistogram[], fromSec: number, toSec: number): number {
  const h = createLatencyHistogram()
  for (let s = Math.max(0, fromSec); s < Math.min(toSec, hists.length); s++) {
    const x = hists[s]
    if (x !== undefined) h.add(x)
  }
  const p = summarizeLatency(h).p99
  h.destroy()
  return p
}

/** The event that took the fault's pods out (or, for recover-pod, back in); for kill-node behind a load balancer, its health check. */
function detection(i: FailoverInput, at: number): { tMs: number } | undefined {
  const pods = new Set(i.fault.pods)
  if (i.fault.action === 'kill-node' && i.lb !== undefined) return lbTookOut(i.lb, i.fault.node as string, at)
  return i.events.find((e) => {
    if (e.type !== 'published' || e.tMs < at || !e.changed.some((p) => pods.has(p))) return false
    return i.fault.action === 'recover-pod' ? i.fault.pods.every((p) => e.ready.includes(p)) : i.fault.pods.some((p) => !e.ready.includes(p))
  })
}

/**
 * When the load balancer's health check marked `node` down at or after `at` (ms). None when its
 * check cannot pass on any node (lb/health.ts: a UDP NodePort's TCP check): it marks every node
 * down whatever the fault, so a node going down says nothing of it.
 */
export function lbTookOut(lb: NonNullable<FailoverInput['lb']>, node: string, at: number): { tMs: number } | undefined {
  if (lb.checkCanPass === false) return undefined
  return lb.events.find((e) => e.node === node && !e.healthy && e.tMs >= at)
}

/** The errors of a fault's window [at, end): counts by kind, and the first and last error's time (ms). */
interface ErrorWindow {
  byKind: Record<ErrorKind, number>
  requestsLost: number
  firstErrorMs: number | undefined
  lastErrorMs: number | undefined
}

/**
 * Errors in [at, end). From the error events while they are complete; once the event list holds
 * only the first errors of a long run, exact counts come from the 100 ms slots, at 100 ms
 * resolution for the window's ends.
 */
function errorWindow(i: Pick<FailoverInput, 'errors' | 'errorsPer100ms'>, at: number, end: number): ErrorWindow {
  const windowErrors = i.errors.filter((e) => e.tMs >= at && e.tMs < end)
  const byKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>
  let firstSlot = -1
  let lastSlot = -1
  const slots = i.errorsPer100ms ?? []
  const slotTotal = slots.reduce((a, row) => a + row.reduce((x, y) => x + y, 0), 0)
  const eventsComplete = slotTotal <= i.errors.length
  if (!eventsComplete) {
    for (let slot = Math.floor(at / 100); slot < Math.ceil(end / 100); slot++) {
      const row = slots[slot]
      if (row === undefined || !row.some((n) => n > 0)) continue
      row.forEach((n, k) => (byKind[ERROR_KINDS[k] as ErrorKind] += n))
      if (firstSlot < 0) firstSlot = slot
      lastSlot = slot
    }
  } else {
    for (const e of windowErrors) byKind[e.kind]++
  }
  return {
    byKind,
    requestsLost: Object.values(byKind).reduce((a, b) => a + b, 0),
    // Precise times from the events when they cover the window, else from the slots.
    firstErrorMs: windowErrors[0]?.tMs ?? (firstSlot >= 0 ? firstSlot * 100 : undefined),
    lastErrorMs: eventsComplete ? windowErrors[windowErrors.length - 1]?.tMs : lastSlot >= 0 ? Math.min(end, (lastSlot + 1) * 100) : undefined,
  }
}

/**
 * Goodput around a fault, from successful responses per 100 ms `b`: the dip (%, the lowest trailing
 * 1 s sum in [at, end) against the 3 s before the fault) and the first 100 ms slot from which, for
 * 2 s, every 500 ms window runs at ≥ 90% of that baseline. Both null without a baseline (at least
 * 500 ms of traffic before the fault).
 */
function throughputDip(b: readonly number[], at: number, end: number): { dipPct: number | null; recoveredSlot: number | null } {
  const slot = Math.floor(at / 100)
  const trailing = (j: number) => {
    let s = 0
    for (let k = j - 9; k <= j; k++) s += b[k] ?? 0
    return s
  }
  const baseline = baselinePerSec(b, slot)
  const lastFull = Math.min(b.length, Math.floor(end / 100)) - 1
  if (baseline === null || baseline <= 0) return { dipPct: null, recoveredSlot: null }
  let min = Infinity
  for (let j = slot; j <= lastFull; j++) min = Math.min(min, trailing(j))
  const dipPct = min === Infinity ? null : Math.max(0, Math.round((1 - min / baseline) * 1000) / 10)
  const half = (k: number) => {
    let x = 0
    for (let m = k; m < k + 5; m++) x += b[m] ?? 0
    return x * 2
  }
  for (let j = slot; j + 20 <= lastFull + 1; j++) {
    let ok = true
    for (let k = j; k + 5 <= j + 20; k++) {
      if (half(k) < 0.9 * baseline) {
        ok = false
        break
      }
    }
    if (ok) return { dipPct, recoveredSlot: j }
  }
  return { dipPct, recoveredSlot: null }
}

/** The mean count per second of `b` (100 ms slots) over the 3 s before `slot`; null with under 500 ms of it. */
function baselinePerSec(b: readonly number[], slot: number): number | null {
  const from = Math.max(0, slot - 30)
  if (slot - from < 5) return null
  let sum = 0
  for (let k = from; k < slot; k++) sum += b[k] ?? 0
  return (sum * 10) / (slot - from)
}

/**
 * Whether the closed model's clients were blocked: in some 1 s of [at, duringEnd) (the whole
 * window when shorter) they completed under half their rate of the 3 s before the fault. Null
 * without that baseline or without the completions.
 */
function clientsBlocked(done: readonly number[] | undefined, at: number, duringEndMs: number, elapsedMs: number): boolean | null {
  if (done === undefined) return null
  const slot = Math.floor(at / 100)
  const base = baselinePerSec(done, slot)
  if (base === null || base <= 0) return null
  const end = Math.max(slot + 1, Math.min(Math.ceil(duringEndMs / 100), Math.floor(elapsedMs / 100)))
  const width = Math.min(10, end - slot)
  let lowest = Infinity
  for (let j = slot; j + width <= end; j++) {
    let sum = 0
    for (let k = j; k < j + width; k++) sum += done[k] ?? 0
    lowest = Math.min(lowest, (sum * 10) / width)
  }
  return lowest < 0.5 * base
}

/** Drops whose intended start fell in [at, end), from 100 ms slots. */
function droppedIn(dropped: readonly number[] | undefined, at: number, end: number): number {
  let n = 0
  for (let slot = Math.floor(at / 100); slot < Math.ceil(end / 100); slot++) n += dropped?.[slot] ?? 0
  return n
}

/** p99 in the 5 s before the fault, while it lasted (to recovery, else detection, else the window's end) and after, ms. */
function latencyWindows(hists: LatencyHistogram[], atSec: number, duringEndSec: number, endMs: number): FailoverResult['latencyMs'] {
  const atS = Math.floor(atSec)
  return {
    before: { p99: mergedP99(hists, atS - 5, atS) },
    during: { p99: mergedP99(hists, atS, Math.max(atS + 1, Math.ceil(duringEndSec))) },
    after: { p99: mergedP99(hists, Math.ceil(duringEndSec), Math.ceil(endMs / 1000)) },
  }
}

/** Share of the clients placed both before the fault and at the window's end whose pod changed; null when not tracked or no client was. */
function clientsRemapped(clientPods: FailoverInput['clientPods'], at: number, end: number): number | null {
  if (clientPods === undefined) return null
  const podAt = (moves: [number, string][], t: number) => {
    let pod: string | undefined
    for (const [tm, p] of moves) if (tm <= t) pod = p
    return pod
  }
  let both = 0
  let moved = 0
  for (const moves of Object.values(clientPods)) {
    const before = podAt(moves, at)
    const after = podAt(moves, end)
    if (before !== undefined && after !== undefined) {
      both++
      if (before !== after) moved++
    }
  }
  return both === 0 ? null : r3(moved / both)
}

/** The cost of one fault. */
export function failoverStats(i: FailoverInput): FailoverResult {
  const at = i.appliedAtMs
  const end = i.nextFaultAtMs ?? i.elapsedMs
  const detected = detection(i, at)
  const { byKind, requestsLost, firstErrorMs, lastErrorMs } = errorWindow(i, at, end)
  const { dipPct, recoveredSlot } = throughputDip(i.okPer100ms, at, end)
  const atSec = at / 1000
  const recoveredAtSec = recoveredSlot === null ? null : r3(Math.max(atSec, recoveredSlot / 10))
  const detectedAtSec = detected === undefined ? null : r3(detected.tMs / 1000)
  const duringEnd = recoveredAtSec ?? detectedAtSec ?? end / 1000
  const open = i.model === 'open'
  const requestsDropped = open ? droppedIn(i.droppedPer100ms, at, end) : 0
  return {
    fault: i.fault.action,
    target: i.fault.target,
    pods: [...i.fault.pods],
    atSec: r3(atSec),
    detectedAtSec,
    detectionSec: detectedAtSec === null ? null : r3(detectedAtSec - atSec),
    expectedDetectionSec: expectedDetection(i.fault, i.probe, i.propagationMs, i),
    firstErrorSec: requestsLost === 0 || firstErrorMs === undefined ? null : r3(firstErrorMs / 1000),
    lastErrorSec: requestsLost === 0 || lastErrorMs === undefined ? null : r3(lastErrorMs / 1000),
    errors: byKind,
    requestsLost: requestsLost + requestsDropped,
    requestsDropped,
    clientsBlocked: open ? null : clientsBlocked(i.completedPer100ms, at, duringEnd * 1000, i.elapsedMs),
    throughputDipPct: dipPct,
    recoveredAtSec,
    latencyMs: latencyWindows(i.perSecondHistograms, atSec, duringEnd, end),
    clientsRemapped: clientsRemapped(i.clientPods, at, end),
    failed: i.failed ?? null,
  }
}
