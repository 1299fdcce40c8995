import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { appendRun, baselineFrom, loadBaseline, loadSaveTarget, saveBaseline, savedRuns, type Baseline } from '../../harness/gate/baseline.ts'
import { evaluateGate } from '../../harness/gate/gate.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'
import { historySpread } from '../../harness/gate/verdict.ts'
import { gateText } from '../../harness/gate/output.ts'
import type { RunResult } from '../../harness/model/results.ts'

/** A one-variant run of 5 trials whose rps are `level` × (1, 1.01, 0.99, 1.005, 0.995). */
function run(level: number, finishedAt = '2025-01-01T00:00:00.000Z'): RunResult {
  const r = JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult
  r.variants = r.variants.slice(0, 1)
  r.resolved = r.resolved.slice(0, 1)
  r.aborted = null
  r.finishedAt = finishedAt
  const m = variantMetrics(r.variants[0]!)
  r.variants[0]!.trials = [1, 1.01, 0.99, 1.005, 0.995].map((k, i) => ({ trial: i + 1, disturbed: false, metrics: { ...m, 'requests.rps': 10_000 * level * k } }))
  r.trials = 5
  return r
}

/** A baseline of saved runs at these levels, oldest first, kept up to `keep`. */
function history(levels: number[], keep = 5): Baseline {
  let b: Baseline | undefined
  levels.forEach((l, i) => (b = appendRun(b, baselineFrom(run(l, `2025-01-0${i + 1}T00:00:00.000Z`), 'main'), keep).baseline))
  return b!
}

const opts = { normalize: false, minChange: 0.05, alpha: 0.05 }
const rpsOf = (g: ReturnType<typeof evaluateGate>) => g.comparisons.find((c) => c.path === 'requests.rps')!

describe('baseline history', () => {
  it('appendRun keeps the last N saved runs, newest last (the newest at the top level)', () => {
    const b = history([1, 0.96, 1.02, 0.98, 1.01, 0.97], 5)
    const runs = savedRuns(b)
    expect(runs).toHaveLength(5)
    expect(runs.map((r) => r.savedAt.slice(0, 10))).toEqual(['2025-01-02', '2025-01-03', '2025-01-04', '2025-01-05', '2025-01-06'])
    expect(b.savedAt.slice(0, 10)).toBe('2025-01-06')
    expect(savedRuns(history([1, 0.96, 1.02], 1))).toHaveLength(1)
  })

  it('starts again when the runs are not comparable (other settings, other scenario)', () => {
    const old = history([1, 0.98])
    const next = baselineFrom(run(1), 'main')
    next.variants[Object.keys(next.variants)[0]!]!.settings = { load: { connections: 999 } }
    expect(appendRun(old, next, 5)).toMatchObject({ restarted: expect.stringMatching(/ran with other settings/) })
    expect(appendRun(old, { ...baselineFrom(run(1), 'main'), scenario: 'other' }, 5).restarted).toMatch(/saved from scenario/)
    expect(savedRuns(appendRun(old, next, 5).baseline)).toHaveLength(1)
  })

  it('historySpread: the range of the saved runs\u2019 medians over the baseline median (worked by hand)', () => {
    // Run medians 100, 104, 98 (center 100): (104 − 98) / 100 = 0.06; difference mode: 6.
    expect(historySpread([[99, 100, 101], [104], [97, 98, 99]], 'ratio', 100)).toBeCloseTo(0.06, 12)
    expect(historySpread([[99, 100, 101], [104], [97, 98, 99]], 'difference', 100)).toBeCloseTo(6, 12)
    expect(historySpread([[1, 2, 3]], 'ratio', 2)).toBeNaN()
  })

  it('a change beyond min-change but within the history\u2019s spread passes; beyond both fails', () => {
    // Saved runs at 100%, 96%, 102%, 98%: spread (1.02 − 0.96) / ~0.99 ≈ 6%.
    const b = { baseline: history([1, 0.96, 1.02, 0.98]), file: 'b.json' }
    const within = evaluateGate(run(0.94), { ...opts, baseline: b })
    expect(within.mode).toBe('history')
    expect(within.baseline!.runs).toBe(4)
    expect(rpsOf(within).spread).toBeCloseTo(0.06 / 0.99, 2)
    expect(rpsOf(within)).toMatchObject({ verdict: 'unchanged', reason: expect.stringMatching(/^within the history's spread \(5\.\d+% ≤ 6\.\d+%, the range of 4 saved runs' medians\)/) })
    expect(within.verdict).toBe('pass')
    const beyond = evaluateGate(run(0.85), { ...opts, baseline: b })
    expect(rpsOf(beyond).verdict).toBe('regression')
    expect(gateText(beyond)).toMatch(/4 saved runs, the newest saved .* and beyond the spread between the saved runs' medians/)
    // The same drop against the newest run alone (no history) fails: the spread is what saves it.
    expect(rpsOf(evaluateGate(run(0.94), { ...opts, baseline: { baseline: history([0.99]), file: 'b.json' } })).verdict).toBe('regression')
  })

  it('a baseline of one run is mode baseline; two runs get a note that they guard little', () => {
    expect(evaluateGate(run(1), { ...opts, baseline: { baseline: history([1]), file: 'b.json' } }).mode).toBe('baseline')
    expect(evaluateGate(run(1), { ...opts, baseline: { baseline: history([1, 1.01]), file: 'b.json' } }).notes.join('\n')).toMatch(/holds 2 saved runs; the spread between 2 runs guards little/)
  })

  it('an old single-run baseline file (no history field) still loads and compares', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-history-'))
    const old = baselineFrom(run(1), 'old')
    expect(old.history).toBeUndefined()
    fs.mkdirSync(path.join(dir, 'baselines'))
    // Written as svcbench wrote baselines before the history existed.
    fs.writeFileSync(path.join(dir, 'baselines', 'old.json'), JSON.stringify({ kind: old.kind, schemaVersion: 1, name: 'old', savedAt: old.savedAt, scenario: old.scenario, machine: old.machine, versions: old.versions, variants: old.variants }))
    const { baseline } = await loadBaseline(dir, 'old')
    expect(savedRuns(baseline)).toHaveLength(1)
    expect(evaluateGate(run(1), { ...opts, baseline: { baseline, file: 'old.json' } })).toMatchObject({ mode: 'baseline', verdict: 'pass' })
    // --save-baseline onto it adds a run.
    const next = appendRun(await loadSaveTarget(dir, 'old'), baselineFrom(run(1.01), 'old'), 5).baseline
    await saveBaseline(dir, next)
    expect(savedRuns((await loadBaseline(dir, 'old')).baseline)).toHaveLength(2)
    expect(await loadSaveTarget(dir, 'none-yet')).toBeUndefined()
    fs.writeFileSync(path.join(dir, 'baselines', 'junk.json'), '{"hello":1}')
    await expect(loadSaveTarget(dir, 'junk')).rejects.toThrow(/--save-baseline: .*junk.json is not an svcbench baseline .*; remove it or save under another name/)
  })
})
