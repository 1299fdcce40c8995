/**
 * --confirm: a failed comparison runs the candidate once more, and a regression fails the gate
 * only when the second comparison finds it again: the same variant's same metric regressed in
 * both. A false alarm on a drifting machine rarely strikes the same metric twice in a row; a real
 * regression does. Pure: the CLI runs the second run, this combines the two verdicts.
 */
import { trialMetrics } from './metrics.ts'
import type { RunResult } from '../model/results.ts'
import type { Comparison, GateResult } from '../model/gate-result.ts'

const key = (c: Pick<Comparison, 'variant' | 'path'>) => `${c.variant} ${c.path}`

/** Whether a gate should be confirmed: some comparison regressed and the run ended normally. */
export function needsConfirm(g: GateResult, result: Pick<RunResult, 'interrupted' | 'aborted'>): boolean {
  return !result.interrupted && result.aborted === null && g.comparisons.some((c) => c.verdict === 'regression')
}

/** The variants a confirmation runs again: both under --pair (they run as pairs), else each with a regression. */
export function confirmVariants(g: GateResult): string[] {
  if (g.paired !== null && g.paired !== undefined) return [g.paired.baseline, g.paired.candidate]
  return [...new Set(g.comparisons.filter((c) => c.verdict === 'regression').map((c) => c.variant))]
}

/** The gate after a second comparison: each first regression confirmed or not, the verdict from the confirmed ones. */
export function confirmGate(first: GateResult, second: GateResult, again: RunResult): GateResult {
  const regressedAgain = new Set(second.comparisons.filter((c) => c.verdict === 'regression').map(key))
  const comparisons = first.comparisons.map((c) => (c.verdict === 'regression' ? { ...c, confirmed: regressedAgain.has(key(c)) } : c))
  const regressions = comparisons.filter((c) => c.verdict === 'regression')
  const used = second.paired === null ? undefined : new Set(second.paired.used)
  const failed = first.thresholds.some((t) => !t.pass) || first.aborted !== null || regressions.some((c) => c.confirmed === true)
  return {
    ...first,
    verdict: failed ? 'fail' : 'pass',
    comparisons,
    confirm: {
      variants: again.variants.map((v) => v.name),
      startedAt: again.startedAt,
      finishedAt: again.finishedAt,
      comparisons: second.comparisons,
      confirmed: regressions.filter((c) => c.confirmed === true).map(key),
      notConfirmed: regressions.filter((c) => c.confirmed !== true).map(key),
      paired: second.paired,
      trials: again.variants.map((v) => ({ variant: v.name, metrics: used === undefined ? trialMetrics(v) : v.trials.filter((t) => t.pair !== undefined && used.has(t.pair)).map((t) => t.metrics) })),
      notes: second.notes,
    },
  }
}
