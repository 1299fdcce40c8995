/**
 * Two runs compared: `svcbench report a/results.json b/results.json`. Pure: the variants matched,
 * every headline figure of each pair side by side with its change and whether it counts
 * (compare-metrics.ts CHANGE_RULE), findings in sentences, what differs besides the figures
 * (compare-notes.ts), and {@link overlayResult}, one RunResult holding both runs' variants so
 * that the report's chart builders draw them side by side.
 */
import path from 'node:path'
import { diffMetric, diffPhrase, gateSpec, shareSpec, type MetricDiff, type MetricSpec } from './compare-metrics.ts'
import { pairNotes, runNotes } from './compare-notes.ts'
import { runFolderName } from './results.ts'
import type { RunResult, VariantResult } from '../model/results.ts'
import type { Machine, Versions } from '../model/run-info.ts'

/** What the comparison's header says about one run. */
export interface RunHeader {
  /** The run's label in the comparison, e.g. its folder name or `a`. */
  label: string
  scenario: string
  description: string
  /** When the run began, ISO 8601 UTC. */
  startedAt: string
  machine: Machine
  versions: Versions
  seed: number
  /** Trials per variant (1 for a single run). */
  trials: number
  interrupted: boolean
}

/** One variant of run a matched with one of run b. */
export interface VariantPair {
  /** The variant's name in run a. */
  a: string
  /** The variant's name in run b (the same, unless matched by position). */
  b: string
  /** The headline figures: throughput, p50, p99, error rate, Jain, requests lost to faults, each fault's detection. */
  metrics: MetricDiff[]
  /** Each pod's share of requests, pods of either run. */
  shares: MetricDiff[]
  /** What changed, in one sentence, e.g. `round-robin: p99 +25% worse (4.00 → 5.00 ms); throughput −2% (within 5%)`. */
  finding: string
  /** How the two variants ran differently (dataplane, proxy mode, load, faults). */
  notes: string[]
}

/** Two runs compared (see {@link compareRuns}). */
export interface RunComparison {
  labels: [string, string]
  runs: [RunHeader, RunHeader]
  /** How variants were matched: by name, by position (no name in common, as many variants), or not at all. */
  matchedBy: 'name' | 'position' | 'none'
  pairs: VariantPair[]
  /** Variants without a partner, by run. */
  unmatched: { a: string[]; b: string[] }
  /** What changed: one sentence per matched pair, pairs with a change first. */
  findings: string[]
  /** What the reader must know before trusting the findings: different scenarios, machines, versions, seeds; matching by position; variants left unmatched. */
  notes: string[]
}

/** A results file's short name: its run folder's for `results.json` (`2026-11-26T07-59-29Z`), else its own without `.json`. */
const fileLabel = (file: string) => (path.basename(file) === 'results.json' ? path.basename(path.dirname(path.resolve(file))) : path.basename(file).replace(/\.json$/i, ''))

/**
 * Short distinct labels for two runs: the scenario names when they differ, else the files' short
 * names (`files`, when given and distinct: run folders, or file names), else the start times,
 * else `a` and `b`.
 */
export function comparisonLabels(a: RunResult, b: RunResult, files?: readonly [string, string]): [string, string] {
  const candidates: [string, string][] = [[a.scenario.name, b.scenario.name]]
  if (files !== undefined) candidates.push([fileLabel(files[0]), fileLabel(files[1])])
  const stamp = (r: RunResult) => (Number.isNaN(Date.parse(r.startedAt)) ? '' : runFolderName(new Date(r.startedAt)))
  candidates.push([stamp(a), stamp(b)])
  return candidates.find(([x, y]) => x !== y && x !== '' && y !== '') ?? ['a', 'b']
}

function header(r: RunResult, label: string): RunHeader {
  return { label, scenario: r.scenario.name, description: r.scenario.description, startedAt: r.startedAt, machine: r.machine, versions: r.versions, seed: r.seed, trials: r.trials ?? 1, interrupted: r.interrupted }
}

/** Matched variants: by name when any name is shared, else by position when both runs have as many. */
export function matchVariants(a: RunResult, b: RunResult): { by: RunComparison['matchedBy']; pairs: [VariantResult, VariantResult][]; onlyA: string[]; onlyB: string[] } {
  const names = new Set(b.variants.map((v) => v.name))
  const byName = a.variants.filter((v) => names.has(v.name)).map((v): [VariantResult, VariantResult] => [v, b.variants.find((w) => w.name === v.name) as VariantResult])
  if (byName.length > 0) {
    const matched = new Set(byName.map(([v]) => v.name))
    return { by: 'name', pairs: byName, onlyA: a.variants.filter((v) => !matched.has(v.name)).map((v) => v.name), onlyB: b.variants.filter((v) => !matched.has(v.name)).map((v) => v.name) }
  }
  if (a.variants.length === b.variants.length && a.variants.length > 0) {
    return { by: 'position', pairs: a.variants.map((v, i) => [v, b.variants[i] as VariantResult]), onlyA: [], onlyB: [] }
  }
  return { by: 'none', pairs: [], onlyA: a.variants.map((v) => v.name), onlyB: b.variants.map((v) => v.name) }
}

/** The headline metrics of a pair: each fault's detection only where both runs had the same fault in that place. */
function headlineSpecs(va: VariantResult, vb: VariantResult): MetricSpec[] {
  const specs = [
    gateSpec('requests.rps', 'throughput', 'req/s'),
    gateSpec('latency.p50', 'p50', 'ms'),
    gateSpec('latency.p99', 'p99', 'ms'),
    gateSpec('errors.rate', 'error rate', 'fraction'),
    gateSpec('fairness.jain', 'Jain', 'index'),
  ]
  if (va.failover.length > 0 || vb.failover.length > 0) specs.push(gateSpec('failover.totalRequestsLost', 'requests lost to faults', 'count'))
  va.failover.forEach((f, i) => {
    const g = vb.failover[i]
    if (g === undefined || g.fault !== f.fault || g.target !== f.target) return
    if (f.detectionSec === null && g.detectionSec === null) return
    specs.push(gateSpec(`failover.${i}.detectionSec`, `detection ${f.fault} ${f.target}`, 's', 'failover.maxDetectionSec'))
  })
  return specs
}

/** Pods of either variant that served or were sent anything (the free slots kept for scale-ups left out). */
function podNames(va: VariantResult, vb: VariantResult): string[] {
  const used = (v: VariantResult) => v.pods.filter((p) => p.requests > 0 || p.decisions > 0 || p.connections > 0).map((p) => p.name)
  return [...new Set([...used(va), ...used(vb)])]
}

/** The pair's finding: changed figures first, then the rest with why they do not count. */
function pairFinding(name: string, metrics: readonly MetricDiff[], shares: readonly MetricDiff[]): string {
  const changed = [...metrics, ...shares].filter((d) => d.changed)
  // Figures that moved without counting are named with the reason; identical ones are not.
  const rest = metrics.filter((d) => !d.changed && d.absolute !== null && d.absolute !== 0)
  const head = changed.length > 0 ? changed.map(diffPhrase).join('; ') : rest.length > 0 ? 'no change beyond the noise rule' : 'the same figures'
  return `${name}: ${head}${rest.length === 0 ? '' : `; ${rest.map(diffPhrase).join('; ')}`}`
}

function comparePair(va: VariantResult, vb: VariantResult, labels: readonly [string, string]): VariantPair {
  const metrics = headlineSpecs(va, vb).map((s) => diffMetric(s, va, vb))
  const shares = podNames(va, vb).map((p) => diffMetric(shareSpec(p), va, vb))
  const name = va.name === vb.name ? va.name : `${va.name} ↔ ${vb.name}`
  return { a: va.name, b: vb.name, metrics, shares, finding: pairFinding(name, metrics, shares), notes: pairNotes(va, vb, labels) }
}

/**
 * Compare run b with run a: variants matched by name (by position, with a note, when no name is
 * shared and both have as many), every matched pair's headline figures and pod shares with their
 * changes, the findings and the notes. `labels` default to {@link comparisonLabels}.
 */
export function compareRuns(a: RunResult, b: RunResult, labels: [string, string] = comparisonLabels(a, b)): RunComparison {
  const m = matchVariants(a, b)
  const pairs = m.pairs.map(([va, vb]) => comparePair(va, vb, labels))
  const notes = runNotes(a, b, labels)
  if (m.by === 'position') notes.push(`no variant name is in both runs: variants matched by position (${pairs.map((p) => `${p.a} ↔ ${p.b}`).join(', ')})`)
  if (m.by === 'none') notes.push(`no variant name is in both runs and they have ${a.variants.length} and ${b.variants.length} variants: nothing was matched`)
  if (m.onlyA.length > 0) notes.push(`only in ${labels[0]}: ${m.onlyA.join(', ')}`)
  if (m.onlyB.length > 0) notes.push(`only in ${labels[1]}: ${m.onlyB.join(', ')}`)
  const changedFirst = [...pairs].sort((x, y) => Number(y.metrics.concat(y.shares).some((d) => d.changed)) - Number(x.metrics.concat(x.shares).some((d) => d.changed)))
  return {
    labels,
    runs: [header(a, labels[0]), header(b, labels[1])],
    matchedBy: m.by,
    pairs,
    unmatched: { a: m.onlyA, b: m.onlyB },
    findings: pairs.length === 0 ? ['no variant of one run matched one of the other: nothing to compare (see the notes)'] : changedFirst.map((p) => p.finding),
    notes,
  }
}

/** A variant under its overlay name, `<label>: <variant>`. */
export const overlayName = (label: string, variant: string) => `${label}: ${variant}`

/**
 * One RunResult holding both runs' variants, renamed `<label>: <variant>`, matched pairs adjacent
 * (a's, then b's), then the unmatched ones: the chart builders (write.ts buildCharts), which key
 * everything by variant name, then draw the two runs side by side on shared axes.
 */
export function overlayResult(a: RunResult, b: RunResult, labels: readonly [string, string]): RunResult {
  const m = matchVariants(a, b)
  const order: [string, RunResult, VariantResult][] = [
    ...m.pairs.flatMap(([va, vb]): [string, RunResult, VariantResult][] => [[labels[0], a, va], [labels[1], b, vb]]),
    ...a.variants.filter((v) => m.onlyA.includes(v.name)).map((v): [string, RunResult, VariantResult] => [labels[0], a, v]),
    ...b.variants.filter((v) => m.onlyB.includes(v.name)).map((v): [string, RunResult, VariantResult] => [labels[1], b, v]),
  ]
  const resolved = order.flatMap(([label, r, v]) => {
    const rv = (r.resolved ?? []).find((x) => x.name === v.name)
    return rv === undefined ? [] : [{ ...rv, name: overlayName(label, v.name) }]
  })
  return {
    ...a,
    scenario: { ...a.scenario, name: a.scenario.name === b.scenario.name ? a.scenario.name : `${a.scenario.name} vs ${b.scenario.name}` },
    interrupted: a.interrupted || b.interrupted,
    warnings: [...(a.warnings ?? []).map((w) => `${labels[0]}: ${w}`), ...(b.warnings ?? []).map((w) => `${labels[1]}: ${w}`)],
    resolved,
    variants: order.map(([label, , v]) => ({ ...v, name: overlayName(label, v.name) })),
    trials: Math.max(a.trials ?? 1, b.trials ?? 1),
    aborted: a.aborted ?? b.aborted ?? null,
    paired: undefined,
    gate: undefined,
  }
}
