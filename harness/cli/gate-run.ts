/**
 * The gated run as the CLI does it: which variants run and how (as trials, or as pairs under
 * --pair), the verdict, and under --confirm a second run of the candidate after a failed
 * comparison (gate/confirm.ts combines the two verdicts).
 */
import { runScenario, type RunOptions } from '../runner.ts'
import { ScenarioError } from '../errors.ts'
import { evaluateGate, type GateOptions } from '../gate/gate.ts'
import { confirmGate, confirmVariants, needsConfirm } from '../gate/confirm.ts'
import { DEFAULT_GATE_TRIALS, DEFAULT_PAIRS, type CliArgs } from './args.ts'
import type { ResolvedRun } from '../model/scenario.ts'
import type { RunResult } from '../model/results.ts'
import type { GateResult } from '../model/gate-result.ts'

/** --pair a,b: the run with only a (the baseline) and b (the candidate), in that order; an unknown name is bad input naming --pair. */
export function pairedRun(run: ResolvedRun, pair: readonly [string, string]): ResolvedRun {
  const names = run.variants.map((v) => v.name)
  const missing = pair.filter((n) => !names.includes(n))
  if (missing.length > 0) {
    const one = run.variants.length === 1
    throw new ScenarioError(missing.map((n) => ({ path: '--pair', message: `got ${JSON.stringify(n)}; ${one ? `the scenario has one variant (${JSON.stringify(names[0])}); --pair needs two, declared under variants` : `expected one of ${names.map((x) => JSON.stringify(x)).join(', ')}`}` })))
  }
  const variants = pair.map((n) => run.variants.find((v) => v.name === n)!)
  return { ...run, variants }
}

/** How the runner runs a gated command: trials or pairs, calibrated or not. */
export function runShape(args: CliArgs, gated: boolean): Pick<RunOptions, 'trials' | 'paired' | 'calibrate'> {
  // A paired run needs no calibration: drift is cancelled by the pairing (unless --normalize asks for the ratios).
  if (args.pair !== undefined) return { trials: args.pairs ?? DEFAULT_PAIRS, paired: true, calibrate: args.normalize }
  return { trials: args.trials ?? (gated ? DEFAULT_GATE_TRIALS : undefined), calibrate: gated || args.trials !== undefined }
}

/** Options of {@link runAndGate}. */
export interface RunAndGateOptions {
  /** The runner's options for the first run (and, with the variants cut down, for the second). */
  run: RunOptions
  gate: GateOptions
  /** Confirm a failed comparison with a second run. */
  confirm: boolean
  /** Told before the second run starts, with the variants it runs. */
  onConfirm?(variants: string[], first: GateResult): void
}

/** Run, judge and, under --confirm, run the candidate again after a failed comparison. */
export async function runAndGate(run: ResolvedRun, opts: RunAndGateOptions): Promise<{ result: RunResult; gate: GateResult }> {
  const result = await runScenario(run, opts.run)
  const gate = evaluateGate(result, opts.gate)
  if (!opts.confirm || !needsConfirm(gate, result) || opts.run.signal?.aborted === true) return { result, gate }
  const names = confirmVariants(gate)
  opts.onConfirm?.(names, gate)
  // Under --pair both variants run again, as pairs; otherwise only the variants that regressed.
  const again = await runScenario({ ...run, variants: run.variants.filter((v) => names.includes(v.name)) }, opts.run)
  if (again.interrupted) {
    return { result: { ...result, interrupted: true }, gate: { ...gate, notes: [...gate.notes, 'the confirming run was interrupted; the first comparison stands'] } }
  }
  const second = evaluateGate(again, opts.gate)
  return { result, gate: confirmGate(gate, second, again) }
}
