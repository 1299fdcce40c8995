/** How bench:gate-quality forms its comparisons, on fixture runs (no I/O, nothing runs). */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { histories, judgePaired, pairWindows, wilson, AA, type PairedBlock, type UnpairedBlock } from '../../harness/bench/gate-quality-judge.ts'
import { baselineFrom, savedRuns } from '../../harness/gate/baseline.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'
import type { RunResult } from '../../harness/model/results.ts'

const fixture = () => JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult

/** A paired run of `ratio.length` pairs: candidate rps = baseline × ratio[i]; `disturbed` pair numbers flagged. */
function pairedRun(ratio: number[], disturbed: number[] = []): RunResult {
  const r = fixture()
  const m = variantMetrics(r.variants[0]!)
  r.aborted = null
  r.variants.forEach((v, k) => (v.trials = ratio.map((x, i) => ({ trial: i + 1, pair: i + 1, disturbed: false, metrics: { ...m, 'requests.rps': 10_000 * (k === 1 ? x : 1) } }))))
  r.paired = { baseline: r.variants[0]!.name, candidate: r.variants[1]!.name, pairs: ratio.map((_, i) => ({ pair: i + 1, first: i % 2 === 0 ? 'baseline' : 'candidate', disturbed: disturbed.includes(i + 1) })) }
  return r
}

describe('bench:gate-quality comparisons', () => {
  it('pairWindows: every run of `size` consecutive clean pairs, stride 1', () => {
    expect(pairWindows(pairedRun(Array(8).fill(1)), 6)).toEqual([[1, 2, 3, 4, 5, 6], [2, 3, 4, 5, 6, 7], [3, 4, 5, 6, 7, 8]])
    expect(pairWindows(pairedRun(Array(8).fill(1), [2]), 6)).toEqual([[1, 3, 4, 5, 6, 7], [3, 4, 5, 6, 7, 8]])
    expect(pairWindows(pairedRun(Array(4).fill(1)), 6)).toEqual([])
  })

  it('judgePaired: 12 pairs give 7 windows of 6, 2 of them disjoint (independent)', () => {
    const blocks: PairedBlock[] = [
      { kind: 'A', round: 1, result: pairedRun(Array(12).fill(1)), seconds: 1 },
      { kind: 'slow', round: 1, result: pairedRun(Array(12).fill(0.8)), seconds: 1 },
    ]
    const t = judgePaired(blocks, ['slow'], 6)
    expect(t[AA]).toMatchObject({ comparisons: 7, failed: 0, independent: { comparisons: 2, failed: 0 } })
    expect(t.slow).toMatchObject({ comparisons: 7, failed: 7, byMetric: { 'requests.rps': 7 }, independent: { comparisons: 2, failed: 2 } })
  })

  it('histories: ending at each earlier A run from the second, the last N of them (2 to N runs)', () => {
    const r = fixture()
    const as: UnpairedBlock[] = [1, 2, 3, 4].map((i) => ({ kind: 'A', round: i, result: r, baseline: { ...baselineFrom(r, 'a'), savedAt: `run-${i}` }, seconds: 1 }))
    const hs = histories(as, 3)
    expect(hs.map((h) => savedRuns(h).map((x) => x.savedAt))).toEqual([['run-1', 'run-2'], ['run-1', 'run-2', 'run-3'], ['run-2', 'run-3', 'run-4']])
  })

  it('wilson: the 95% score interval (worked by hand for k = 0: upper = z²/(n + z²))', () => {
    const z2 = 1.959964 ** 2
    expect(wilson(0, 10)[0]).toBe(0)
    expect(wilson(0, 10)[1]).toBeCloseTo(z2 / (10 + z2), 9)
    expect(wilson(10, 10)[0]).toBeCloseTo(10 / (10 + z2), 9)
    expect(wilson(0, 0)).toEqual([0, 1])
  })
})
