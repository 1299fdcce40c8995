/**
 * The paired gate (--pair), history baselines and --confirm from the CLI, on real sockets.
 * Each paired run is 6 pairs = 12 trials of 1 s of load on fresh clusters: about 15–20 s on a
 * quiet machine. The history/confirm test runs 4 CLI runs of 3 trials of 0.4 s (with their
 * calibration): about 20 s. When other programs keep the machine busy every trial counts as
 * disturbed and runs again, which doubles that; hence the 90 s timeouts. The runner test at the
 * end runs 12 trials of 0.2 s, about 5–10 s.
 */
import { describe, expect, it, afterAll } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCli } from '../helpers/cli.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-paired-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const SCENARIO = 'test/fixtures/scenarios/paired.ts'
const resultsIn = (root: string) =>
  fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('results.json')).map((f) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8')))

describe('--pair from the CLI', () => {
  it('a variant that does not exist, or the same one twice, is bad input naming --pair: exit 2, nothing run', async () => {
    const out = path.join(tmp, 'bad')
    const a = await runCli([SCENARIO, '--out', out, '--pair', 'main,nope'])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('--pair: got "nope"; expected one of "main", "same", "slower"')
    const b = await runCli([SCENARIO, '--out', out, '--pair', 'main,main'])
    expect(b.code).toBe(2)
    expect(b.stderr).toContain('--pair: got "main,main"; expected two different variants')
    const c = await runCli(['test/fixtures/scenarios/tiny.ts', '--out', out, '--pair', 'default,other'])
    expect(c.code).toBe(2)
    expect(c.stderr).toMatch(/--pair: got "other"; the scenario has one variant \("default"\); --pair needs two/)
    expect(fs.existsSync(out)).toBe(false)
  })

  it.each([1, 2])('two identical variants pass (exit 0), run %i of 2; results and JUnit say mode paired, the terminal prints the pairs', async (n) => {
    const out = path.join(tmp, `same-${n}`)
    const junit = path.join(out, 'j.xml')
    const r = await runCli([SCENARIO, '--out', out, '--pair', 'main,same', '--no-report', '--ci', '--junit', junit])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^paired: candidate same \(B\) against baseline main \(A\), \d+ pairs used of \d+ run/m)
    expect(r.stdout).toMatch(/^ {2}pair {2}order {2}requests\.rps {2}latency\.p50/m)
    expect(r.stdout).toMatch(/^ {2}1 {5}A B /m)
    // (a disturbed pair runs again in its own order, so the second B A row may come later)
    expect(r.stdout).toMatch(/^ {2}\d+ +B A /m)
    expect(r.stdout).toMatch(/gate: PASS/)
    const [res] = resultsIn(out)
    expect(res.gate).toMatchObject({ mode: 'paired', verdict: 'pass', paired: { baseline: 'main', candidate: 'same' } })
    expect(res.paired.pairs.length).toBeGreaterThanOrEqual(6)
    expect(res.variants.map((v: { name: string }) => v.name)).toEqual(['main', 'same'])
    expect(res.variants[0].trials.every((t: { pair?: number }) => typeof t.pair === 'number')).toBe(true)
    expect(fs.readFileSync(junit, 'utf8')).toContain('<property name="mode" value="paired"/>')
  }, 90_000)

  it('a variant whose pods are 30% slower fails (exit 1) naming latency', async () => {
    const out = path.join(tmp, 'slower')
    const r = await runCli([SCENARIO, '--out', out, '--pair', 'main,slower', '--no-report', '--ci', '--no-confirm'])
    expect(r.code, r.stdout + r.stderr).toBe(1)
    expect(r.stdout).toMatch(/^ {2}slower +latency\.p50 .* REGRESSION/m)
    expect(r.stdout).toMatch(/gate: FAIL/)
    const [res] = resultsIn(out)
    expect(res.gate.comparisons.find((c: { path: string }) => c.path === 'latency.p50')).toMatchObject({ verdict: 'regression', test: 'wilcoxon-signed-rank' })
    expect(res.gate.confirm).toBeNull()
  }, 90_000)
})

describe('the GitHub Actions recipe of docs/gates.md', () => {
  it('its scenario runs the pull request against the base branch laid out side by side (hello.mjs as both builds)', async () => {
    const doc = fs.readFileSync('docs/gates.md', 'utf8')
    const recipe = doc.slice(doc.indexOf('### GitHub Actions: the pull request against its base branch'))
    const scenario = /```ts\n([\s\S]*?)```/.exec(recipe)![1]!
    const yaml = /```yaml\n([\s\S]*?)```/.exec(recipe)![1]!
    expect(yaml).toContain('--pair base,pr')
    expect(yaml).toMatch(/working-directory: pr\n\s+run: node \.\.\/svcbench\/harness\/cli\/bin\.js perf\/svcbench\.ts --pair base,pr/)
    // The workspace as the workflow leaves it: pr/ and base/ checked out side by side, each built into dist/.
    const ws = path.join(tmp, 'workspace')
    for (const side of ['base', 'pr']) {
      fs.mkdirSync(path.join(ws, side, 'dist'), { recursive: true })
      fs.copyFileSync('scenarios/servers/hello.mjs', path.join(ws, side, 'dist', 'server.mjs'))
    }
    fs.mkdirSync(path.join(ws, 'pr', 'perf'))
    fs.writeFileSync(path.join(ws, 'pr', 'perf', 'svcbench.ts'), scenario)
    const out = path.join(tmp, 'recipe-out')
    // One pair of short trials: the layout and the command lines are what this checks, not a verdict.
    const r = await runCli(['perf/svcbench.ts', '--pair', 'base,pr', '--pairs', '1', '--duration', '300ms', '--warmup', '100ms', '--out', out, '--no-report', '--ci', '--no-confirm'], { cwd: path.join(ws, 'pr') })
    expect(r.code, r.stdout + r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^paired: candidate pr \(B\) against baseline base \(A\)/m)
    const [res] = resultsIn(out)
    // Each variant started its own build.
    const started = res.resolved.map((v: { cluster: { command: { argv: string[]; cwd: string } } }) => path.resolve(v.cluster.command.cwd, v.cluster.command.argv.at(-1)!))
    expect(started).toEqual([path.join(ws, 'base', 'dist', 'server.mjs'), path.join(ws, 'pr', 'dist', 'server.mjs')].map((f) => fs.realpathSync(f)))
  }, 90_000)
})

describe('history baselines and --confirm from the CLI', () => {
  it('--save-baseline keeps a history; a regression beyond it is confirmed by a second run of the candidate, both reported', async () => {
    const out = path.join(tmp, 'history')
    const save = (extra: string[] = []) => runCli(['test/fixtures/scenarios/tiny.ts', '--out', out, '--no-report', '--ci', '--save-baseline', 'main', '--trials', '3', ...extra])
    const one = await save()
    expect(one.code, one.stderr).toBe(0)
    expect(one.stdout).toMatch(/baseline saved: .*main\.json \(3 trials per variant\); 1 saved run kept of at most 5$/m)
    const two = await save(['--baseline-runs', '3'])
    expect(two.stdout).toMatch(/\(3 trials per variant\); 2 saved runs kept of at most 3$/m)
    const file = JSON.parse(fs.readFileSync(path.join(out, 'baselines', 'main.json'), 'utf8'))
    expect(file.history).toHaveLength(1)

    const slow = path.join(tmp, 'slow.ts')
    fs.writeFileSync(slow, fs.readFileSync('test/fixtures/scenarios/tiny.ts', 'utf8').replace('latencyMs: 0', 'latencyMs: 20'))
    const junit = path.join(out, 'j.xml')
    const r = await runCli([slow, '--out', out, '--no-report', '--ci', '--baseline', 'main', '--trials', '3', '--confirm', '--junit', junit])
    expect(r.code, r.stdout + r.stderr).toBe(1)
    expect(r.stderr).toMatch(/the comparison failed; confirming: running default once more/)
    expect(r.stdout).toMatch(/2 saved runs, the newest saved/)
    expect(r.stdout).toMatch(/latency\.p50 .* REGRESSION \(confirmed\)/)
    expect(r.stdout).toMatch(/^confirm: ran default once more/m)
    const [res] = resultsIn(out).filter((x) => x.gate?.baseline?.name === 'main')
    expect(res.gate).toMatchObject({ mode: 'history', verdict: 'fail', baseline: { runs: 2 } })
    expect(res.gate.confirm.confirmed).toContain('default latency.p50')
    expect(res.gate.confirm.trials[0].metrics.length).toBeGreaterThanOrEqual(3)
    expect(fs.readFileSync(junit, 'utf8')).toMatch(/classname="svcbench.tiny.confirm" name="default latency.p50" time="0">\s*<failure/)
  }, 90_000)
})

describe('runScenario paired', () => {
  it('runs the two variants as adjacent pairs in alternating order; a disturbed trial runs again with its partner', async () => {
    const { resolveScenario } = await import('../../harness/scenario/resolve.ts')
    const { runScenario } = await import('../../harness/runner.ts')
    const scenario = { name: 'pairs', cluster: { nodes: 1, replicas: 2, pod: { latencyMs: 0 } }, load: { duration: '200ms', warmup: '0ms', connections: 2, clientIps: 2 }, variants: { a: {}, b: {} } }
    const run = resolveScenario(scenario)
    const order: string[] = []
    const r = await runScenario(run, { trials: 2, paired: true, onVariantStart: (v) => order.push(v.name) })
    // Pairs alternate A B, B A (more when other programs disturbed a trial: then both run again).
    expect(order.slice(0, 2)).toEqual(['a', 'b'])
    expect(r.paired!.pairs[0]).toMatchObject({ pair: 1, first: 'baseline' })
    expect(r.paired!.pairs.find((p) => p.first === 'candidate')).toBeDefined()
    // A limit below zero makes every trial disturbed: 2 pairs + 2 re-runs (the budget is --pairs
    // extra pairs), each re-run the whole pair in its slot's order.
    const d = await runScenario(run, { trials: 2, paired: true, disturbedOtherPct: -1 })
    expect(d.paired).toEqual({ baseline: 'a', candidate: 'b', pairs: [1, 2, 3, 4].map((pair) => ({ pair, first: pair <= 3 ? 'baseline' : 'candidate', disturbed: true })) })
    for (const v of d.variants) expect(v.trials.map((t) => t.pair)).toEqual([1, 2, 3, 4])
    await expect(runScenario(resolveScenario({ ...scenario, name: 'three', variants: { a: {}, b: {}, c: {} } }), { trials: 2, paired: true })).rejects.toThrow(/paired: got 3 variants; expected exactly two/)
  }, 60_000)
})
