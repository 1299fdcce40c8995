/**
 * Absolute thresholds (k6-like). Pure: parsing at load, evaluation after the run.
 *
 * Grammar (one place; README "Thresholds" copies it):
 *
 *   thresholds  := { <path>: <condition> | <condition>[] | { limit: <condition> | <condition>[], abortOnFail?, delayAbortEval? } }
 *   condition   := <op> <number><unit?>
 *   op          := '<' | '<=' | '>' | '>=' | '==' | '!='
 *   number      := decimal, e.g. 25, 0.9, 1.5e3
 *   unit        := 'ms' | 's' | '%'
 *
 * <path> is a dotted path into a variant's results (see gate/metrics.ts), e.g. `latency.p99`
 * (from the intended start under the open model), `serviceLatency.p99` (from the write),
 * `errors.rate`, `requests.rps`, `requests.dropped`, `fairness.jain`, `pods.pod-2.share`,
 * `failover.maxDetectionSec`.
 * Units convert to the metric's own: ms and s for times (latency.* in ms, *Sec in s), % for
 * fractions (errors.rate, share, jain) and percent metrics (*Pct). A unit that does not fit the
 * metric is an error. `abortOnFail` is for metrics the load generator sees live (errors.rate,
 * errors.total): the run stops as soon as the condition fails, after `delayAbortEval` of measuring.
 */
import type { ScenarioIssue } from '../errors.ts'
import { parseDurationMs } from '../util/duration.ts'
import { FAILOVER_AGGREGATES, metricUnit } from './metrics.ts'
import type { MetricMap, ThresholdResult } from '../model/gate-result.ts'
import type { Threshold, ThresholdOp } from '../model/scenario.ts'
import { ERROR_KINDS } from '../model/variant-parts.ts'

/** Paths the load generator knows while the run goes on (abortOnFail). */
export const LIVE_PATHS = ['errors.rate', 'errors.total'] as const

/** Default measured time before an abortOnFail condition is evaluated, ms. */
export const DEFAULT_DELAY_ABORT_EVAL_MS = 1000

const COND_RE = /^\s*(<=|>=|==|!=|<|>)\s*(-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(ms|s|%)?\s*$/i

const LATENCY_KEYS = 'p50|p90|p99|p999|max|mean|count'
const FAILOVER_FIELDS = 'atSec|detectedAtSec|detectionSec|firstErrorSec|lastErrorSec|requestsLost|requestsDropped|throughputDipPct|recoveredAtSec|clientsRemapped'
/** A UDP Service's per-fault figures (failover.<i>.udp.*; model/udp-results.ts UdpFailover). */
const UDP_FAILOVER_FIELDS = 'flowsOnDeadEndpoint|flowsStuck|queriesLost|lastLostSec|flowsMoved|lastMovedAtSec|flowsBackOnSamePod|flowsNeverAnswered'

/** What a scenario names, for checking paths at load. */
export interface PathContext {
  pods: string[]
  nodes: string[]
  faults: number
}

/** Whether `path` names a metric a variant with this shape has (pods, nodes, faults). */
export function isKnownPath(path: string, ctx: PathContext): boolean {
  const kinds = ERROR_KINDS.join('|')
  const alt = (xs: readonly string[]) => xs.map((x) => x.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&')).join('|')
  const patterns = [
    /^durationSec$/,
    /^requests\.(total|ok|rps|okRps|podSide|scheduled|sent|dropped)$/,
    new RegExp(`^errors\\.(total|rate|byKind\\.(${kinds})|byCode\\.[A-Za-z0-9_]+)$`),
    new RegExp(`^(latency|latencyMs|serviceLatency|serviceLatencyMs)\\.(${LATENCY_KEYS})$`),
    /^load\.(connections|requestTimeoutMs|scheduleLagMs\.(p50|p99|max))$/,
    /^fairness\.(jain|cov|maxOverMean|chiSquaredP)$/,
    /^stickiness\.(clients|clientsOnOnePod|meanPodsPerClient|maxPodsPerClient)$/,
    /^clientAddresses\.(configured|used|seenByPods|seenByProxies|tcpSourcesSeenByPods)$/,
    /^sourceAddresses\.(clientAddressesSeen|nodeAddressesSeen)$/,
    /^calibration\.(rps|p50|p99)$/,
    /^normalized\.(rps|p50|p99)$/,
    /^udp\.(flows|clientsOnOnePod)$/,
  ]
  if (patterns.some((re) => re.test(path))) return true
  if (ctx.faults > 0 && new RegExp(`^failover\\.(${Object.keys(FAILOVER_AGGREGATES).join('|')})$`).test(path)) return true
  if (ctx.pods.length > 0 && new RegExp(`^pods\\.(${alt(ctx.pods)})\\.(requests|connections|errors5xx|share|expectedShare|decisions|weight)$`).test(path)) return true
  if (ctx.nodes.length > 0 && new RegExp(`^nodes\\.(${alt(ctx.nodes)})\\.(connections|decisions)$`).test(path)) return true
  if (ctx.nodes.length > 0 && new RegExp(`^loadBalancer\\.(refused|byNode\\.(${alt(ctx.nodes)}))$`).test(path)) return true
  const f = /^failover\.(\d+)\.(.+)$/.exec(path)
  if (f !== null && Number(f[1]) < ctx.faults) {
    return new RegExp(`^(${FAILOVER_FIELDS}|errors\\.(${kinds})|latencyMs\\.(before|during|after)\\.p99|udp\\.(${UDP_FAILOVER_FIELDS}))$`).test(f[2] as string)
  }
  return false
}

function convert(value: number, unit: string | undefined, path: string): number | string {
  const u = metricUnit(path)
  const lower = unit?.toLowerCase()
  if (lower === undefined) return value
  if (lower === '%') {
    if (u === 'fraction') return value / 100
    if (u === 'pct') return value
    return `"%" does not fit ${path} (a ${u === 'none' ? 'count or rate' : `time in ${u}`}); use a plain number`
  }
  if (u === 'ms') return lower === 's' ? value * 1000 : value
  if (u === 's') return lower === 'ms' ? value / 1000 : value
  return `"${lower}" does not fit ${path}, which is not a time; use a plain number${u === 'fraction' ? ' or a percentage' : ''}`
}

/** Parse one condition for `path`; a string is an error message. */
export function parseCondition(path: string, condition: string): Omit<Threshold, 'abortOnFail' | 'delayAbortEvalMs'> | string {
  const m = COND_RE.exec(condition)
  if (m === null) return `got ${JSON.stringify(condition)}; expected <op> <number><unit?>, op one of < <= > >= == !=, unit ms, s or %, e.g. "< 25ms", ">= 0.9", "< 0.1%"`
  const limit = convert(Number(m[2]), m[3], path)
  if (typeof limit === 'string') return `got ${JSON.stringify(condition)}; ${limit}`
  return { path, condition: condition.trim(), op: m[1] as ThresholdOp, limit }
}

/**
 * Parse a scenario's `thresholds` (already schema-checked in shape). Issues go to `issues` with
 * paths under `where` (e.g. `thresholds`); the known-path check uses `ctx`.
 */
export function parseThresholds(raw: Record<string, unknown> | undefined, ctx: PathContext, where: string, issues: ScenarioIssue[]): Threshold[] {
  const out: Threshold[] = []
  for (const [path, spec] of Object.entries(raw ?? {})) {
    const at = `${where}["${path}"]`
    if (!isKnownPath(path, ctx)) {
      issues.push({ path: at, message: `no metric at ${JSON.stringify(path)}; expected a numeric path into a variant's results such as latency.p99, errors.rate, requests.rps, fairness.jain, failover.maxDetectionSec, pods.<pod>.share (README "Thresholds")` })
      continue
    }
    const obj = typeof spec === 'object' && spec !== null && !Array.isArray(spec) ? (spec as { limit: string | string[]; abortOnFail?: boolean; delayAbortEval?: number | string }) : undefined
    const conds = obj !== undefined ? obj.limit : (spec as string | string[])
    const list = Array.isArray(conds) ? conds : [conds]
    const abortOnFail = obj?.abortOnFail === true
    if (abortOnFail && !(LIVE_PATHS as readonly string[]).includes(path)) {
      issues.push({ path: `${at}.abortOnFail`, message: `${path} is only known after the run; abortOnFail works on ${LIVE_PATHS.join(', ')}` })
    }
    list.forEach((c, i) => {
      const r = parseCondition(path, c)
      if (typeof r === 'string') issues.push({ path: Array.isArray(conds) ? `${at}[${i}]` : at, message: r })
      else out.push({ ...r, abortOnFail, delayAbortEvalMs: (obj?.delayAbortEval === undefined ? undefined : parseDurationMs(obj.delayAbortEval)) ?? DEFAULT_DELAY_ABORT_EVAL_MS })
    })
  }
  return out
}

/** Whether `measured op limit` holds. */
export function holds(op: ThresholdOp, measured: number, limit: number): boolean {
  switch (op) {
    case '<':
      return measured < limit
    case '<=':
      return measured <= limit
    case '>':
      return measured > limit
    case '>=':
      return measured >= limit
    case '==':
      return measured === limit
    case '!=':
      return measured !== limit
  }
}

/** Check thresholds against a variant's metrics. A missing or null metric fails. */
export function evaluateThresholds(variant: string, thresholds: readonly Threshold[], metrics: MetricMap): ThresholdResult[] {
  return thresholds.map((t) => {
    const measured = metrics[t.path]
    if (measured === undefined || measured === null) {
      return { variant, path: t.path, condition: t.condition, limit: t.limit, measured: null, pass: false, note: measured === null ? 'no value (null in the results)' : 'not in the results' }
    }
    return { variant, path: t.path, condition: t.condition, limit: t.limit, measured, pass: holds(t.op, measured, t.limit) }
  })
}

/** The live value of an abortOnFail path from the load generator's running counts. */
export function liveValue(path: string, measured: { requests: number; errors: number }): number {
  if (path === 'errors.total') return measured.errors
  return measured.requests === 0 ? 0 : measured.errors / measured.requests
}
