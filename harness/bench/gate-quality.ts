/**
 * npm run bench:gate-quality — measures the gate itself on this machine, in each of its modes, on
 * the same injected regressions and the same unchanged scenario.
 *
 * 1. Unpaired phase (the default gate, --normalize, history baselines): `--rounds` rounds, each
 *    running one after another blocks of `--trials` trials (what one CI run does, calibration
 *    included): the unchanged scenario (A), each injected regression, A again.
 * 2. Paired phase (--pair): `--paired-rounds` rounds, each one paired block per kind of `--block-pairs`
 *    adjacent pairs (baseline and candidate on fresh clusters, A B, B A, …): the candidate unchanged
 *    (A/A) or with each regression. Each window of `--pairs` consecutive pairs is one comparison.
 * 3. Timing (skip with --no-timing): one gated CLI comparison of a 5 s scenario with --baseline
 *    (5 trials) and one with --pair (6 pairs), end to end.
 * How comparisons are formed from the blocks: gate-quality-judge.ts.
 *
 *   npm run bench:gate-quality [-- --rounds 4] [--paired-rounds 4] [--block-pairs 12] [--pairs 6]
 *     [--trials 5] [--history 5] [--duration 1500ms] [--warmup 500ms] [--no-timing] [--record]
 *
 * With the defaults it takes about 25 minutes of the whole machine. Prints a table and writes
 * reports/bench/gate-quality-<time>.json (and, with --record, docs/measurements/).
 */
import fs from 'node:fs'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { resolveScenario } from '../scenario/resolve.ts'
import { runScenario } from '../runner.ts'
import { baselineFrom } from '../gate/baseline.ts'
import { alignLeft } from '../util/text-table.ts'
import { writeBenchJson } from './output.ts'
import { deepMerge } from '../util/merge.ts'
import { flag, numberFlag, has } from './args.ts'
import type { RunResult } from '../model/results.ts'
import { AA, judgeHistory, judgePaired, judgeUnpaired, rateCell, wilson, type PairedBlock, type Tally, type UnpairedBlock } from './gate-quality-judge.ts'

const ROUNDS = numberFlag('--rounds', 4)
const TRIALS = numberFlag('--trials', 5)
const HISTORY = numberFlag('--history', 5)
const PAIRED_ROUNDS = numberFlag('--paired-rounds', 4)
const BLOCK_PAIRS = numberFlag('--block-pairs', 12)
const PAIRS = numberFlag('--pairs', 6)
const TIMING = !has('--no-timing')
const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** The scenario under test: pod service time dominates, as in a real service. */
const BASE = {
  name: 'gate-quality',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 5 } },
  service: { proxyMode: 'ipvs', ipvsScheduler: 'rr' },
  load: { duration: flag('--duration', '1500ms'), warmup: flag('--warmup', '500ms'), connections: 32, clientIps: 32 },
}

const REGRESSIONS: Record<string, Record<string, unknown>> = {
  'pod latency +20%': { cluster: { pod: { latencyMs: 6 } } },
  'one pod at half speed': { cluster: { nodes: [{ name: 'node-a', pods: [{ latencyMs: 10 }, {}] }, { name: 'node-b', pods: 2 }] } },
  '1% errors': { cluster: { pod: { errorRate: 0.01 } } },
}
const KINDS = Object.keys(REGRESSIONS)

const log = (line: string) => process.stderr.write(`${line}\n`)
const rpsOf = (r: RunResult, variant = 0) => r.variants[variant]?.trials.map((t) => Math.round(t.metrics['requests.rps'] as number)) ?? []

async function unpaired(kind: string, round: number, override: Record<string, unknown>): Promise<UnpairedBlock> {
  const t0 = Date.now()
  const result = await runScenario(resolveScenario(deepMerge(BASE, override)), { trials: TRIALS, calibrate: true })
  const seconds = (Date.now() - t0) / 1000
  log(`round ${round} ${kind.padEnd(22)} ${seconds.toFixed(1)} s  rps ${rpsOf(result).join(' ')}`)
  return { kind, round, result, baseline: baselineFrom(result, `${kind}-${round}`), seconds }
}

async function paired(kind: string, round: number, override: Record<string, unknown>): Promise<PairedBlock> {
  const t0 = Date.now()
  const run = resolveScenario({ ...BASE, variants: { baseline: {}, candidate: override } })
  // As the CLI runs --pair: no calibration, a disturbed pair runs again.
  const result = await runScenario(run, { trials: BLOCK_PAIRS, paired: true })
  const seconds = (Date.now() - t0) / 1000
  const disturbed = result.paired?.pairs.filter((p) => p.disturbed).length ?? 0
  log(`paired round ${round} ${kind.padEnd(22)} ${seconds.toFixed(1)} s  ${result.paired?.pairs.length ?? 0} pairs (${disturbed} disturbed)  rps A ${rpsOf(result, 0).join(' ')} / B ${rpsOf(result, 1).join(' ')}`)
  return { kind, round, result, seconds }
}

log(`gate quality: ${ROUNDS} unpaired rounds (${ROUNDS * (KINDS.length + 2)} runs of ${TRIALS} trials), ${PAIRED_ROUNDS} paired rounds (${PAIRED_ROUNDS * (KINDS.length + 1)} blocks of ${BLOCK_PAIRS} pairs), ${BASE.load.duration} + ${BASE.load.warmup} warm-up per trial`)
const blocks: UnpairedBlock[] = []
for (let r = 1; r <= ROUNDS; r++) {
  blocks.push(await unpaired('A', r, {}))
  for (const [kind, o] of Object.entries(REGRESSIONS)) blocks.push(await unpaired(kind, r, o))
  blocks.push(await unpaired('A', r, {}))
}
const pairedBlocks: PairedBlock[] = []
for (let r = 1; r <= PAIRED_ROUNDS; r++) {
  pairedBlocks.push(await paired('A', r, {}))
  for (const [kind, o] of Object.entries(REGRESSIONS)) pairedBlocks.push(await paired(kind, r, o))
}

const modes: Record<string, Record<string, Tally>> = {
  default: judgeUnpaired(blocks, KINDS, false),
  normalize: judgeUnpaired(blocks, KINDS, true),
  history: judgeHistory(blocks, KINDS, HISTORY),
  paired: judgePaired(pairedBlocks, KINDS, PAIRS),
}

/** One real gated CLI comparison, as CI runs it, of a 5 s scenario; returns seconds and exit code. */
function timeCli(extra: string[], before: string[] | undefined): { seconds: number; exitCode: number | null } {
  const dir = fs.mkdtempSync(path.join(ROOT, 'reports', '.gate-quality-'))
  const scen = path.join(dir, 'five-seconds.ts')
  const five = { ...BASE, name: 'gate-quality-5s', load: { ...BASE.load, duration: '5s', warmup: '1s' }, variants: { main: {}, candidate: {} } }
  fs.writeFileSync(scen, `export default ${JSON.stringify(five)}\n`)
  const cli = (args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'harness/cli/bin.js'), scen, '--out', dir, '--no-report', '--ci', '--no-confirm', ...args], { encoding: 'utf8' })
  if (before !== undefined) cli(before)
  const t0 = Date.now()
  const r = cli(extra)
  fs.rmSync(dir, { recursive: true, force: true })
  return { seconds: (Date.now() - t0) / 1000, exitCode: r.status }
}
const timing = TIMING
  ? { baseline: timeCli(['--variant', 'main', '--baseline', 'timing'], ['--variant', 'main', '--save-baseline', 'timing']), paired: timeCli(['--pair', 'main,candidate'], undefined), durationSec: 5 }
  : null

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length)
const out = process.stdout
out.write(`\ngate quality: ${ROUNDS} rounds of ${TRIALS}-trial runs (${blocks.length} runs, ${mean(blocks.map((b) => b.seconds)).toFixed(1)} s each on average); ${pairedBlocks.length} paired blocks of ${BLOCK_PAIRS} pairs (${mean(pairedBlocks.map((b) => b.seconds)).toFixed(1)} s each), windows of ${PAIRS} pairs; ${BASE.load.duration} (+${BASE.load.warmup} warm-up) per trial\n\n`)
const rows = [AA, ...KINDS]
out.write(`${alignLeft([
  ['failed comparisons', 'target', 'default gate', '--normalize', `history (2–${HISTORY} saved runs)`, `paired (${PAIRS} pairs)`, 'paired, independent windows'],
  ...rows.map((k) => {
    const ind = modes.paired![k]!.independent!
    return [k, k === AA ? '≤ 5%' : '≥ 95%', rateCell(modes.default![k]), rateCell(modes.normalize![k]), rateCell(modes.history![k]), rateCell(modes.paired![k]), `${ind.failed}/${ind.comparisons}`]
  }),
])}\n`)
out.write('(failed/comparisons (rate; 95% Wilson interval); comparisons share runs, so the intervals are optimistic)\n\n')
out.write(`${alignLeft([['metrics that failed', ...Object.keys(modes)], ...rows.map((k) => [k, ...Object.values(modes).map((m) => Object.entries(m[k]!.byMetric).map(([p, c]) => `${p} ${c}`).join(', ') || '-')])])}\n`)
out.write('\n--confirm is not measured here (it needs a second run right after each failed one).\n')
if (timing !== null) {
  out.write(`\none gated CLI comparison of a 5 s scenario: --baseline (5 trials) ${timing.baseline.seconds.toFixed(1)} s, exit ${timing.baseline.exitCode}; --pair (6 pairs) ${timing.paired.seconds.toFixed(1)} s, exit ${timing.paired.exitCode}\n`)
}

const trialRow = (m: Record<string, number | null>) => ({ rps: m['requests.rps'], p50: m['latency.p50'], p99: m['latency.p99'], errors: m['errors.rate'], jain: m['fairness.jain'], normalizedRps: m['normalized.rps'] })
writeBenchJson('gate-quality', {
  rounds: ROUNDS,
  trials: TRIALS,
  pairedRounds: PAIRED_ROUNDS,
  blockPairs: BLOCK_PAIRS,
  pairs: PAIRS,
  historyRuns: HISTORY,
  scenario: BASE,
  regressions: REGRESSIONS,
  tallies: modes,
  intervals: Object.fromEntries(Object.entries(modes).map(([m, t]) => [m, Object.fromEntries(Object.entries(t).map(([k, x]) => [k, wilson(x.failed, x.comparisons)]))])),
  timing,
  blocks: blocks.map((b) => ({ kind: b.kind, round: b.round, seconds: b.seconds, trials: b.result.variants[0]?.trials.map((t) => ({ ...trialRow(t.metrics), disturbed: t.disturbed })) })),
  pairedBlocks: pairedBlocks.map((b) => ({
    kind: b.kind,
    round: b.round,
    seconds: b.seconds,
    pairs: b.result.paired?.pairs.map((p) => ({ ...p, baseline: trialRow(b.result.variants[0]?.trials.find((t) => t.pair === p.pair)?.metrics ?? {}), candidate: trialRow(b.result.variants[1]?.trials.find((t) => t.pair === p.pair)?.metrics ?? {}) })),
  })),
})
