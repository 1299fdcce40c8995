/**
 * Baseline files: `reports/baselines/<name>.json`, meant to be committed. They hold every trial's
 * gate metrics (not just medians), so that a later run can test significance against them.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { HarnessError, ScenarioError } from '../errors.ts'
import { writeFileAtomic } from '../util/fs.ts'
import { trialMetrics } from './metrics.ts'
import type { RunResult } from '../model/results.ts'
import type { MetricMap } from '../model/gate-result.ts'

/** What a baseline keeps per variant. */
export interface BaselineVariant {
  /** Every trial's metrics (calibration and normalized.* included when measured). */
  trials: MetricMap[]
  /** The variant's settings when recorded (load, service), to warn when they changed. */
  settings: Record<string, unknown>
  /** Trials in `trials` that another program disturbed (kept because too few were clean). */
  disturbedTrials: number
}

/** One saved run of a baseline: what `--save-baseline` took from it. */
export interface BaselineRun {
  /** When the run finished (its finishedAt, ISO 8601 UTC). */
  savedAt: string
  machine: RunResult['machine']
  versions: RunResult['versions']
  variants: Record<string, BaselineVariant>
}

/**
 * A baseline file. Its top-level run is the newest saved; `history` holds the runs saved before
 * it (oldest first), so that the gate knows how far an unchanged run moves on this runner. Files
 * written before the history existed have none and load as a baseline of one run.
 */
export interface Baseline extends BaselineRun {
  kind: 'svcbench-baseline'
  schemaVersion: 1
  name: string
  scenario: string
  /** Earlier saved runs, oldest first (at most --baseline-runs − 1 of them). @default [] */
  history?: BaselineRun[]
}

/** Saved runs a baseline keeps (the newest and the ones before it) unless --baseline-runs says otherwise. */
export const DEFAULT_BASELINE_RUNS = 5

/** Every saved run of a baseline, oldest first, the newest last. */
export function savedRuns(b: Baseline): BaselineRun[] {
  return [...(b.history ?? []), { savedAt: b.savedAt, machine: b.machine, versions: b.versions, variants: b.variants }]
}

/**
 * `next` with the runs of `previous` kept before it, the last `keep` runs in all. The history
 * starts again (with a reason) when the runs are not comparable: another scenario, other
 * variants, or a variant's settings changed.
 */
export function appendRun(previous: Baseline | undefined, next: Baseline, keep: number): { baseline: Baseline; restarted: string | undefined } {
  if (previous === undefined || keep <= 1) return { baseline: next, restarted: undefined }
  const names = (b: BaselineRun) => Object.keys(b.variants).sort().join(', ')
  let restarted: string | undefined
  if (previous.scenario !== next.scenario) restarted = `it was saved from scenario ${JSON.stringify(previous.scenario)}`
  else if (names(previous) !== names(next)) restarted = `its variants were ${names(previous)}`
  else {
    const changed = Object.keys(next.variants).find((v) => JSON.stringify(previous.variants[v]?.settings) !== JSON.stringify(next.variants[v]?.settings))
    if (changed !== undefined) restarted = `variant ${changed} ran with other settings`
  }
  if (restarted !== undefined) return { baseline: next, restarted }
  return { baseline: { ...next, history: savedRuns(previous).slice(-(keep - 1)) }, restarted: undefined }
}

/** Baseline names: letters, digits, dot, dash, underscore (they become file names). */
export const BASELINE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

export function baselinePath(root: string, name: string): string {
  return path.join(root, 'baselines', `${name}.json`)
}

/** The settings of a variant that make two runs comparable. */
export function comparableSettings(v: RunResult['resolved'][number]): Record<string, unknown> {
  return { load: v.load, service: v.service, pod: v.cluster.pod, replicas: v.cluster.replicas, nodes: v.cluster.nodes.length, faults: v.faults.map((f) => `${f.atMs}ms ${f.action} ${f.target}`) }
}

/** Build a baseline from a finished run (every variant must carry its trials). */
export function baselineFrom(result: RunResult, name: string): Baseline {
  const variants: Record<string, BaselineVariant> = {}
  for (const v of result.variants) {
    const resolved = result.resolved.find((r) => r.name === v.name)
    const used = trialMetrics(v)
    const disturbedTrials = (v.trials ?? []).filter((t) => t.disturbed && used.includes(t.metrics)).length
    variants[v.name] = { trials: used, settings: resolved === undefined ? {} : comparableSettings(resolved), disturbedTrials }
  }
  return { kind: 'svcbench-baseline', schemaVersion: 1, name, savedAt: result.finishedAt, scenario: result.scenario.name, machine: result.machine, versions: result.versions, variants }
}

/** Write atomically (temp + rename); returns the path. */
export async function saveBaseline(root: string, b: Baseline): Promise<string> {
  const file = baselinePath(root, b.name)
  try {
    await writeFileAtomic(file, `${JSON.stringify(b, null, 1)}\n`)
    return file
  } catch (err) {
    throw new HarnessError('RESULTS_WRITE_FAILED', `cannot write baseline ${file}: ${(err as Error).message}`, { cause: err })
  }
}

/** Parse and check a baseline file's text; bad content is bad input naming `flag`. */
function parseBaseline(raw: string, file: string, flag: string): Baseline {
  let b: Baseline
  try {
    b = JSON.parse(raw) as Baseline
  } catch (e) {
    throw new ScenarioError([{ path: flag, message: `${file} is not JSON (${(e as Error).message}); expected a file written by --save-baseline` }])
  }
  if (b?.kind !== 'svcbench-baseline' || b.schemaVersion !== 1 || typeof b.variants !== 'object' || b.variants === null || (b.history !== undefined && !Array.isArray(b.history))) {
    throw new ScenarioError([{ path: flag, message: `${file} is not an svcbench baseline (kind "svcbench-baseline", schemaVersion 1); expected a file written by --save-baseline` }])
  }
  return b
}

/** Read a baseline by name; a missing or malformed file is bad input (exit 2), checked before the run. */
export async function loadBaseline(root: string, name: string): Promise<{ baseline: Baseline; file: string }> {
  const file = baselinePath(root, name)
  let raw: string
  try {
    raw = await fs.readFile(file, 'utf8')
  } catch {
    let known: string[] = []
    try {
      known = (await fs.readdir(path.dirname(file))).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))
    } catch {
      // no folder
    }
    throw new ScenarioError([{ path: '--baseline', message: `got ${JSON.stringify(name)}; no file ${file}${known.length === 0 ? '; record one first with --save-baseline ' + name : `; expected one of ${known.map((k) => JSON.stringify(k)).join(', ')}`}` }])
  }
  return { baseline: parseBaseline(raw, file, '--baseline'), file }
}

/**
 * The baseline `--save-baseline <name>` will add its run to: undefined when there is no file yet;
 * a file that is not a baseline is bad input (exit 2), checked before the run, never overwritten.
 */
export async function loadSaveTarget(root: string, name: string): Promise<Baseline | undefined> {
  const file = baselinePath(root, name)
  let raw: string
  try {
    raw = await fs.readFile(file, 'utf8')
  } catch {
    return undefined
  }
  try {
    return parseBaseline(raw, file, '--save-baseline')
  } catch (e) {
    const issue = (e as ScenarioError).issues[0]!
    throw new ScenarioError([{ path: '--save-baseline', message: `${issue.message}; remove it or save under another name` }])
  }
}
