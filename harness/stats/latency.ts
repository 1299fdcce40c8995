/**
 * Latency histograms. One percentile definition everywhere: HDR histogram
 * (hdr-histogram-js, 3 significant digits, values in µs), `getValueAtPercentile`, i.e. the
 * highest value equivalent to the smallest recorded value at or above the requested rank.
 */
import * as hdr from 'hdr-histogram-js'
import type { LatencySummary } from '../model/summaries.ts'

/** Highest latency the histograms track: 10 minutes, in µs. Larger values are clamped. */
export const MAX_TRACKABLE_US = 600_000_000

/** A latency histogram in µs. */
export type LatencyHistogram = hdr.Histogram

/** A fresh histogram (1 µs to 10 min, 3 significant digits). */
export function createLatencyHistogram(): LatencyHistogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    useWebAssembly: false,
  })
}

/** A histogram as it crosses a process boundary: HdrHistogram's compressed base64, with its exact extremes (the encoding keeps only their buckets). */
export interface EncodedLatencyHistogram {
  text: string
  /** Largest value recorded, µs. */
  max: number
  /** Smallest non-zero value recorded, µs. */
  minNonZero: number
}

/** `h` as plain data, for IPC. */
export function encodeLatencyHistogram(h: LatencyHistogram): EncodedLatencyHistogram {
  return { text: hdr.encodeIntoCompressedBase64(h), max: h.maxValue, minNonZero: h.minNonZeroValue }
}

/** The histogram {@link encodeLatencyHistogram} wrote, of the same kind {@link createLatencyHistogram} makes. */
export function decodeLatencyHistogram(e: EncodedLatencyHistogram): LatencyHistogram {
  const h = hdr.decodeFromCompressedBase64(e.text, 32, false)
  if (h.totalCount > 0) {
    ;(h as { maxValue: number }).maxValue = e.max
    ;(h as { minNonZeroValue: number }).minNonZeroValue = e.minNonZero
  }
  return h
}

/** Record one latency given in ms (µs resolution). */
export function recordMs(h: LatencyHistogram, ms: number): void {
  h.recordValue(Math.min(MAX_TRACKABLE_US, Math.max(1, Math.round(ms * 1000))))
}

const round3 = (x: number) => Math.round(x * 1000) / 1000

/** Percentiles, max and mean of `h` in ms (rounded to µs). All zero when empty. */
export function summarizeLatency(h: LatencyHistogram): LatencySummary {
  const count = h.totalCount
  if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, count: 0 }
  const at = (p: number) => round3(h.getValueAtPercentile(p) / 1000)
  return { p50: at(50), p90: at(90), p99: at(99), p999: at(99.9), max: round3(h.maxValue / 1000), mean: round3(h.mean / 1000), count }
}

/** Percentiles of the HDR curve, on the "nines" scale latency engineers read. */
export const CURVE_PERCENTILES = [0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100] as const

/** The latency percentile curve of `h`: [{ percentile, ms }]. Empty when nothing was recorded. */
export function latencyCurve(h: LatencyHistogram): { percentile: number; ms: number }[] {
  if (h.totalCount === 0) return []
  return CURVE_PERCENTILES.map((p) => ({
    percentile: p,
    ms: round3((p === 100 ? h.maxValue : p === 0 ? h.minNonZeroValue : h.getValueAtPercentile(p)) / 1000),
  }))
}
