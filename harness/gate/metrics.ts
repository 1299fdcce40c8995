/**
 * The gate's view of a variant's results: every numeric value under a dotted path. Pure.
 *
 * - Objects give their keys (`requests.rps`, `errors.byKind.timeout`).
 * - `latency.*` is the same as `latencyMs.*`, `serviceLatency.*` as `serviceLatencyMs.*` (all in ms).
 * - Pods and nodes are keyed by name (`pods.pod-2.share`, `nodes.node-a.decisions`), faults by
 *   their index (`failover.0.detectionSec`), plus aggregates over all faults
 *   (`failover.maxDetectionSec`, ...; see FAILOVER_AGGREGATES).
 * - Arrays of series (timeline, events, curve, matrix, fairness.decisions, ...) are not metrics.
 * - A null value (e.g. no detection) is kept as null: a threshold on it fails.
 */
import type { VariantResult } from '../model/results.ts'
import type { MetricMap } from '../model/gate-result.ts'
/** Aggregates over `failover[]`, addressable as `failover.<name>`. */
export const FAILOVER_AGGREGATES = {
  maxDetectionSec: 'longest detectionSec (null if a fault was never detected)',
  maxRequestsLost: 'most requests lost to one fault',
  totalRequestsLost: 'requests lost to all faults',
  maxThroughputDipPct: 'deepest throughput dip of any fault, percent',
  maxRecoverySec: 'longest recoveredAtSec − atSec (null if a fault never recovered)',
} as const

/** Keys not to descend into: series and tables, not single figures. */
const SKIP = new Set(['timeline', 'events', 'curve', 'matrix', 'decisions', 'expectedShares', 'trials', 'expectedDetectionSec'])

/** Numeric fields that may be null (kept as null: a threshold on them then fails). */
const NULLABLE = new Set(['lastLostSec', 'lastMovedAtSec', 'detectedAtSec', 'detectionSec', 'firstErrorSec', 'lastErrorSec', 'throughputDipPct', 'recoveredAtSec', 'clientsRemapped', 'chiSquaredP', 'expectedShare'])

function walk(value: unknown, prefix: string, out: MetricMap): void {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) out[prefix] = value
    return
  }
  if (value === null) {
    if (NULLABLE.has(prefix.split('.').at(-1) ?? '')) out[prefix] = null
    return
  }
  if (typeof value !== 'object' || Array.isArray(value)) return
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SKIP.has(k) && typeof v === 'object') continue
    walk(v, prefix === '' ? k : `${prefix}.${k}`, out)
  }
}

const maxOrNull = (xs: (number | null)[]): number | null => (xs.length === 0 ? 0 : xs.some((x) => x === null) ? null : Math.max(...(xs as number[])))

/** Every numeric metric of a variant, by dotted path. */
export function variantMetrics(v: VariantResult): MetricMap {
  const out: MetricMap = {}
  const { pods, nodes, failover, latencyMs, serviceLatencyMs, loadBalancer, ...rest } = v
  walk(rest, '', out)
  walk(latencyMs, 'latencyMs', out)
  walk(latencyMs, 'latency', out)
  if (serviceLatencyMs !== undefined) {
    walk(serviceLatencyMs, 'serviceLatencyMs', out)
    walk(serviceLatencyMs, 'serviceLatency', out)
  }
  for (const p of pods) walk(p, `pods.${p.name}`, out)
  for (const n of nodes) walk(n, `nodes.${n.name}`, out)
  if (loadBalancer !== null) walk({ refused: loadBalancer.refused, byNode: loadBalancer.byNode }, 'loadBalancer', out)
  failover.forEach((f, i) => walk(f, `failover.${i}`, out))
  if (failover.length === 0) return dropNames(out)
  out['failover.maxDetectionSec'] = maxOrNull(failover.map((f) => f.detectionSec))
  out['failover.maxRequestsLost'] = maxOrNull(failover.map((f) => f.requestsLost))
  out['failover.totalRequestsLost'] = failover.reduce((s, f) => s + f.requestsLost, 0)
  out['failover.maxThroughputDipPct'] = maxOrNull(failover.map((f) => f.throughputDipPct ?? 0))
  out['failover.maxRecoverySec'] = maxOrNull(failover.map((f) => (f.recoveredAtSec === null ? null : Math.round((f.recoveredAtSec - f.atSec) * 1000) / 1000)))
  return dropNames(out)
}

function dropNames(out: MetricMap): MetricMap {
  for (const k of Object.keys(out)) if (k.endsWith('.name')) delete out[k]
  return out
}

/** The unit a metric is measured in, read off its path: `ms`, `s`, `pct` (0–100) or none. */
export function metricUnit(path: string): 'ms' | 's' | 'pct' | 'fraction' | 'none' {
  const last = path.split('.').at(-1) ?? ''
  const first = path.split('.')[0]
  if (first === 'latency' || first === 'latencyMs' || first === 'serviceLatency' || first === 'serviceLatencyMs' || /Ms$/.test(last) || path.startsWith('load.scheduleLagMs.')) return 'ms'
  if (/Sec$/.test(last)) return 's'
  if (/Pct$/.test(last)) return 'pct'
  if (last === 'rate' || last === 'share' || last === 'expectedShare' || last === 'clientsRemapped' || last === 'jain' || last === 'cov') return 'fraction'
  return 'none'
}

/** Fewest clean trials that stand without the disturbed ones (4: the fewest with which the test can reach p < 0.05). */
export const MIN_CLEAN_TRIALS = 4

/** Per-trial metric maps of a variant (one, when it ran once). */
export function trialMetrics(v: VariantResult): MetricMap[] {
  // Results written before trials existed have no `trials` field. Disturbed trials are left out
  // while at least MIN_CLEAN_TRIALS (or all trials) are clean; a machine busy throughout keeps all.
  const all = v.trials ?? []
  const clean = all.filter((t) => t.disturbed !== true)
  const use = clean.length >= Math.min(MIN_CLEAN_TRIALS, all.length) ? clean : all
  return use.length > 0 ? use.map((t) => t.metrics) : [variantMetrics(v)]
}
