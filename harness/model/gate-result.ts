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
  /** The median of the baseline's trials, in the metric's unit. */
  baseline: number
  /** The median of this run's trials (disturbed ones left out while enough are clean), in the metric's unit. */
  current: number
  /** ratio mode: current/baseline − 1 (0.05 = +5%); difference mode: current − baseline. */
  change: number
  /** 95% bootstrap interval of the same quantity. */
  ci: [number, number]
  /** Two-sided Mann-Whitney U p-value of the baseline trials against this run's (exact for up to 20 trials in all). */
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
  /** Why unchanged (not significant, below min-change, below the noise floor). */
  reason: string
}

/** The gate's outcome, stored in results.json as `gate`. */
export interface GateResult {
  /** fail: a threshold failed, a metric regressed, or abortOnFail stopped the run; none: nothing to check. */
  verdict: 'pass' | 'fail' | 'none'
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
  } | null
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
