import { describe, expect, it, afterAll } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCli } from '../helpers/cli.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-gate-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const results = (root: string) =>
  fs.existsSync(root) ? fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('results.json')).map((f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'))) : []

describe('gate from the CLI', () => {
  it('a failed threshold exits 1 and says so in the terminal, JUnit, the step summary and an ::error:: annotation', async () => {
    const out = path.join(tmp, 'fail')
    const summary = path.join(tmp, 'step-summary.md')
    fs.writeFileSync(summary, 'earlier step\n')
    const junit = path.join(tmp, 'junit', 'svcbench.xml')
    const r = await runCli(['test/fixtures/scenarios/gated.ts', '--out', out, '--junit', junit, '--ci'], { env: { TINY_MIN_RPS: '1000000000', GITHUB_STEP_SUMMARY: summary } })
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/PASS {2}default {2}latency\.p99 < 5s {2}measured/)
    expect(r.stdout).toMatch(/FAIL {2}default {2}requests\.rps > 1000000000 {2}measured/)
    expect(r.stdout).toMatch(/gate: FAIL \(1 of 3 checks failed\)/)
    expect(r.stdout).toMatch(/^::error title=svcbench gate \(gated\)::default: threshold requests.rps > 1000000000 failed: measured /m)
    const x = fs.readFileSync(junit, 'utf8')
    expect(x).toMatch(/tests="3" failures="1"/)
    const md = fs.readFileSync(summary, 'utf8')
    expect(md.startsWith('earlier step\n# svcbench: gated')).toBe(true)
    expect(md).toContain('## Gate: ❌ FAIL')
    const [res] = results(out)
    expect(res.gate.verdict).toBe('fail')
    expect(res.gate.thresholds).toHaveLength(3)
  })

  it('passing thresholds exit 0', async () => {
    const r = await runCli(['test/fixtures/scenarios/gated.ts', '--out', path.join(tmp, 'pass'), '--no-report', '--ci'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/gate: PASS \(0 of 3 checks failed\)/)
  })

  it('a bad threshold, a missing baseline or a bad --compare is bad input: exit 2, nothing run, nothing written', async () => {
    const scen = path.join(tmp, 'bad-threshold.ts')
    fs.writeFileSync(scen, `export default { name: 'bad', thresholds: { 'latency.p99': '< 25 parsecs', 'requests.rsp': '> 1' } }\n`)
    const out = path.join(tmp, 'bad')
    const a = await runCli([scen, '--out', out])
    expect(a.code).toBe(2)
    expect(a.stderr).toMatch(/thresholds\["latency.p99"\]: got "< 25 parsecs"; expected <op> <number><unit\?>/)
    expect(a.stderr).toMatch(/thresholds\["requests.rsp"\]: no metric at "requests.rsp"/)
    const b = await runCli(['test/fixtures/scenarios/tiny.ts', '--out', out, '--baseline', 'never-saved'])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/--baseline: got "never-saved"; no file .*never-saved\.json/)
    const c = await runCli(['test/fixtures/scenarios/tiny.ts', '--out', out, '--compare', 'requests.rps,latency.p98'])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/--compare: got "latency.p98"; no such metric/)
    expect(fs.existsSync(out)).toBe(false)
  })

  it('baseline round trip: save with trials, then slower pods fail with exit 1 naming the metric and the changed settings', async () => {
    const out = path.join(tmp, 'baseline')
    const save = await runCli(['test/fixtures/scenarios/tiny.ts', '--out', out, '--no-report', '--ci', '--save-baseline', 'main', '--trials', '4'])
    expect(save.code, save.stderr).toBe(0)
    expect(save.stdout).toMatch(/baseline saved: .*main\.json \(4 trials per variant\)/)
    const b = JSON.parse(fs.readFileSync(path.join(out, 'baselines', 'main.json'), 'utf8'))
    expect(b.kind).toBe('svcbench-baseline')
    // (trials another program disturbed ran again; the baseline keeps the clean ones)
    expect(b.variants.default.trials.length).toBeGreaterThanOrEqual(4)
    expect(b.variants.default.trials[0]['calibration.rps']).toBeGreaterThan(0)
    expect(b.variants.default.trials[0]['normalized.rps']).toBeGreaterThan(0)
    const [saved] = results(out)
    expect(saved.trials).toBe(4)
    expect(saved.variants[0].trials.length).toBeGreaterThanOrEqual(4)

    const slow = path.join(tmp, 'slow.ts')
    fs.writeFileSync(slow, fs.readFileSync('test/fixtures/scenarios/tiny.ts', 'utf8').replace("latencyMs: 0", 'latencyMs: 20'))
    const r = await runCli([slow, '--out', out, '--no-report', '--ci', '--baseline', 'main', '--trials', '4', '--junit', path.join(out, 'j.xml')])
    expect(r.code, r.stderr + r.stdout).toBe(1)
    expect(r.stdout).toMatch(/default {2}requests\.rps .* REGRESSION/)
    expect(r.stdout).toMatch(/default {2}latency\.p50 .* REGRESSION/)
    expect(r.stdout).toMatch(/note: variant default runs with other settings than the baseline/)
    expect(fs.readFileSync(path.join(out, 'j.xml'), 'utf8')).toMatch(/name="default requests.rps" time="0">\s*<failure message="regressed -/)
  }, 60_000)

  it('abortOnFail stops a clearly failing run early: exit 1, results say what aborted it', async () => {
    const scen = path.join(tmp, 'abort.ts')
    fs.writeFileSync(
      scen,
      `export default { name: 'abort', cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0 } }, load: { duration: '5s', warmup: 0, connections: 4, clientIps: 4 },
        faults: [{ at: '100ms', action: 'fail-pod', target: { node: 'node-a' }, errorRate: 1 }],
        thresholds: { 'errors.rate': { limit: '< 1%', abortOnFail: true, delayAbortEval: '300ms' } } }\n`,
    )
    const out = path.join(tmp, 'abort')
    const r = await runCli([scen, '--out', out, '--no-report', '--ci'])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toMatch(/aborted: default: aborted at \d+(\.\d)?s: errors.rate < 1% failed/)
    const [res] = results(out)
    expect(res.aborted).toMatchObject({ variant: 'default', path: 'errors.rate', condition: '< 1%' })
    expect(res.aborted.atSec).toBeGreaterThanOrEqual(0.3)
    expect(res.variants[0].durationSec).toBeLessThan(4)
    expect(res.gate.verdict).toBe('fail')
  })
})

describe('disturbed trials', () => {
  it('a trial another program disturbed runs again (up to `trials` extra runs) and is flagged; the clean ones stand', async () => {
    const { resolveScenario } = await import('../../harness/scenario/resolve.ts')
    const { runScenario } = await import('../../harness/runner.ts')
    const { trialMetrics } = await import('../../harness/gate/metrics.ts')
    const run = resolveScenario({ name: 'disturbed', cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0 } }, load: { duration: '200ms', warmup: 0, connections: 2, clientIps: 2 } })
    // A limit below zero makes every trial "disturbed": 2 trials + 2 re-runs, all flagged.
    const seen: number[] = []
    const r = await runScenario(run, { trials: 2, disturbedOtherPct: -1, onDisturbed: (_v, pct) => seen.push(pct) })
    const v = r.variants[0]!
    expect(v.trials).toHaveLength(4)
    expect(v.trials.every((t) => t.disturbed)).toBe(true)
    expect(seen).toHaveLength(2)
    expect(trialMetrics(v)).toHaveLength(4) // all disturbed: all are used
    expect(typeof v.cpu!.otherPct).toBe('number')
    // With the real limit (other test files may be running: some trials may still count as disturbed).
    const q = await runScenario(run, { trials: 2 })
    expect(q.variants[0]!.trials.length).toBeGreaterThanOrEqual(2)
    expect(q.variants[0]!.trials.length).toBeLessThanOrEqual(4)
  })
})
