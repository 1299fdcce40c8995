/**
 * The client-side bookkeeping every load executor shares: it is fed what came back (a response
 * with its status and latency, a transport error with its kind, a connection's source address,
 * and under the open model each scheduled request's outcome), each at a Date.now() time, and
 * produces the LoadResult the summarizers read. No sockets and no clock of its own: the executor
 * passes the times, so tests can feed synthetic ones.
 *
 * - Warm-up: anything before the epoch only moves the live counters of progress(). The closed
 *   model places a request at the time it ended; the open model at its intended start, so that a
 *   second's figures describe the requests that arrived in it (`completed` and `inFlight` aside).
 * - Latency: µs HDR histograms (stats/latency.ts), overall and per second of the measured phase.
 *   `latency` holds every request given a latency (errors and timeouts included; the open model
 *   measures from the intended start), `serviceLatency` responses only, from the write.
 * - A response with status ≥ 400 is an error: 5xx of kind http-5xx, 4xx of kind other.
 * - Goodput (okPer100ms) counts responses with status < 400 only.
 */
import { createLatencyHistogram, recordMs, summarizeLatency, type LatencyHistogram } from '../stats/latency.ts'
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import type { LoadModel } from '../model/scenario.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/variant-parts.ts'

/** Most error events kept with their times (the counts stay exact beyond it). */
export const MAX_ERROR_EVENTS = 200_000

/** Options for {@link createLoadRecorder}. */
export interface LoadRecorderOptions {
  /** Start of the measured phase (Date.now() ms): earlier times are warm-up. */
  epochMs: number
  /** Which model feeds it: `open` adds the schedule's figures (scheduled, dropped, lag, in flight). @default 'closed' */
  model?: LoadModel
}

/**
 * How one scheduled request of the open model ended. Times are Date.now() ms (fractional). The
 * recorder reads it during the call only, so an executor may reuse one object.
 */
export interface ScheduledOutcome {
  /** Its intended start, from the schedule. */
  intendedAtMs: number
  /** When the executor acted on it: wrote it, or queued it for a pooled connection. */
  handledAtMs: number
  /** When it was written; NaN when it never was (dropped). */
  sentAtMs: number
  /** When it ended: response complete, transport error, timeout or drop. */
  doneAtMs: number
  /** HTTP status; 0 without a response. */
  status: number
  /** Without a response: the transport error's kind (`timeout` included); null for a drop. */
  kind: ErrorKind | null
  /** The transport error's code (ECONNRESET, ...), if any. */
  code: string | undefined
  /** From the intended start to its end: a drop at the request timeout, a timeout at the timeout after the write (censored: the real latency is longer). */
  latencyMs: number
}

/** What an executor tells the recorder. Every `atMs` is a Date.now() time. */
export interface LoadRecorder {
  /** A connection was set up to use this source address. */
  sourceAddress(address: string): void
  /** An HTTP response of any status arrived `latencyMs` after its request started (closed model). */
  response(statusCode: number, latencyMs: number, atMs: number): void
  /**
   * A request failed without a response (closed model). Counted by `code` (the errno, e.g.
   * ECONNRESET; UNKNOWN without one), except that every timeout counts as TIMEOUT whatever raised
   * it. With `latencyMs` (from the request's start; the request timeout for a timeout) it enters
   * the latency histograms too.
   */
  transportError(kind: ErrorKind, code: string | undefined, atMs: number, latencyMs?: number): void
  /** A scheduled request of the open model ended (see ScheduledOutcome). */
  outcome(o: Readonly<ScheduledOutcome>): void
  /** Live counters, warm-up included. */
  progress(): LoadProgress
  /** The measured result; the measured phase ran from the epoch to `endMs`. */
  result(endMs: number, interrupted: boolean): LoadResult
}

interface Second {
  responses: number
  ok: number
  errors: number
  h: LatencyHistogram
  completed: number
  scheduled: number
  dropped: number
  /** Requests written / ended by the end of this second, warm-up ones in second 0 (for inFlight). */
  sent: number
  ended: number
}

const newSecond = (): Second => ({ responses: 0, ok: 0, errors: 0, h: createLatencyHistogram(), completed: 0, scheduled: 0, dropped: 0, sent: 0, ended: 0 })

const bump = (xs: number[], i: number) => {
  xs[i] = (xs[i] ?? 0) + 1
}
const dense = (xs: number[]) => Array.from(xs, (x) => x ?? 0)

/** Everything a recorder counts. */
interface Tally {
  epochMs: number
  open: boolean
  latency: LatencyHistogram
  serviceLatency: LatencyHistogram
  lag: LatencyHistogram | null
  seconds: Second[]
  responses: number
  ok: number
  errors: number
  measuredRequests: number
  liveResponses: number
  liveErrors: number
  scheduled: number
  dropped: number
  statusCounts: Record<string, number>
  errorsByKind: Record<ErrorKind, number>
  errorsByCode: Record<string, number>
  used: Set<string>
  per100ms: number[]
  completedPer100ms: number[]
  droppedPer100ms: number[]
  errorEvents: { tMs: number; kind: ErrorKind }[]
  errorSlots: number[][]
}

function newTally(epochMs: number, open: boolean): Tally {
  return {
    epochMs, open, latency: createLatencyHistogram(), serviceLatency: createLatencyHistogram(), lag: open ? createLatencyHistogram() : null, seconds: [],
    responses: 0, ok: 0, errors: 0, measuredRequests: 0, liveResponses: 0, liveErrors: 0, scheduled: 0, dropped: 0,
    statusCounts: {}, errorsByKind: Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>, errorsByCode: {}, used: new Set(),
    per100ms: [], completedPer100ms: [], droppedPer100ms: [], errorEvents: [], errorSlots: [],
  }
}

/** The second of the measured phase `atMs` falls in (warm-up times in second 0). */
function secondAt(t: Tally, atMs: number): Second {
  const idx = Math.max(0, Math.floor((atMs - t.epochMs) / 1000))
  while (t.seconds.length <= idx) t.seconds.push(newSecond())
  return t.seconds[idx] as Second
}

/** One error of the measured phase: exact counts per kind, per code, per 100 ms, and its event while there is room. */
function countError(t: Tally, tMs: number, kind: ErrorKind, code: string): void {
  t.errorsByKind[kind]++
  t.errorsByCode[code] = (t.errorsByCode[code] ?? 0) + 1
  t.errors++
  const row = (t.errorSlots[Math.floor(tMs / 100)] ??= ERROR_KINDS.map(() => 0))
  row[ERROR_KINDS.indexOf(kind)]! += 1
  if (t.errorEvents.length < MAX_ERROR_EVENTS) t.errorEvents.push({ tMs, kind })
}

/** A response (status > 0) or a transport error placed at `atMs`; NaN latencies are not recorded. */
function count(t: Tally, atMs: number, status: number, kind: ErrorKind, code: string | undefined, latencyMs: number, serviceMs: number): void {
  if (status > 0) t.liveResponses++
  if (status === 0 || status >= 400) t.liveErrors++
  if (atMs < t.epochMs) return // warm-up
  const sec = secondAt(t, atMs)
  t.measuredRequests++
  if (latencyMs === latencyMs) {
    recordMs(t.latency, latencyMs)
    recordMs(sec.h, latencyMs)
  }
  if (status === 0) {
    countError(t, atMs - t.epochMs, kind, kind === 'timeout' ? 'TIMEOUT' : (code ?? 'UNKNOWN'))
    sec.errors++
    return
  }
  t.responses++
  sec.responses++
  t.statusCounts[status] = (t.statusCounts[status] ?? 0) + 1
  if (serviceMs === serviceMs) recordMs(t.serviceLatency, serviceMs)
  if (status < 400) {
    t.ok++
    sec.ok++
    bump(t.per100ms, Math.floor((atMs - t.epochMs) / 100))
  } else {
    sec.errors++
    countError(t, atMs - t.epochMs, status >= 500 ? 'http-5xx' : 'other', `HTTP_${status}`)
  }
}

/** A request of the measured phase ended at `atMs` (the closed model's requests, the open model's sent ones). */
function completed(t: Tally, atMs: number): void {
  if (atMs < t.epochMs) return
  secondAt(t, atMs).completed++
  bump(t.completedPer100ms, Math.floor((atMs - t.epochMs) / 100))
}

/** A scheduled request of the open model ended. */
function countOutcome(t: Tally, o: Readonly<ScheduledOutcome>): void {
  if (o.sentAtMs === o.sentAtMs) {
    // Every written request, warm-up ones too, for the in-flight count.
    secondAt(t, o.sentAtMs).sent++
    secondAt(t, o.doneAtMs).ended++
  }
  if (o.intendedAtMs < t.epochMs) {
    if (o.kind !== null || o.status > 0) count(t, o.intendedAtMs, o.status, o.kind ?? 'other', o.code, o.latencyMs, Number.NaN)
    return
  }
  t.lag?.recordValue(Math.max(1, Math.round((o.handledAtMs - o.intendedAtMs) * 1000)))
  t.scheduled++
  const sec = secondAt(t, o.intendedAtMs)
  sec.scheduled++
  if (o.status === 0 && o.kind === null) {
    t.dropped++
    sec.dropped++
    bump(t.droppedPer100ms, Math.floor((o.intendedAtMs - t.epochMs) / 100))
    recordMs(t.latency, o.latencyMs)
    recordMs(sec.h, o.latencyMs)
    return
  }
  count(t, o.intendedAtMs, o.status, o.kind ?? 'other', o.code, o.latencyMs, o.status > 0 ? o.doneAtMs - o.sentAtMs : Number.NaN)
  completed(t, o.doneAtMs)
}

/** The LoadResult of what was counted; the measured phase ran from the epoch to `endMs`. */
function resultOf(t: Tally, endMs: number, interrupted: boolean): LoadResult {
  let sent = 0
  let ended = 0
  const perSecond = t.seconds.map((s) => {
    sent += s.sent
    ended += s.ended
    const base = { responses: s.responses, ok: s.ok, errors: s.errors, latency: summarizeLatency(s.h), completed: s.completed }
    return t.open ? { ...base, scheduled: s.scheduled, dropped: s.dropped, inFlight: sent - ended } : base
  })
  return {
    elapsedMs: Math.max(0, endMs - t.epochMs),
    responses: t.responses,
    ok: t.ok,
    statusCounts: t.statusCounts,
    errorsByKind: t.errorsByKind,
    errorsByCode: t.errorsByCode,
    latency: t.latency,
    serviceLatency: t.serviceLatency,
    scheduleLag: t.lag,
    scheduled: t.open ? t.scheduled : t.measuredRequests,
    sent: t.open ? t.scheduled - t.dropped : t.measuredRequests,
    dropped: t.dropped,
    perSecond,
    perSecondHistograms: t.seconds.map((s) => s.h),
    okPer100ms: dense(t.per100ms),
    completedPer100ms: dense(t.completedPer100ms),
    droppedPer100ms: dense(t.droppedPer100ms),
    errorEvents: t.errorEvents,
    errorsPer100ms: Array.from(t.errorSlots, (r) => r ?? ERROR_KINDS.map(() => 0)),
    clientAddressesUsed: t.used.size,
    interrupted,
  }
}

/** A fresh recorder for one load. */
export function createLoadRecorder(opts: LoadRecorderOptions): LoadRecorder {
  const t = newTally(opts.epochMs, opts.model === 'open')
  return {
    sourceAddress: (address) => void t.used.add(address),
    response(statusCode, latencyMs, atMs) {
      count(t, atMs, statusCode, 'other', undefined, latencyMs, latencyMs)
      completed(t, atMs)
    },
    transportError(kind, code, atMs, latencyMs) {
      count(t, atMs, 0, kind, code, latencyMs ?? Number.NaN, Number.NaN)
      completed(t, atMs)
    },
    outcome: (o) => countOutcome(t, o),
    progress: () => ({ responses: t.liveResponses, errors: t.liveErrors, measured: { requests: t.measuredRequests, errors: t.errors } }),
    result: (endMs, interrupted) => resultOf(t, endMs, interrupted),
  }
}
