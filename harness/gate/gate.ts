/**
 * The gate verdict of a run: absolute thresholds and the relative comparison: against a baseline
 * file (one saved run, or a history of them), or, for a paired run (--pair), candidate against
 * baseline variant pair by pair (paired.ts).
 * A value, never thrown (exit 1 is the CLI's reading of `verdict: 'fail'`).
 */
import { trialMetrics } from './metrics.ts'
import { evaluateThresholds } from './thresholds.ts'
import { compareMetric, median, minimumP, DEFAULT_COMPARE, NORMALIZED_COMPARE, DEFAULT_COMPARE_OPTIONS, type CompareSpec } from './verdict.ts'
import { comparableSettings, savedRuns, DEFAULT_BASELINE_RUNS, type Baseline } from './baseline.ts'
import { pairedComparisons } from './paired.ts'
import type { RunResult } from '../model/results.ts'
import type { GateResult, MetricMap, ThresholdResult, Comparison } from '../model/gate-result.ts'

/** Options of {@link evaluateGate}. */
export interface GateOptions {
  baseline?: { baseline: Baseline; file: string }
  /** Metric paths to compare instead of the defaults. */
  compare?: CompareSpec[]
  normalize: boolean
  minChange: number
  alpha: number
  /** A failed comparison will be confirmed by a second run (recorded in the options). @default false */
  confirm?: boolean
}

/** Medians over trials, path by path; null wherever any trial has null. */
export function medianMetrics(trials: readonly MetricMap[]): MetricMap {
  const out: MetricMap = {}
  const paths = new Set(trials.flatMap((t) => Object.keys(t)))
  for (const p of paths) {
    const xs = trials.map((t) => t[p])
    if (xs.some((x) => x === null)) out[p] = null
    else {
      const nums = xs.filter((x): x is number => typeof x === 'number')
      if (nums.length > 0) out[p] = median(nums)
    }
  }
  return out
}

function settingsDiff(a: Record<string, unknown>, b: Record<string, unknown>, prefix = ''): string[] {
  const out: string[] = []
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const x = a[k]
    const y = b[k]
    const p = prefix === '' ? k : `${prefix}.${k}`
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null && !Array.isArray(x)) out.push(...settingsDiff(x as Record<string, unknown>, y as Record<string, unknown>, p))
    else if (JSON.stringify(x) !== JSON.stringify(y)) out.push(`${p} ${JSON.stringify(y)} → ${JSON.stringify(x)}`)
  }
  return out
}

/** The specs compared: --compare's, or the defaults (under --normalize, the normalized ratios for throughput and latency). */
function specsOf(opts: GateOptions): readonly CompareSpec[] {
  return opts.compare ?? (opts.normalize ? [...NORMALIZED_COMPARE, ...DEFAULT_COMPARE.filter((s) => !['requests.rps', 'latency.p50', 'latency.p99'].includes(s.path))] : DEFAULT_COMPARE)
}

/** One variant's trials against the baseline file's (every saved run's, in history mode). */
function compareVariant(v: RunResult['variants'][number], resolved: RunResult['resolved'][number] | undefined, opts: GateOptions, notes: string[]): Comparison[] {
  const { baseline } = opts.baseline!
  const b = baseline.variants[v.name]
  if (b === undefined) {
    notes.push(`variant ${v.name} is not in baseline ${baseline.name}; not compared`)
    return []
  }
  const trials = trialMetrics(v)
  // The saved runs that have this variant (a history restarts when settings change, so they compare).
  const runs = savedRuns(baseline).flatMap((r) => (r.variants[v.name] === undefined ? [] : [r.variants[v.name]!.trials]))
  const pooled = runs.flat()
  if ((b.disturbedTrials ?? 0) > 0) notes.push(`${v.name}: the baseline kept ${b.disturbedTrials} trials another program disturbed (the machine was busy when it was recorded); record it again on a quiet machine`)
  if (resolved !== undefined) {
    const diff = settingsDiff(comparableSettings(resolved), b.settings)
    if (diff.length > 0) notes.push(`variant ${v.name} runs with other settings than the baseline (${diff.slice(0, 4).join('; ')}${diff.length > 4 ? '; …' : ''})`)
  }
  if (minimumP(pooled.length, trials.length) >= opts.alpha) {
    notes.push(`${v.name}: with ${pooled.length} baseline and ${trials.length} current trials the test cannot reach p < ${opts.alpha} (smallest p ${minimumP(pooled.length, trials.length).toFixed(3)}), so nothing can fail; use --trials 4 or more on both sides`)
  }
  if (runs.length === 2) notes.push(`${v.name}: the baseline holds 2 saved runs; the spread between 2 runs guards little against drift (--baseline-runs keeps up to ${DEFAULT_BASELINE_RUNS} by default)`)
  const busy = v.cpu?.machineBusyPct
  if (opts.normalize && busy != null && busy < 80) {
    notes.push(`${v.name}: --normalize divides by a CPU-bound calibration, but this scenario kept the machine only ${Math.round(busy)}% busy: the ratios carry the calibration's noise (README "Gate quality")`)
  }
  const out: Comparison[] = []
  for (const spec of specsOf(opts)) {
    const values = (ts: readonly MetricMap[]) => ts.map((t) => t[spec.path]).filter((x): x is number => typeof x === 'number')
    const base = values(pooled)
    const cur = values(trials)
    if (base.length === 0 || cur.length === 0) {
      // A metric neither run has (no faults, say) is simply not compared; one side only is worth saying.
      if (base.length + cur.length > 0) notes.push(`${v.name}: ${spec.path} only in the ${base.length === 0 ? 'current run' : 'baseline'}; not compared`)
      else if (opts.compare !== undefined || spec.path.startsWith('normalized.')) notes.push(`${v.name}: ${spec.path} has no value${spec.path.startsWith('normalized.') ? ' (the baseline or this run has no calibration)' : ''}; not compared`)
      continue
    }
    const history = runs.length >= 2 ? runs.map(values) : undefined
    out.push(compareMetric(v.name, spec, base, cur, { ...DEFAULT_COMPARE_OPTIONS, minChange: opts.minChange, alpha: opts.alpha, history }))
  }
  return out
}

/** Evaluate thresholds (on medians over trials) and compare: pair by pair under --pair, else against the baseline. */
export function evaluateGate(result: RunResult, opts: GateOptions): GateResult {
  const thresholds: ThresholdResult[] = []
  const comparisons: Comparison[] = []
  const notes: string[] = []
  for (const v of result.variants) {
    const resolved = result.resolved.find((r) => r.name === v.name)
    const disturbed = (v.trials ?? []).filter((t) => t.disturbed === true).length
    if (disturbed > 0 && result.paired === undefined) notes.push(`${v.name}: ${disturbed} of ${v.trials.length} trials were disturbed by another program (more than 20% of a core meanwhile), run again and left out`)
    // (results written before thresholds existed have none)
    const own = resolved?.thresholds ?? []
    if (own.length > 0) thresholds.push(...evaluateThresholds(v.name, own, medianMetrics(trialMetrics(v))))
    if (opts.baseline !== undefined && result.paired === undefined) comparisons.push(...compareVariant(v, resolved, opts, notes))
  }
  let paired: GateResult['paired'] = null
  if (result.paired !== undefined) {
    const p = pairedComparisons(result, specsOf(opts), { ...DEFAULT_COMPARE_OPTIONS, minChange: opts.minChange, alpha: opts.alpha })
    comparisons.push(...p.comparisons)
    notes.push(...p.notes)
    paired = p.paired
  }
  const failed = thresholds.some((t) => !t.pass) || comparisons.some((c) => c.verdict === 'regression') || result.aborted !== null
  const checked = thresholds.length + comparisons.length > 0 || result.aborted !== null
  const b = opts.baseline
  const runs = b === undefined ? 0 : savedRuns(b.baseline).length
  return {
    verdict: failed ? 'fail' : checked ? 'pass' : 'none',
    mode: paired !== null ? 'paired' : b === undefined ? 'thresholds' : runs >= 2 ? 'history' : 'baseline',
    thresholds,
    comparisons,
    baseline: b === undefined || paired !== null ? null : { name: b.baseline.name, file: b.file, savedAt: b.baseline.savedAt, machine: `${b.baseline.machine.cpus} × ${b.baseline.machine.cpuModel}`, runs },
    paired,
    confirm: null,
    options: { minChange: opts.minChange, alpha: opts.alpha, normalize: opts.normalize, trials: Math.max(1, ...result.variants.map((v) => v.trials.length)), confirm: opts.confirm ?? false },
    aborted: result.aborted,
    notes,
  }
}
