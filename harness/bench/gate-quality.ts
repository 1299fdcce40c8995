/**
 * npm run bench:gate-quality — measures the gate itself on this machine.
 *
 * Each round runs, one after another, blocks of 5 trials (what one CI run does): two blocks of
 * the unchanged scenario (A) and one block of each injected regression. Then:
 *   - A/A: every pair of distinct A blocks is a comparison (baseline = the earlier block), so
 *     false alarms include the drift between runs minutes apart, as in CI;
 *   - detection: every regression block against every A block recorded before it.
 * Both the default gate and the --normalize gate judge the same blocks. Finally one real gated
 * CLI comparison of a 5 s scenario is timed end to end (skip with --no-timing).
 *
 *   npm run bench:gate-quality [-- --rounds 6] [--no-timing]
 *
 * Prints a table and writes reports/bench/gate-quality-<time>.json.
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolveScenario } from '../scenario/resolve.ts'
import { runScenario } from '../runner.ts'
import { baselineFrom, type Baseline } from '../gate/baseline.ts'
import { evaluateGate } from '../gate/gate.ts'
import { alignLeft } from '../util/text-table.ts'
import { writeBenchJson } from './output.ts'
import { deepMerge } from '../util/merge.ts'
import { numberFlag, has } from './args.ts'
import type { RunResult } from '../model/results.ts'

const ROUNDS = numberFlag('--rounds', 6)
const TRIALS = numberFlag('--trials', 5)
const TIMING = !has('--no-timing')
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The scenario under test: pod service time dominates, as in a real service. */
const BASE = {
  name: 'gate-quality',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 5 } },
  service: { proxyMode: 'ipvs', ipvsScheduler: 'rr' },
  load: { duration: '1500ms', warmup: '500ms', connections: 32, clientIps: 32 },
}

const REGRESSIONS: Record<string, Record<string, unknown>> = {
  'pod latency +20%': { cluster: { pod: { latencyMs: 6 } } },
  'one pod at half speed': { cluster: { nodes: [{ name: 'node-a', pods: [{ latencyMs: 10 }, {}] }, { name: 'node-b', pods: 2 }] } },
  '1% errors': { cluster: { pod: { errorRate: 0.01 } } },
}

interface Block {
  kind: string
  round: number
  result: RunResult
  baseline: Baseline
  seconds: number
}

async function block(kind: string, round: number, override: Record<string, unknown>): Promise<Block> {
  const t0 = Date.now()
  const result = await runScenario(resolveScenario(deepMerge(BASE, override)), { trials: TRIALS, calibrate: true })
  const seconds = (Date.now() - t0) / 1000
  const rps = result.variants[0]!.trials.map((t) => Math.round(t.metrics['requests.rps'] as number))
  process.stderr.write(`round ${round} ${kind.padEnd(22)} ${seconds.toFixed(1)} s  rps ${rps.join(' ')}\n`)
  return { kind, round, result, baseline: baselineFrom(result, `${kind}-${round}`), seconds }
}

const blocks: Block[] = []
for (let r = 1; r <= ROUNDS; r++) {
  blocks.push(await block('A', r, {}))
  for (const [kind, o] of Object.entries(REGRESSIONS)) blocks.push(await block(kind, r, o))
  blocks.push(await block('A', r, {}))
}

interface Tally {
  comparisons: number
  failed: number
  byMetric: Record<string, number>
}
const tally = () => ({ comparisons: 0, failed: 0, byMetric: {} }) as Tally
const modes = { default: false, normalize: true } as const
const out: Record<string, Record<string, Tally>> = {}
for (const [mode, normalize] of Object.entries(modes)) {
  const rows: Record<string, Tally> = { 'A/A (false alarms)': tally(), ...Object.fromEntries(Object.keys(REGRESSIONS).map((k) => [k, tally()])) }
  const as = blocks.filter((b) => b.kind === 'A')
  const judge = (row: Tally, base: Block, cur: Block) => {
    const g = evaluateGate(cur.result, { baseline: { baseline: base.baseline, file: base.baseline.name }, normalize, minChange: 0.05, alpha: 0.05 })
    row.comparisons++
    if (g.verdict === 'fail') {
      row.failed++
      for (const c of g.comparisons.filter((x) => x.verdict === 'regression')) row.byMetric[c.path] = (row.byMetric[c.path] ?? 0) + 1
    }
  }
  for (let i = 0; i < as.length; i++) for (let j = i + 1; j < as.length; j++) judge(rows['A/A (false alarms)']!, as[i]!, as[j]!)
  for (const b of blocks.filter((x) => x.kind !== 'A')) {
    const before = as.filter((a) => blocks.indexOf(a) < blocks.indexOf(b))
    for (const a of before) judge(rows[b.kind]!, a, b)
  }
  out[mode] = rows
}

let timing: { seconds: number; exitCode: number | null; durationSec: number } | null = null
if (TIMING) {
  // One real gated comparison from the CLI, as CI runs it: a 5 s scenario, 5 trials, --baseline.
  const dir = fs.mkdtempSync(path.join(ROOT, 'reports', '.gate-quality-'))
  const scen = path.join(dir, 'five-seconds.ts')
  fs.writeFileSync(scen, `export default ${JSON.stringify({ ...BASE, name: 'gate-quality-5s', load: { ...BASE.load, duration: '5s', warmup: '1s' } })}\n`)
  const cli = (extra: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'harness/cli/bin.js'), scen, '--out', dir, '--no-report', '--ci', ...extra], { encoding: 'utf8' })
  cli(['--save-baseline', 'timing'])
  const t0 = Date.now()
  const r = cli(['--baseline', 'timing'])
  timing = { seconds: (Date.now() - t0) / 1000, exitCode: r.status, durationSec: 5 }
  fs.rmSync(dir, { recursive: true, force: true })
}

const pct = (t: Tally) => (t.comparisons === 0 ? 'n/a' : `${((100 * t.failed) / t.comparisons).toFixed(1)}%`)
process.stdout.write(`\ngate quality: ${ROUNDS} rounds, ${TRIALS} trials per run, ${blocks.length} runs of ${BASE.load.duration} (+${BASE.load.warmup} warm-up) each\n`)
process.stdout.write(`mean time per run of ${TRIALS} trials: ${(blocks.reduce((s, b) => s + b.seconds, 0) / blocks.length).toFixed(1)} s\n\n`)
const header = ['', 'comparisons', 'default gate', 'target', 'metrics that failed (default)', '--normalize gate']
const rows = Object.keys(out.default!).map((k) => {
  const d = out.default![k]!
  const n = out.normalize![k]!
  const target = k.startsWith('A/A') ? '≤ 5%' : '≥ 95%'
  return [k, String(d.comparisons), `${d.failed} (${pct(d)})`, target, Object.entries(d.byMetric).map(([m, c]) => `${m} ${c}`).join(', ') || '-', `${n.failed} (${pct(n)})`]
})
process.stdout.write(`${alignLeft([header, ...rows])}\n`)
if (timing !== null) process.stdout.write(`\none gated CLI comparison of a 5 s scenario (5 trials, --baseline): ${timing.seconds.toFixed(1)} s, exit ${timing.exitCode}\n`)

writeBenchJson('gate-quality', { rounds: ROUNDS, trials: TRIALS, scenario: BASE, regressions: REGRESSIONS, tallies: out, timing, blocks: blocks.map((b) => ({ kind: b.kind, round: b.round, seconds: b.seconds, trials: b.baseline.variants.default?.trials.map((t) => ({ rps: t['requests.rps'], p50: t['latency.p50'], p99: t['latency.p99'], errors: t['errors.rate'], jain: t['fairness.jain'], normalizedRps: t['normalized.rps'] })) })) })
