/** A pod's latency field (`latencyMs`: a number or a distribution) → ResolvedLatency, checked. */
import type { ScenarioIssue } from '../errors.ts'
import type { ResolvedLatency } from '../model/scenario.ts'
import { LOGNORMAL_MAX_P99_OVER_MEAN } from '../util/lognormal.ts'
import * as D from './defaults.ts'

/**
 * Resolve a schema-valid latency field found at `path`. A number is a constant latency; a
 * distribution gets its p99 worked out (exponential: mean·ln 100; lognormal: the given p99 or
 * DEFAULT_LOGNORMAL_P99_OVER_MEAN × the mean), and a p99 the distribution cannot have is an issue.
 */
export function resolveLatency(raw: unknown, path: string, issues: ScenarioIssue[]): ResolvedLatency {
  if (raw === undefined) return { dist: 'constant', meanMs: D.DEFAULT_POD_LATENCY_MS, p99Ms: D.DEFAULT_POD_LATENCY_MS }
  if (typeof raw === 'number') return { dist: 'constant', meanMs: raw, p99Ms: raw }
  const l = raw as { dist: ResolvedLatency['dist']; meanMs: number; p99Ms?: number }
  if (l.dist === 'constant') {
    if (l.p99Ms !== undefined && l.p99Ms !== l.meanMs) {
      issues.push({ path: `${path}.p99Ms`, message: `got ${l.p99Ms}; a constant latency has p99 = meanMs (${l.meanMs}); drop p99Ms or use dist "lognormal"` })
    }
    return { dist: 'constant', meanMs: l.meanMs, p99Ms: l.meanMs }
  }
  if (l.dist === 'exponential') {
    const p99 = l.meanMs * Math.log(100)
    if (l.p99Ms !== undefined) {
      issues.push({ path: `${path}.p99Ms`, message: `got ${l.p99Ms}; an exponential latency's p99 is fixed by its mean (${p99.toFixed(2)}ms); drop p99Ms or use dist "lognormal"` })
    }
    return { dist: 'exponential', meanMs: l.meanMs, p99Ms: p99 }
  }
  const p99 = l.p99Ms ?? l.meanMs * D.DEFAULT_LOGNORMAL_P99_OVER_MEAN
  const maxRatio = LOGNORMAL_MAX_P99_OVER_MEAN
  if (l.meanMs <= 0) {
    issues.push({ path: `${path}.meanMs`, message: `got ${l.meanMs}; a lognormal latency needs meanMs > 0` })
  } else if (!(p99 > l.meanMs) || p99 / l.meanMs > maxRatio) {
    issues.push({
      path: `${path}.p99Ms`,
      message: `got ${p99}; a lognormal with meanMs ${l.meanMs} needs p99Ms above the mean and at most ${(l.meanMs * maxRatio).toFixed(2)} (${maxRatio.toFixed(2)}× the mean)`,
    })
  }
  return { dist: 'lognormal', meanMs: l.meanMs, p99Ms: p99 }
}
