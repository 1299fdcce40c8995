import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { confirmGate, confirmVariants, needsConfirm } from '../../harness/gate/confirm.ts'
import { evaluateGate } from '../../harness/gate/gate.ts'
import { baselineFrom } from '../../harness/gate/baseline.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'
import { gateText, junitXml, githubAnnotations, failures } from '../../harness/gate/output.ts'
import type { RunResult } from '../../harness/model/results.ts'

/** A run of 5 trials per variant: rps × `rps`, p50 × `p50`. */
function run(rps = 1, p50 = 1): RunResult {
  const r = JSON.parse(fs.readFileSync(new URL('../fixtures/results/nat-ip-hash.json', import.meta.url), 'utf8')) as RunResult
  r.aborted = null
  for (const v of r.variants) {
    const m = variantMetrics(v)
    v.trials = [1, 1.01, 0.99, 1.005, 0.995].map((k, i) => ({ trial: i + 1, disturbed: false, metrics: { ...m, 'requests.rps': (m['requests.rps'] as number) * k * rps, 'latency.p50': (m['latency.p50'] as number) * k * p50 } }))
  }
  r.trials = 5
  return r
}

const base = { baseline: baselineFrom(run(), 'main'), file: 'b.json' }
const opts = { normalize: false, minChange: 0.05, alpha: 0.05, baseline: base, confirm: true }
const first = evaluateGate(run(0.8), opts)

describe('confirmGate', () => {
  it('the first comparison regressed: a confirmation is needed, of the variants that regressed', () => {
    expect(needsConfirm(first, run())).toBe(true)
    expect(confirmVariants(first)).toEqual(['one-nat-address', 'distinct-clients'])
    expect(needsConfirm(evaluateGate(run(), opts), run())).toBe(false)
    expect(needsConfirm(first, { interrupted: true, aborted: null })).toBe(false)
    expect(needsConfirm(first, { interrupted: false, aborted: { variant: 'x', path: 'errors.rate', condition: '< 1%', measured: 1, atSec: 1 } })).toBe(false)
  })

  it('the second comparison regresses too: the gate fails, both are reported (terminal, JUnit)', () => {
    const again = run(0.8)
    const g = confirmGate(first, evaluateGate(again, opts), again)
    expect(g.verdict).toBe('fail')
    expect(g.confirm!.confirmed).toEqual(['one-nat-address requests.rps', 'distinct-clients requests.rps'])
    expect(g.confirm!.notConfirmed).toEqual([])
    expect(g.comparisons.filter((c) => c.verdict === 'regression').every((c) => c.confirmed === true)).toBe(true)
    const text = gateText(g)
    expect(text).toMatch(/requests\.rps .* REGRESSION \(confirmed\)/)
    expect(text).toMatch(/^confirm: ran one-nat-address and distinct-clients once more \(.*\): 2 of 2 regressions found again/m)
    expect(text).toMatch(/^ {2}confirmed: distinct-clients requests\.rps/m)
    const x = junitXml(g, 'nat', 1)
    expect(x).toMatch(/classname="svcbench.nat.baseline" name="distinct-clients requests.rps" time="0">\s*<failure message="regressed -20.0%.*; confirmed by a second run/)
    expect(x).toMatch(/classname="svcbench.nat.confirm" name="distinct-clients requests.rps" time="0">\s*<failure message="regressed -20.0%/)
    expect(x).toContain('tests="12" failures="4"')
    expect(githubAnnotations(g, 'nat').split('\n').filter((l) => l !== '')).toHaveLength(2)
  })

  it('the second comparison does not regress: the gate passes, the first regression reported as not confirmed', () => {
    const again = run(1)
    const g = confirmGate(first, evaluateGate(again, opts), again)
    expect(g.verdict).toBe('pass')
    expect(g.confirm!.notConfirmed).toEqual(['one-nat-address requests.rps', 'distinct-clients requests.rps'])
    expect(failures(g)).toEqual([])
    expect(gateText(g)).toMatch(/requests\.rps .* REGRESSION \(not confirmed\)/)
    expect(gateText(g)).toMatch(/gate: PASS \(0 of 10 checks failed; 2 regressions not confirmed by the second run\)/)
    const x = junitXml(g, 'nat', 1)
    expect(x).toContain('failures="0"')
    expect(x).toMatch(/name="distinct-clients requests.rps" time="0">\s*<system-out>regressed -20.0%.* in the first run; not confirmed by the second run, so not failed<\/system-out>/)
    expect(x).toMatch(/classname="svcbench.nat.confirm" name="distinct-clients requests.rps" time="0">\s*<system-out>unchanged: not significant/)
    expect(githubAnnotations(g, 'nat')).toBe('')
  })

  it('confirmation is per metric: another metric regressing the second time does not confirm the first', () => {
    const again = run(1, 1.5)
    const second = evaluateGate(again, opts)
    expect(second.comparisons.some((c) => c.path === 'latency.p50' && c.verdict === 'regression')).toBe(true)
    expect(confirmGate(first, second, again).verdict).toBe('pass')
  })

  it('a failed threshold fails the gate whatever the confirmation says', () => {
    const r = run(0.8)
    const g = { ...evaluateGate(r, opts), thresholds: [{ variant: 'v', path: 'requests.rps', condition: '> 1', limit: 1, measured: 0, pass: false }] }
    const again = run(1)
    expect(confirmGate(g, evaluateGate(again, opts), again).verdict).toBe('fail')
  })
})
