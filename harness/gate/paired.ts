/**
 * The paired gate (--pair): the candidate variant against the baseline variant, pair by pair. Pure.
 *
 * Method (docs/gates.md "Paired gate"): each pair ran the two variants back to back on fresh
 * clusters, so machine drift hits both alike. Per metric, each pair gives the candidate's change
 * over its partner: b/a − 1 in ratio mode, b − a in difference mode (the spec's mode, and also a
 * ratio metric with a zero in some pair, where the ratio is undefined or infinite). A metric
 * regresses only when all of these hold:
 *   1. significant: the exact two-sided Wilcoxon signed-rank test (wilcoxon.ts) of the per-pair
 *      log ratios ln(b/a) (the differences in difference mode) rejects "no change" at `alpha`;
 *      log ratios make the test symmetric (twice as slow and twice as fast weigh the same);
 *   2. large: the median per-pair change is at least min-change (× the metric's factor) in the
 *      bad direction (ratio mode);
 *   3. above the noise floor: the median per-pair difference b − a is at least the metric's floor.
 * An improvement is the same in the good direction. A 95% percentile-bootstrap interval of the
 * median per-pair change (resampling whole pairs, seeded) is reported alongside.
 */
import { createRng } from '../util/rng.ts'
import { judgeChange, median, round, type CompareOptions, type CompareSpec } from './verdict.ts'
import { minimumSignedRankP, signedRankP } from './wilcoxon.ts'
import type { RunResult, VariantResult } from '../model/results.ts'
import type { Comparison, GateResult, MetricMap } from '../model/gate-result.ts'

/** Fewest clean pairs that stand without the disturbed ones (6: the fewest with which the exact test can reach p < 0.05, at 2/64). */
export const MIN_CLEAN_PAIRS = 6

/** One metric's values in one pair. */
export interface PairValues {
  /** The pair's number. */
  pair: number
  /** The baseline variant's value. */
  a: number
  /** The candidate variant's value. */
  b: number
}

/** 95% percentile-bootstrap interval of the median of `changes`, resampling them (whole pairs) with a seeded generator. */
export function pairedBootstrapCi(changes: readonly number[], resamples: number, seed: number): [number, number] {
  if (changes.length === 0) return [Number.NaN, Number.NaN]
  const rng = createRng(seed)
  const stats = Array.from({ length: resamples }, () => median(Array.from(changes, () => changes[Math.floor(rng() * changes.length)] as number))).sort((x, y) => x - y)
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * stats.length)))] as number
  return [at(0.025), at(0.975)]
}

/** Compare one metric of the candidate with the baseline over the pairs. */
export function comparePaired(variant: string, spec: CompareSpec, pairs: readonly PairValues[], opts: CompareOptions): Comparison {
  const mode = spec.mode === 'ratio' && pairs.every((p) => p.a !== 0 && p.b !== 0) ? 'ratio' : 'difference'
  const changes = pairs.map((p) => (mode === 'ratio' ? p.b / p.a - 1 : p.b - p.a))
  const change = median(changes)
  const pValue = signedRankP(pairs.map((p) => (mode === 'ratio' ? Math.log(p.b / p.a) : p.b - p.a)))
  const ci = pairedBootstrapCi(changes, opts.resamples, opts.seed)
  const worse = spec.better === 'lower' ? change > 0 : change < 0
  const absDiff = Math.abs(median(pairs.map((p) => p.b - p.a)))
  const c = judgeChange(variant, spec, { mode, baseline: median(pairs.map((p) => p.a)), current: median(pairs.map((p) => p.b)), change, absDiff, ci, pValue, counts: { baseline: pairs.length, current: pairs.length }, worse }, opts)
  return { ...c, test: 'wilcoxon-signed-rank', pairs: pairs.map((p, i) => ({ pair: p.pair, change: round(changes[i] as number) })) }
}

/** The pairs of a paired run with both trials' metrics, and which of them the statistics use. */
export interface MatchedPairs {
  /** Every complete pair (both trials ran), in order. */
  pairs: { pair: number; baseline: MetricMap; candidate: MetricMap; disturbed: boolean }[]
  /** The pair numbers the statistics use: the clean ones while at least MIN_CLEAN_PAIRS (or all) are clean, else all complete pairs. */
  used: number[]
}

const trialOf = (v: VariantResult | undefined, pair: number) => v?.trials.find((t) => t.pair === pair)

/** Match each pair's two trials (by their `pair` number). */
export function matchPairs(result: RunResult): MatchedPairs {
  const sched = result.paired
  if (sched === undefined) return { pairs: [], used: [] }
  const a = result.variants.find((v) => v.name === sched.baseline)
  const b = result.variants.find((v) => v.name === sched.candidate)
  const pairs = sched.pairs.flatMap((p) => {
    const ta = trialOf(a, p.pair)
    const tb = trialOf(b, p.pair)
    return ta === undefined || tb === undefined ? [] : [{ pair: p.pair, baseline: ta.metrics, candidate: tb.metrics, disturbed: p.disturbed }]
  })
  const clean = pairs.filter((p) => !p.disturbed)
  const use = clean.length >= Math.min(MIN_CLEAN_PAIRS, pairs.length) ? clean : pairs
  return { pairs, used: use.map((p) => p.pair) }
}

/** The paired gate's comparisons of a paired run, the pairs it used, and what the reader should know. */
export function pairedComparisons(result: RunResult, specs: readonly CompareSpec[], opts: CompareOptions): { comparisons: Comparison[]; paired: NonNullable<GateResult['paired']>; notes: string[] } {
  const sched = result.paired!
  const { pairs, used } = matchPairs(result)
  const notes: string[] = []
  const disturbed = sched.pairs.filter((p) => p.disturbed).length
  if (disturbed > 0) notes.push(`${disturbed} of ${sched.pairs.length} pairs were disturbed by another program (more than 20% of a core meanwhile during either trial), run again${used.length < pairs.length ? ' and left out' : ', and kept: too few were clean'}`)
  if (minimumSignedRankP(used.length) >= opts.alpha) {
    notes.push(`with ${used.length} pairs the signed-rank test cannot reach p < ${opts.alpha} (smallest p 2/2^${used.length} = ${round(minimumSignedRankP(used.length), 4)}), so nothing can fail; use --pairs ${MIN_CLEAN_PAIRS} or more`)
  }
  const usedPairs = pairs.filter((p) => used.includes(p.pair))
  const comparisons: Comparison[] = []
  for (const spec of specs) {
    const values = usedPairs.flatMap((p) => {
      const x = p.baseline[spec.path]
      const y = p.candidate[spec.path]
      return typeof x === 'number' && typeof y === 'number' ? [{ pair: p.pair, a: x, b: y }] : []
    })
    if (values.length === 0) continue
    comparisons.push(comparePaired(sched.candidate, spec, values, opts))
  }
  return { comparisons, paired: { ...sched, used }, notes }
}
