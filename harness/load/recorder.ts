/**
 * The client-side bookkeeping every load executor shares: it is fed what came back (a response
 * with its status and latency, a transport error with its kind, a connection's source address),
 * each at a Date.now() time, and produces the LoadResult the summarizers read. No sockets and no
 * clock of its own: the executor passes the times, so tests can feed synthetic ones.
 *
 * - Warm-up: anything at a time before the epoch only moves the live counters of progress().
 * - Latency: µs HDR histograms (stats/latency.ts), overall and per second of the measured phase.
 * - A response with status ≥ 400 is an error: 5xx of kind http-5xx, 4xx of kind other.
 * - Goodput (okPer100ms) counts responses with status < 400 only.
 */
import { createLatencyHistogram, recordMs, summarizeLatency, type LatencyHistogram } from '../stats/latency.ts'
import type { LoadProgress, LoadResult } from '../model/measurements.ts'
import { ERROR_KINDS, type ErrorKind } from '../model/variant-parts.ts'

/** Most error events kept with their times (the counts stay exact beyond it). */
export const MAX_ERROR_EVENTS = 200_000

/** Options for {@link createLoadRecorder}. */
export interface LoadRecorderOptions {
  /** Start of the measured phase (Date.now() ms): earlier times are warm-up. */
  epochMs: number
}

/** What an executor tells the recorder. Every `atMs` is a Date.now() time. */
export interface LoadRecorder {
  /** A connection was set up to use this source address. */
  sourceAddress(address: string): void
  /** An HTTP response of any status arrived `latencyMs` after its request started. */
  response(statusCode: number, latencyMs: number, atMs: number): void
  /**
   * A request failed without a response. Counted by `code` (the errno, e.g. ECONNRESET; UNKNOWN
   * without one), except that every timeout counts as TIMEOUT whatever raised it.
   */
  transportError(kind: ErrorKind, code: string | undefined, atMs: number): void
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
}

/** A fresh recorder for one load. */
export function createLoadRecorder(opts: LoadRecorderOptions): LoadRecorder {
  const { epochMs } = opts
  const latency = createLatencyHistogram()
  const seconds: Second[] = []
  const secondAt = (atMs: number): Second => {
    const idx = Math.max(0, Math.floor((atMs - epochMs) / 1000))
    while (seconds.length <= idx) seconds.push({ responses: 0, ok: 0, errors: 0, h: createLatencyHistogram() })
    return seconds[idx] as Second
  }
  let responses = 0
  let ok = 0
  let errors = 0
  let measuredRequests = 0
  let liveResponses = 0
  let liveErrors = 0
  const statusCounts: Record<string, number> = {}
  const errorsByKind = Object.fromEntries(ERROR_KINDS.map((k) => [k, 0])) as Record<ErrorKind, number>
  const errorsByCode: Record<string, number> = {}
  const used = new Set<string>()
  const per100ms: number[] = []
  const errorEvents: { tMs: number; kind: ErrorKind }[] = []
  const errorSlots: number[][] = []
  // One error of the measured phase: exact counts per kind, per code, per 100 ms, and its event while there is room.
  const countError = (tMs: number, kind: ErrorKind, code: string) => {
    errorsByKind[kind]++
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1
    errors++
    const row = (errorSlots[Math.floor(tMs / 100)] ??= ERROR_KINDS.map(() => 0))
    row[ERROR_KINDS.indexOf(kind)]! += 1
    if (errorEvents.length < MAX_ERROR_EVENTS) errorEvents.push({ tMs, kind })
  }

  return {
    sourceAddress(address) {
      used.add(address)
    },
    response(statusCode, latencyMs, atMs) {
      liveResponses++
      if (statusCode >= 400) liveErrors++
      if (atMs < epochMs) return // warm-up
      const sec = secondAt(atMs)
      responses++
      measuredRequests++
      sec.responses++
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1
      recordMs(latency, latencyMs)
      recordMs(sec.h, latencyMs)
      if (statusCode < 400) {
        ok++
        sec.ok++
        const slot = Math.floor((atMs - epochMs) / 100)
        per100ms[slot] = (per100ms[slot] ?? 0) + 1
      } else {
        sec.errors++
        countError(atMs - epochMs, statusCode >= 500 ? 'http-5xx' : 'other', `HTTP_${statusCode}`)
      }
    },
    transportError(kind, code, atMs) {
      liveErrors++
      if (atMs < epochMs) return // warm-up
      measuredRequests++
      countError(atMs - epochMs, kind, kind === 'timeout' ? 'TIMEOUT' : (code ?? 'UNKNOWN'))
      secondAt(atMs).errors++
    },
    progress: () => ({ responses: liveResponses, errors: liveErrors, measured: { requests: measuredRequests, errors } }),
    result: (endMs, interrupted) => ({
      elapsedMs: Math.max(0, endMs - epochMs),
      responses,
      ok,
      statusCounts,
      errorsByKind,
      errorsByCode,
      latency,
      perSecond: seconds.map((s) => ({ responses: s.responses, ok: s.ok, errors: s.errors, latency: summarizeLatency(s.h) })),
      perSecondHistograms: seconds.map((s) => s.h),
      okPer100ms: Array.from(per100ms, (x) => x ?? 0),
      errorEvents,
      errorsPer100ms: Array.from(errorSlots, (r) => r ?? ERROR_KINDS.map(() => 0)),
      clientAddressesUsed: used.size,
      interrupted,
    }),
  }
}
