/**
 * The gate's verdict as results.json holds it (`gate`, and the run's `aborted`): thresholds
 * checked, metrics compared with a baseline, and the threshold that stopped a run. Types only.
 */

/** Path → value; null where the result holds null. */
export type MetricMap = Record<string, number | null>

/** One threshold checked against one variant. */
export interface ThresholdResult {
  /** The variant checked. */
  variant: string
  /** The metric's threshold path, e.g. `latency.p99` (docs/gates.md). */
  path: string
  /** The condition as the scenario wrote it, e.g. `< 25ms`. */
  condition: string
  /** The limit in the metric's unit. */
  limit: number
  /** What was measured (the median over trials when there were several); null = no value. */
  measured: number | null
  /** The measured value met the condition; false when there was no value. */
  pass: boolean
  /** Why it failed without a value (`no value (null in the results)`, `not in the results`). */
  note?: string
}

/** A compared metric's verdict: only a regression fails the gate. */
export type MetricVerdict = 'regression' | 'improvement' | 'unchanged'

/** One metric of one variant compared. */
export interface Comparison {
  /** The variant compared. */
  variant: string
  /** The metric's threshold path, e.g. `requests.rps`. */
  path: string
  /** Which direction is better (fixed for the default metrics, else guessed from the path's name). */
  better: 'lower' | 'higher'
  /** How `change` is measured: `ratio` (current/baseline − 1) or `difference` (current − baseline); a ratio metric whose baseline median is 0 is compared as a difference. */
  mode: 'ratio' | 'difference'
  /** The median of the baseline's trials (every saved run's, pooled, in history mode; the baseline variant's under --pair), in the metric's unit. */
  baseline: number
  /** The median of this run's trials (disturbed ones left out while enough are clean), in the metric's unit. */
  current: number
  /** ratio mode: current/baseline − 1 (0.05 = +5%); difference mode: current − baseline. Under --pair, the median of the per-pair changes. */
  change: number
  /** 95% bootstrap interval of the same quantity (under --pair, of the median per-pair change, resampling pairs). */
  ci: [number, number]
  /** Two-sided p-value: Mann-Whitney U of the baseline trials against this run's (exact for up to 20 trials in all); under --pair, the exact Wilcoxon signed-rank test of the per-pair changes. */
  pValue: number
  /** How many trials on each side had a value for the metric. */
  trials: {
    /** Baseline trials with a value. */
    baseline: number
    /** This run's trials with a value. */
    current: number
  }
  /** `regression` or `improvement` when the change is significant (p < alpha), at least the noise floor and, in ratio mode, at least min-change; else `unchanged` (only a regression fails the gate). */
  verdict: MetricVerdict
  /** Why unchanged (not significant, below min-change, below the noise floor, within the history's spread). */
  reason: string
  /** The test behind `pValue`: `mann-whitney` (the baseline's trials against this run's), `wilcoxon-signed-rank` (--pair: the per-pair changes); absent in results written before the paired gate (Mann-Whitney). */
  test?: 'mann-whitney' | 'wilcoxon-signed-rank'
  /** History mode (a baseline of at least 2 saved runs): the range of the saved runs' medians (max − min; over the baseline median in ratio mode), which the change must exceed to count; absent otherwise. */
  spread?: number
  /** --pair: each pair's change, candidate over baseline (ratio − 1, or the difference), in the order the pairs ran; disturbed pairs left out as in the statistics. Absent otherwise. */
  pairs?: {
    /** The pair's number (GateResult.paired.pairs). */
    pair: number
    /** Candidate over baseline in this pair: ratio − 1 in ratio mode, the difference in difference mode. */
    change: number
  }[]
  /** --confirm: true when the second comparison found this regression again (it fails the gate), false when it did not (reported, not failed); absent when no second comparison re-checked it. */
  confirmed?: boolean
}

/** --pair: the two variants ran as adjacent pairs (A B, B A, A B, …), each trial on a fresh cluster. */
export interface PairedSchedule {
  /** The baseline variant: the first one --pair names. */
  baseline: string
  /** The candidate variant, gated against the baseline: the second one --pair names. */
  candidate: string
  /** Every pair that ran, in order, re-runs of disturbed pairs included. */
  pairs: {
    /** The pair's number, from 1; both trials of the pair carry it (`variants[].trials[].pair`). */
    pair: number
    /** Which variant of the pair ran first (pairs alternate: A B, B A, …; a re-run keeps its pair's order). */
    first: 'baseline' | 'candidate'
    /** Another program used more than 20% of a core during either trial of the pair (cpu.otherPct): the pair ran again. */
    disturbed: boolean
  }[]
}

/** How the gate compared: see {@link GateResult.mode}. */
export type GateMode = 'paired' | 'history' | 'baseline' | 'thresholds'

/** --confirm: the second comparison, run after a failed one. */
export interface GateConfirmation {
  /** The variants that ran once more: under --pair both (as pairs again), else each variant with a regression. */
  variants: string[]
  /** When the second run began, ISO 8601 UTC. */
  startedAt: string
  /** When it ended, ISO 8601 UTC. */
  finishedAt: string
  /** The second run's comparisons of the variants that ran once more. */
  comparisons: Comparison[]
  /** Regressions of the first comparison (`<variant> <path>`) that the second found again: these fail the gate. */
  confirmed: string[]
  /** Regressions of the first comparison that the second did not find: reported, not failed. */
  notConfirmed: string[]
  /** --pair: the second run's pairs and which the statistics used; null otherwise. */
  paired: (PairedSchedule & {
    /** The pairs the statistics used. */
    used: number[]
  }) | null
  /** The second run's trials, per variant: the gate metrics of each trial used. */
  trials: {
    /** The variant. */
    variant: string
    /** Each used trial's gate metrics by threshold path. */
    metrics: MetricMap[]
  }[]
  /** What the second comparison had to say (as GateResult.notes). */
  notes: string[]
}

/** The gate's outcome, stored in results.json as `gate`. */
export interface GateResult {
  /** fail: a threshold failed, a metric regressed (and, under --confirm, regressed again in the second comparison), or abortOnFail stopped the run; none: nothing to check. */
  verdict: 'pass' | 'fail' | 'none'
  /**
   * How metrics were compared: `paired` (--pair: the candidate against the baseline variant, pair
   * by pair, Wilcoxon signed-rank), `history` (--baseline of a file with at least 2 saved runs: the
   * change must also exceed the spread between them), `baseline` (--baseline of one saved run),
   * `thresholds` (no comparison). Absent in results written before the paired gate.
   */
  mode: GateMode
  thresholds: ThresholdResult[]
  comparisons: Comparison[]
  /** The baseline compared against (--baseline); null without one. */
  baseline: {
    /** The baseline's name (`<name>.json` under the reports' baselines folder). */
    name: string
    /** The baseline file read. */
    file: string
    /** When the run it was saved from finished (that run's finishedAt, ISO 8601 UTC). */
    savedAt: string
    /** The machine it was recorded on, as `<cpus> × <cpu model>`. */
    machine: string
    /** How many saved runs the comparison used: 1, or the history's (--baseline-runs when saved); absent in results written before baselines kept a history. */
    runs?: number
  } | null
  /** --pair: the pairs that ran and which the statistics used; null otherwise. */
  paired: (PairedSchedule & {
    /** The pairs the statistics used: every clean pair while at least 6 are clean (else every complete pair). */
    used: number[]
  }) | null
  /** --confirm: the second comparison, run because the first found a regression; null when none ran. */
  confirm: GateConfirmation | null
  /** The settings the gate ran with. */
  options: {
    /** Smallest relative change that can fail the baseline gate (--min-change), a fraction (0.05 = 5%); latency.p99 and normalized.p99 need three times it. */
    minChange: number
    /** Significance level of the Mann-Whitney U test (--alpha). */
    alpha: number
    /** Throughput and latency were compared as ratios to the calibration path (--normalize). */
    normalize: boolean
    /** The most trials any variant recorded (disturbed re-runs included), at least 1. */
    trials: number
    /** A failed comparison runs the candidate once more and fails only if the second fails too (--confirm; on by default when CI=true). */
    confirm?: boolean
  }
  /** Set when an abortOnFail threshold stopped the run. */
  aborted: {
    /** The variant whose threshold stopped the run. */
    variant: string
    /** The threshold's metric path (`errors.rate` or `errors.total`, the figures the load generator knows live). */
    path: string
    /** The condition as the scenario wrote it, e.g. `< 1%`. */
    condition: string
    /** The live value that broke it, from the load generator's counts so far in the measured phase: errors.total as a count, errors.rate as a fraction 0–1. */
    measured: number
    /** When it broke, seconds since the measured phase began (0.1 s resolution). */
    atSec: number
  } | null
  /** Things the reader should know (variants missing from the baseline, changed settings). */
  notes: string[]
}
