import { describe, it, expect } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { evaluateGate, medianMetrics } from '../../harness/gate/gate.ts'
import { variantMetrics, trialMetrics } from '../../harness/gate/metrics.ts'
import { baselineFrom, saveBaseline, loadBaseline } from '../../harness/gate/baseline.ts'
import { gateText, gateMarkdown, junitXml, githubAnnotations } from '../../harness/gate/output.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import type { RunResult } from '../../harness/model/results.ts'

const fixture = () => {
  const r = JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult
  r.trials = 1
  r.aborted = null
  for (const v of r.variants) {
    v.trials = []
    v.calibration = null
    v.normalized = null
  }
  return r
}

/** A run whose variants carry 5 trials: rps scaled by `scale[i]`, p99 by `p99[i]`. */
function withTrials(r: RunResult, rpsScale: number[], p99Scale: number[] = rpsScale.map(() => 1)): RunResult {
  for (const v of r.variants) {
    const m = variantMetrics(v)
    v.trials = rpsScale.map((s, i) => ({ trial: i + 1, disturbed: false, metrics: { ...m, 'requests.rps': (m['requests.rps'] as number) * s, 'latency.p99': (m['latency.p99'] as number) * (p99Scale[i] as number) } }))
  }
  r.trials = rpsScale.length
  return r
}

const opts = { normalize: false, minChange: 0.05, alpha: 0.05 }
const noise = [1, 1.01, 0.99, 1.005, 0.995]

describe('evaluateGate', () => {
  it('nothing to check → none', () => {
    expect(evaluateGate(fixture(), opts).verdict).toBe('none')
  })

  it('thresholds are checked on the medians over trials, per variant', () => {
    const r = withTrials(fixture(), [1, 0.5, 1.5, 1, 1])
    const run = resolveScenario({ name: 'x', thresholds: { 'requests.rps': `> ${Math.floor(r.variants[0]!.requests.rps * 0.9)}`, 'latency.p99': '< 0.001ms' }, variants: Object.fromEntries(r.variants.map((v) => [v.name, {}])) })
    r.resolved = run.variants
    const g = evaluateGate(r, opts)
    expect(g.thresholds).toHaveLength(2 * r.variants.length)
    expect(g.thresholds[0]).toMatchObject({ path: 'requests.rps', pass: true })
    expect(g.thresholds[0]!.measured).toBeCloseTo(r.variants[0]!.requests.rps, 6)
    expect(g.thresholds[1]).toMatchObject({ path: 'latency.p99', pass: false })
    expect(g.verdict).toBe('fail')
  })

  it('A/A: the same trials against themselves pass; a 20% throughput drop fails naming the metric', () => {
    const base = baselineFrom(withTrials(fixture(), noise), 'main')
    const same = evaluateGate(withTrials(fixture(), noise), { ...opts, baseline: { baseline: base, file: 'b.json' } })
    expect(same.verdict).toBe('pass')
    expect(same.comparisons.every((c) => c.verdict === 'unchanged')).toBe(true)
    const slow = evaluateGate(withTrials(fixture(), noise.map((x) => x * 0.8), noise.map((x) => x * 1.3)), { ...opts, baseline: { baseline: base, file: 'b.json' } })
    expect(slow.verdict).toBe('fail')
    const reg = slow.comparisons.filter((c) => c.verdict === 'regression').map((c) => `${c.variant} ${c.path}`)
    expect(reg).toEqual(expect.arrayContaining([`${fixture().variants[0]!.name} requests.rps`, `${fixture().variants[0]!.name} latency.p99`]))
    expect(gateText(slow)).toMatch(/requests\.rps .* -20\.0% .* REGRESSION/)
    expect(gateText(slow)).toMatch(/gate: FAIL/)
  })

  it('says when too few trials make failure impossible, and when a variant is not in the baseline', () => {
    const base = baselineFrom(withTrials(fixture(), [1, 1, 1]), 'b')
    const cur = withTrials(fixture(), [0.5, 0.5, 0.5])
    cur.variants[0]!.name = 'renamed'
    const g = evaluateGate(cur, { ...opts, baseline: { baseline: base, file: 'b.json' } })
    expect(g.notes.join('\n')).toMatch(/renamed is not in baseline b/)
    expect(g.notes.join('\n')).toMatch(/with 3 baseline and 3 current trials the test cannot reach p < 0.05/)
  })

  it('under --normalize the normalized ratios are compared instead of raw rps and latency', () => {
    const mk = (k: number[]) => {
      const r = withTrials(fixture(), noise)
      for (const v of r.variants) v.trials.forEach((t, i) => Object.assign(t.metrics, { 'normalized.rps': 0.5 * (k[i] as number), 'normalized.p50': 2, 'normalized.p99': 3 }))
      return r
    }
    const g = evaluateGate(mk([0.8, 0.81, 0.79, 0.8, 0.8]), { ...opts, normalize: true, baseline: { baseline: baselineFrom(mk(noise), 'n'), file: 'n.json' } })
    expect(g.comparisons.map((c) => c.path)).not.toContain('requests.rps')
    expect(g.comparisons.find((c) => c.path === 'normalized.rps')?.verdict).toBe('regression')
  })

  it('disturbed trials are left out of the statistics (unless all are), and the notes say how many ran again', () => {
    const base = baselineFrom(withTrials(fixture(), noise), 'main')
    const cur = withTrials(fixture(), [...noise, 0.5, 0.4])
    for (const v of cur.variants) {
      v.trials[5]!.disturbed = true
      v.trials[6]!.disturbed = true
    }
    const g = evaluateGate(cur, { ...opts, baseline: { baseline: base, file: 'b.json' } })
    expect(g.verdict).toBe('pass')
    expect(g.notes.join('\n')).toMatch(/2 of 7 trials were disturbed by another program .* left out/)
    expect(trialMetrics(cur.variants[0]!)).toHaveLength(5)
    // Fewer than 4 clean trials: all are used.
    for (const t of cur.variants[0]!.trials.slice(2)) t.disturbed = true
    expect(trialMetrics(cur.variants[0]!)).toHaveLength(7)
  })

  it('medianMetrics: median per path, null if any trial is null', () => {
    expect(medianMetrics([{ a: 1, b: null }, { a: 3, b: 2 }, { a: 2, b: 1 }])).toEqual({ a: 2, b: null })
  })
})

describe('baseline files', () => {
  it('round-trip: save, load, compare', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-baseline-'))
    const r = withTrials(fixture(), noise)
    const file = await saveBaseline(dir, baselineFrom(r, 'main'))
    expect(file).toBe(path.join(dir, 'baselines', 'main.json'))
    const { baseline } = await loadBaseline(dir, 'main')
    expect(baseline.variants[r.variants[0]!.name]!.trials).toHaveLength(5)
    expect(baseline.variants[r.variants[0]!.name]!.trials[1]!['requests.rps']).toBe(r.variants[0]!.trials[1]!.metrics['requests.rps'])
    expect(evaluateGate(withTrials(fixture(), noise), { ...opts, baseline: { baseline, file } }).verdict).toBe('pass')
  })
  it('a missing or foreign file is bad input naming --baseline and the choices', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-baseline-'))
    await expect(loadBaseline(dir, 'nope')).rejects.toThrow(/--baseline: got "nope"; no file .*nope.json; record one first with --save-baseline nope/)
    fs.mkdirSync(path.join(dir, 'baselines'))
    fs.writeFileSync(path.join(dir, 'baselines', 'x.json'), '{"hello":1}')
    await expect(loadBaseline(dir, 'x')).rejects.toThrow(/not an svcbench baseline/)
    await expect(loadBaseline(dir, 'y')).rejects.toThrow(/expected one of "x"/)
  })
})

describe('gate output', () => {
  const failing = () => {
    const base = baselineFrom(withTrials(fixture(), noise), 'main')
    const r = withTrials(fixture(), noise.map((x) => x * 0.7))
    r.resolved = resolveScenario({ name: 'x', thresholds: { 'errors.rate': '< 1%' }, variants: Object.fromEntries(r.variants.map((v) => [v.name, {}])) }).variants
    return evaluateGate(r, { ...opts, baseline: { baseline: base, file: 'reports/baselines/main.json' } })
  }
  it('JUnit: one testcase per threshold and compared metric, failures with messages, escaped', () => {
    const g = failing()
    const x = junitXml(g, 'nat-ip-hash', 12.5)
    const cases = x.match(/<testcase /g)!.length
    expect(cases).toBe(g.thresholds.length + g.comparisons.length)
    const fails = x.match(/<failure /g)!.length
    expect(x).toContain(`<testsuites name="svcbench" tests="${cases}" failures="${fails}" errors="0" time="12.500">`)
    expect(x).toMatch(/<testcase classname="svcbench.nat-ip-hash.baseline" name="[^"]+ requests.rps" time="0">\s*<failure message="regressed -30.0%/)
    expect(x).toContain('name="' + g.thresholds[0]!.variant + ' errors.rate &lt; 1%"')
    expect(x.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')).toBe(true)
  })
  it('Markdown: verdict heading, failures first, tables', () => {
    const m = gateMarkdown(failing())
    expect(m).toMatch(/^## Gate: ❌ FAIL\n\n- \*\*/)
    expect(m).toContain('| variant | metric | baseline | current | change | 95% CI | p | verdict |')
    expect(m).toContain('### Thresholds')
  })
  it('GitHub annotations: one ::error:: line per failure', () => {
    const g = failing()
    const a = githubAnnotations(g, 'nat-ip-hash')
    expect(a.split('\n').filter((l) => l !== '').every((l) => l.startsWith('::error title=svcbench gate (nat-ip-hash)::'))).toBe(true)
    expect(a.split('\n').filter((l) => l !== '')).toHaveLength(g.comparisons.filter((c) => c.verdict === 'regression').length + g.thresholds.filter((t) => !t.pass).length)
  })
})
