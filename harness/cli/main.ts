/** argv → run → exit code. The only place that prints results and picks exit codes. */
import path from 'node:path'
import fs from 'node:fs'
import { parseArgs, usage, DEFAULT_GATE_TRIALS, type CliArgs } from './args.ts'
import { pairedRun, runAndGate, runShape } from './gate-run.ts'
import { EXIT } from './exit-codes.ts'
import { createProgress } from './progress.ts'
import { versions } from '../runner.ts'
import { writeResults, createRunDir } from '../report/results.ts'
import { comparisonTable, variantWarnings } from '../report/table.ts'
import { findingLines, findings } from '../report/findings.ts'
import { killAllChildren } from '../process/child.ts'
import { addressBlockFromEnv, failureExit, installSignals, rel, resolveFromArgs, writeReportsOrFail, type Streams } from './prepare.ts'
import { verifyCommand } from './verify.ts'
import { reportCommand } from './report.ts'
import { ScenarioError, HarnessError } from '../errors.ts'
import { writeFileAtomic } from '../util/fs.ts'
import { loadBaseline, loadSaveTarget, saveBaseline, baselineFrom, appendRun, savedRuns, DEFAULT_BASELINE_RUNS, type Baseline } from '../gate/baseline.ts'
import type { GateOptions } from '../gate/gate.ts'
import { gateText, junitXml, githubAnnotations } from '../gate/output.ts'
import { summaryMarkdown } from '../report/markdown.ts'
import { isKnownPath } from '../gate/thresholds.ts'
import { specFor } from '../gate/verdict.ts'
import { metricPathContext } from '../scenario/topology.ts'
import { preflightRun } from '../dataplane/registry.ts'
import type { RunResult } from '../model/results.ts'
import type { GateResult } from '../model/gate-result.ts'
import type { ResolvedRun } from '../model/scenario.ts'

/** Exit codes, with their meanings in exit-codes.ts (docs/cli.md "Exit codes"). */
export { EXIT }
/** Trials per variant under --baseline / --save-baseline unless --trials says otherwise. */
export { DEFAULT_GATE_TRIALS }

async function writeJunit(file: string, text: string): Promise<void> {
  try {
    await writeFileAtomic(file, text)
  } catch (e) {
    throw new HarnessError('RESULTS_WRITE_FAILED', `cannot write ${file}: ${(e as Error).message}`, { cause: e })
  }
}

/** --compare paths must name metrics some variant has. */
function checkCompare(run: ResolvedRun, paths: string[] | undefined): void {
  const bad = (paths ?? []).filter((p) => !run.variants.some((v) => isKnownPath(p, metricPathContext(v.cluster.nodes, v.faults.length))))
  if (bad.length > 0) {
    throw new ScenarioError(bad.map((p) => ({ path: '--compare', message: `got ${JSON.stringify(p)}; no such metric; expected paths such as requests.rps, latency.p99, errors.rate, fairness.jain, normalized.rps (docs/gates.md "Thresholds")` })))
  }
}

/** A run read and checked, ready to start. */
interface PreparedRun {
  run: ResolvedRun
  baseline: GateOptions['baseline']
  /** The baseline file --save-baseline adds this run to, when there is one. */
  saveTarget: Baseline | undefined
  /** SVCBENCH_ADDRESS_BLOCK, if set. */
  block: number | undefined
}

/** Read and check everything before anything starts: bad input here is exit 2 with nothing started. */
async function prepareRun(args: CliArgs, err: NodeJS.WriteStream): Promise<PreparedRun> {
  const block = addressBlockFromEnv()
  const resolved = await resolveFromArgs(args)
  // --pair: only the two variants it names run, the baseline first.
  const run = args.pair === undefined ? resolved : pairedRun(resolved, args.pair)
  checkCompare(run, args.compare)
  // What keeps the run's dataplane from running here (a bad SVCBENCH_L4_RELAY) is bad input too.
  const dataplaneIssues = preflightRun(run)
  if (dataplaneIssues.length > 0) throw new ScenarioError(dataplaneIssues)
  // The baseline is read before anything starts: a bad name is bad input, not a failed run.
  const baseline = args.baseline === undefined ? undefined : await loadBaseline(args.outDir, args.baseline)
  for (const n of run.notes) err.write(`svcbench: note: ${n}\n`)
  const saveTarget = args.saveBaseline === undefined ? undefined : await loadSaveTarget(args.outDir, args.saveBaseline)
  for (const w of run.warnings) err.write(`svcbench: warning: ${w}\n`)
  if (args.normalize && baseline === undefined && args.pair === undefined) err.write('svcbench: warning: --normalize only matters with --baseline or --pair; ignored\n')
  return { run, baseline, saveTarget, block }
}

/** --save-baseline: add the run's trials to the file's history (the last --baseline-runs kept), unless it was interrupted or aborted. */
async function saveBaselineOf(result: RunResult, args: CliArgs, previous: Baseline | undefined, { err, human }: Streams): Promise<void> {
  if (args.saveBaseline === undefined) return
  if (result.interrupted || result.aborted !== null) {
    err.write(`svcbench: not saving baseline ${args.saveBaseline}: the run was ${result.interrupted ? 'interrupted' : 'aborted'}\n`)
    return
  }
  const { baseline: b, restarted } = appendRun(previous, baselineFrom(result, args.saveBaseline), args.baselineRuns ?? DEFAULT_BASELINE_RUNS)
  if (restarted !== undefined) err.write(`svcbench: warning: baseline ${args.saveBaseline}: its history of saved runs starts again: ${restarted}\n`)
  const file = await saveBaseline(args.outDir, b)
  const runs = savedRuns(b).length
  human.write(`baseline saved: ${rel(file)} (${result.trials} trial${result.trials === 1 ? '' : 's'} per variant); ${runs} saved run${runs === 1 ? '' : 's'} kept of at most ${args.baselineRuns ?? DEFAULT_BASELINE_RUNS}\n`)
  for (const [name, bv] of Object.entries(b.variants)) {
    if (bv.disturbedTrials > 0) err.write(`svcbench: warning: baseline ${args.saveBaseline}: ${name} keeps ${bv.disturbedTrials} trials another program disturbed (too few were clean); comparisons against it are less sensitive; record it again on a quiet machine\n`)
  }
}

/**
 * GitHub Actions: the summary appended to $GITHUB_STEP_SUMMARY, and every gate failure as an
 * `::error` annotation on `stream`. The runner reads workflow commands from a step's stderr as
 * well as its stdout (actions/runner src/Runner.Worker/Handlers/ScriptHandler.cs gives each
 * stream an OutputManager that hands command lines to the ActionCommandManager), so under --json
 * the annotations go to stderr and stdout holds the results JSON alone.
 */
function publishToGitHub(result: RunResult, gate: GateResult, scenario: string, markdown: string | undefined, stream: NodeJS.WriteStream): void {
  const summaryFile = process.env.GITHUB_STEP_SUMMARY
  const hasSummary = summaryFile !== undefined && summaryFile !== ''
  // With --no-report: the same summary without the charts.
  if (hasSummary) fs.appendFileSync(summaryFile, markdown ?? summaryMarkdown(result, []))
  if (hasSummary || process.env.GITHUB_ACTIONS === 'true') stream.write(githubAnnotations(gate, scenario))
}

/** Write results.json, print the table and the gate, write reports, JUnit, the baseline and GitHub's summary. */
async function publish(result: RunResult, gate: GateResult, prepared: PreparedRun, args: CliArgs, runDir: string | undefined, streams: Streams): Promise<void> {
  const { run } = prepared
  const { out, err, human } = streams
  const resultsPath = await writeResults(result, args.outDir, runDir)
  if (args.json) out.write(`${JSON.stringify(result)}\n`)
  human.write(`\n${run.name}${run.description === '' ? '' : ` — ${run.description}`}\n`)
  human.write(`findings\n${findingLines(findings(result)).join('\n')}\n\n${comparisonTable(result)}\n\n`)
  // (results written before variants carried warnings have none)
  for (const w of variantWarnings(result)) err.write(`svcbench: warning: ${w}\n`)
  if (gate.verdict !== 'none' || gate.notes.length > 0) human.write(`${gateText(gate)}\n\n`)
  human.write(`results: ${rel(resultsPath)}\n`)
  let markdown: string | undefined
  if (args.report) {
    const paths = await writeReportsOrFail(result, path.dirname(resultsPath))
    human.write(`report:  ${rel(paths.html)}\nsummary: ${rel(paths.markdown)}\n`)
    markdown = paths.markdownText
  }
  if (args.junit !== undefined) {
    const took = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000
    await writeJunit(args.junit, junitXml(gate, run.name, took))
    human.write(`junit:   ${rel(path.resolve(args.junit))}\n`)
  }
  await saveBaselineOf(result, args, prepared.saveTarget, streams)
  publishToGitHub(result, gate, run.name, markdown, human)
}

/** `svcbench run`: prepare, run, publish; resolves with the exit code. */
async function runCommand(args: CliArgs): Promise<number> {
  const streams: Streams = { out: process.stdout, err: process.stderr, human: args.json ? process.stderr : process.stdout }
  const { err } = streams
  const ci = args.ci || process.env.CI === 'true'
  const controller = new AbortController()
  const uninstallSignals = installSignals(controller, err)
  let finishProgress = () => {}
  try {
    const prepared = await prepareRun(args, err)
    const { run, baseline, block } = prepared
    const gated = baseline !== undefined || args.saveBaseline !== undefined
    const progress = args.progress ? createProgress({ stream: err, tty: err.isTTY === true && !args.json && !ci, scenario: run.name, compact: ci }) : undefined
    finishProgress = () => progress?.finish()
    // Command pods log into the run's folder, so it exists from the start.
    const runDir = run.variants.some((v) => v.cluster.command !== null) ? await createRunDir(args.outDir, run.name, new Date()) : undefined
    const confirm = args.confirm ?? process.env.CI === 'true'
    const { result, gate } = await runAndGate(run, {
      run: { ...progress, logDir: runDir === undefined ? undefined : path.join(runDir, 'pods'), signal: controller.signal, addressBlock: block, ...runShape(args, gated) },
      gate: { baseline, normalize: args.normalize, minChange: args.minChange, alpha: args.alpha, compare: args.compare?.map(specFor), confirm },
      confirm,
      onConfirm: (names) => err.write(`svcbench: the comparison failed; confirming: running ${names.join(' and ')} once more (--no-confirm to skip)\n`),
    })
    finishProgress()
    if (gate.verdict !== 'none') result.gate = gate
    await publish(result, gate, prepared, args, runDir, streams)
    if (result.interrupted) {
      err.write('svcbench: interrupted; results are partial ("interrupted": true)\n')
      return EXIT.INTERRUPTED
    }
    return gate.verdict === 'fail' ? EXIT.GATE_FAILED : EXIT.OK
  } catch (e) {
    finishProgress()
    return failureExit(e, err, controller.signal.aborted)
  } finally {
    killAllChildren()
    uninstallSignals()
  }
}

/** Run the CLI; resolves with the process exit code. Installs SIGINT/SIGTERM handling for the run. */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs
  try {
    args = parseArgs(argv)
  } catch (e) {
    process.stderr.write(`svcbench: ${(e as Error).message}\n`)
    return EXIT.BAD_INPUT
  }
  if (args.command === 'help') {
    process.stdout.write(`${usage()}\n`)
    return EXIT.OK
  }
  if (args.command === 'version') {
    process.stdout.write(`${versions().svcbench}\n`)
    return EXIT.OK
  }
  if (args.command === 'report') return reportCommand(args)
  if (args.command === 'verify') return verifyCommand(args)
  return runCommand(args)
}
