/**
 * How npm run bench:gate-quality judges the runs it made, mode by mode, with the gate's own code
 * (evaluateGate). Pure: the runs are made by gate-quality.ts.
 *
 * - default and --normalize: every A block against every earlier A block (A/A), every regression
 *   block against every A block before it (detection), as a baseline of one saved run;
 * - history: the same targets against histories of saved A runs, as a team's baseline file
 *   grows: for each A block e before the target (from the second on), the history of the last
 *   `historyRuns` A blocks up to e (2 to historyRuns saved runs);
 * - paired: every window of `pairs` consecutive pairs of a paired block (clean pairs, as the gate
 *   uses them), so one block of 12 pairs gives 7 windows of 6; the disjoint windows (0–5, 6–11)
 *   are the independent comparisons, counted apart.
 */
import { appendRun, type Baseline } from '../gate/baseline.ts'
import { evaluateGate } from '../gate/gate.ts'
import { matchPairs } from '../gate/paired.ts'
import type { RunResult } from '../model/results.ts'
import type { GateResult } from '../model/gate-result.ts'

/** The row of the unchanged comparisons. */
export const AA = 'A/A (false alarms)'

/** One run of the unpaired phase: trials of one kind, as one CI job records them. */
export interface UnpairedBlock {
  /** `A` (unchanged) or a regression's name. */
  kind: string
  round: number
  result: RunResult
  /** The run as a baseline file of one saved run. */
  baseline: Baseline
  seconds: number
}

/** One paired run: `baseline` (unchanged) against `candidate` (unchanged for A/A, else a regression). */
export interface PairedBlock {
  kind: string
  round: number
  result: RunResult
  seconds: number
}

/** Comparisons made and failed, and which metrics failed them. */
export interface Tally {
  comparisons: number
  failed: number
  byMetric: Record<string, number>
  /** Paired: the disjoint windows only (independent comparisons). */
  independent?: { comparisons: number; failed: number }
}

const tally = (): Tally => ({ comparisons: 0, failed: 0, byMetric: {} })

function count(row: Tally, g: GateResult): boolean {
  row.comparisons++
  if (g.verdict !== 'fail') return false
  row.failed++
  for (const c of g.comparisons.filter((x) => x.verdict === 'regression')) row.byMetric[c.path] = (row.byMetric[c.path] ?? 0) + 1
  return true
}

const GATE = { minChange: 0.05, alpha: 0.05 }

/** The targets of the unpaired modes: each with the A blocks recorded before it. */
function targets(blocks: readonly UnpairedBlock[], kinds: readonly string[]): { row: string; cur: UnpairedBlock; before: UnpairedBlock[] }[] {
  const as = blocks.filter((b) => b.kind === 'A')
  return [
    ...as.map((cur, j) => ({ row: AA, cur, before: as.slice(0, j) })),
    ...blocks.filter((b) => kinds.includes(b.kind)).map((cur) => ({ row: cur.kind, cur, before: as.filter((a) => blocks.indexOf(a) < blocks.indexOf(cur)) })),
  ]
}

/** The default gate (or --normalize): each target against each earlier A block, one saved run each. */
export function judgeUnpaired(blocks: readonly UnpairedBlock[], kinds: readonly string[], normalize: boolean): Record<string, Tally> {
  const rows: Record<string, Tally> = Object.fromEntries([AA, ...kinds].map((k) => [k, tally()]))
  for (const t of targets(blocks, kinds)) for (const a of t.before) count(rows[t.row]!, evaluateGate(t.cur.result, { ...GATE, normalize, baseline: { baseline: a.baseline, file: a.baseline.name } }))
  return rows
}

/** The histories a baseline file could have held before a target: ending at each earlier A block from the second, the last `historyRuns` up to it. */
export function histories(before: readonly UnpairedBlock[], historyRuns: number): Baseline[] {
  const out: Baseline[] = []
  for (let e = 1; e < before.length; e++) {
    let b: Baseline | undefined
    for (const a of before.slice(Math.max(0, e - historyRuns + 1), e + 1)) b = appendRun(b, a.baseline, historyRuns).baseline
    out.push(b!)
  }
  return out
}

/** History mode: each target against each history of 2 to `historyRuns` saved A runs before it. */
export function judgeHistory(blocks: readonly UnpairedBlock[], kinds: readonly string[], historyRuns: number): Record<string, Tally> {
  const rows: Record<string, Tally> = Object.fromEntries([AA, ...kinds].map((k) => [k, tally()]))
  for (const t of targets(blocks, kinds)) for (const h of histories(t.before, historyRuns)) count(rows[t.row]!, evaluateGate(t.cur.result, { ...GATE, normalize: false, baseline: { baseline: h, file: h.name } }))
  return rows
}

/** Windows of `size` consecutive pairs of a paired run, stride 1, over the pairs the gate would use (the clean ones while at least `size` are clean). */
export function pairWindows(result: RunResult, size: number): number[][] {
  const all = matchPairs(result).pairs
  const clean = all.filter((p) => !p.disturbed)
  const use = (clean.length >= size ? clean : all).map((p) => p.pair)
  return Array.from({ length: Math.max(0, use.length - size + 1) }, (_, s) => use.slice(s, s + size))
}

/** The paired run cut down to the pairs of one window. */
function windowOf(result: RunResult, pairs: readonly number[]): RunResult {
  return { ...result, paired: { ...result.paired!, pairs: result.paired!.pairs.filter((p) => pairs.includes(p.pair)) } }
}

/** Paired mode: every window of `size` pairs of each block; the disjoint ones also counted as independent comparisons. */
export function judgePaired(blocks: readonly PairedBlock[], kinds: readonly string[], size: number): Record<string, Tally> {
  const rows: Record<string, Tally> = Object.fromEntries([AA, ...kinds].map((k) => [k, { ...tally(), independent: { comparisons: 0, failed: 0 } }]))
  for (const b of blocks) {
    const row = rows[b.kind === 'A' ? AA : b.kind]!
    pairWindows(b.result, size).forEach((w, s) => {
      const failed = count(row, evaluateGate(windowOf(b.result, w), { ...GATE, normalize: false }))
      if (s % size !== 0) return
      row.independent!.comparisons++
      if (failed) row.independent!.failed++
    })
  }
  return rows
}

/** 95% Wilson score interval of a proportion k of n (Wilson 1927), as fractions; [0, 1] when n is 0. */
export function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 1]
  const z = 1.959964
  const p = k / n
  const d = 1 + (z * z) / n
  const mid = (p + (z * z) / (2 * n)) / d
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d
  return [Math.max(0, mid - half), Math.min(1, mid + half)]
}

/** A tally as a table cell: `3/45 (6.7%; 95% CI 2.3–17.9%)`. */
export function rateCell(t: Tally | undefined): string {
  if (t === undefined || t.comparisons === 0) return 'n/a'
  const [lo, hi] = wilson(t.failed, t.comparisons)
  const p = (x: number) => `${(100 * x).toFixed(1)}`
  return `${t.failed}/${t.comparisons} (${p(t.failed / t.comparisons)}%; ${p(lo)}–${p(hi)}%)`
}
