/**
 * How a variant's load was driven (VariantResult.load), and the warnings that keep its figures
 * honest: a closed model whose clients were blocked by a fault describes those clients, not a
 * stream of requests; an open model whose generator fell behind its schedule measured its own
 * delay too. Pure.
 */
import { summarizeLatency } from './latency.ts'
import type { LoadResult } from '../model/measurements.ts'
import type { ResolvedVariant } from '../model/scenario.ts'
import type { LoadSummary } from '../model/summaries.ts'
import type { FailoverResult } from '../model/variant-parts.ts'

/** Schedule lag p99 above which the open model's figures include the generator's own delay, ms. */
export const MAX_SCHEDULE_LAG_P99_MS = 5

/** VariantResult.load: the model that ran, its rates, and how late the generator kept to its schedule. */
export function loadSummary(v: ResolvedVariant, load: LoadResult): LoadSummary {
  const open = v.load.model === 'open'
  const lag = open && load.scheduleLag != null ? summarizeLatency(load.scheduleLag) : null
  return {
    model: v.load.model,
    connections: v.load.connections,
    ratesRps: open ? (v.load.stages.length === 0 ? [v.load.startRps] : [v.load.startRps, ...v.load.stages.map((s) => s.targetRps)]) : [],
    arrival: open ? v.load.arrival : null,
    keepAlive: v.load.keepAlive,
    requestTimeoutMs: v.load.requestTimeoutMs,
    scheduleLagMs: lag === null ? null : { p50: lag.p50, p99: lag.p99, max: lag.max },
  }
}

/** What the reader must know about the load model's part in the figures. */
export function loadHonestyWarnings(v: ResolvedVariant, load: LoadResult, failover: readonly FailoverResult[]): string[] {
  const out: string[] = []
  for (const f of failover) {
    if (f.clientsBlocked !== true) continue
    out.push(
      `${f.fault} ${f.pods.join(',') || f.target} at ${f.atSec.toFixed(2)}s: the ${v.load.connections} closed-model clients completed under half their rate before it, so these figures describe ${v.load.connections} blocked clients, not a stream of requests (users arriving meanwhile would have waited or failed); set load.rate to measure it under the open model (docs/load-models.md)`,
    )
  }
  const lag = v.load.model === 'open' && load.scheduleLag != null ? summarizeLatency(load.scheduleLag) : null
  if (lag !== null && lag.p99 > MAX_SCHEDULE_LAG_P99_MS) {
    out.push(`the load generator fell behind its schedule: lag p99 ${lag.p99} ms (max ${lag.max} ms) over ${MAX_SCHEDULE_LAG_P99_MS} ms, so the latencies include its own delay; lower load.rate or give the machine fewer processes`)
  }
  return out
}
