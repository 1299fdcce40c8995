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

/** A baseline file. */
export interface Baseline {
  kind: 'svcbench-baseline'
  schemaVersion: 1
  name: string
  savedAt: string
  scenario: string
  machine: RunResult['machine']
  versions: RunResult['versions']
  variants: Record<string, BaselineVariant>
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
  let b: Baseline
  try {
    b = JSON.parse(raw) as Baseline
  } catch (e) {
    throw new ScenarioError([{ path: '--baseline', message: `${file} is not JSON (${(e as Error).message}); expected a file written by --save-baseline` }])
  }
  if (b?.kind !== 'svcbench-baseline' || b.schemaVersion !== 1 || typeof b.variants !== 'object' || b.variants === null) {
    throw new ScenarioError([{ path: '--baseline', message: `${file} is not an svcbench baseline (kind "svcbench-baseline", schemaVersion 1); expected a file written by --save-baseline` }])
  }
  return { baseline: b, file }
}
