/**
 * `svcbench verify <scenario.ts>...`: the cross-check of the simulator against the kernel (issue
 * #17 §3). Every variant of each scenario runs on both dataplanes, the variant's own `dataplane`
 * overridden per side: `proxy` (svcbench's node proxies) first, then `kernel` (kube-proxy's own
 * rules in network namespaces), each side a normal run with its own results.json. The two are
 * compared figure by figure (harness/stats/cross-check.ts) and the verdicts written as
 * verify.json beside them:
 *
 *   <out>/<scenario>/<UTC time>/proxy/results.json
 *   <out>/<scenario>/<UTC time>/kernel/results.json
 *   <out>/<scenario>/<UTC time>/verify.json
 *
 * Every scenario is read and checked before anything starts: a variant the kernel dataplane
 * cannot run (no root, ipvs, userspace, per-request balancing) is bad input (exit 2), said then.
 * Exit 0 when every figure agrees (known differences and figures that could not be compared
 * included, each printed as such), 1 when one differs (named), 3 on a harness failure, 130 when
 * interrupted.
 */
import fs from 'node:fs/promises'
import path from 'node:path'
import { runScenario } from '../runner.ts'
import { preflightRun } from '../dataplane/registry.ts'
import { createRunDir, writeResults } from '../report/results.ts'
import { differingFigures, verifyText } from '../report/verify.ts'
import { compareRuns } from '../stats/cross-check.ts'
import { killAllChildren } from '../process/child.ts'
import { writeFileAtomic } from '../util/fs.ts'
import { ScenarioError, HarnessError } from '../errors.ts'
import { EXIT } from './exit-codes.ts'
import { createProgress } from './progress.ts'
import { addressBlockFromEnv, failureExit, installSignals, rel, resolveFromArgs, writeReportsOrFail, type Streams } from './prepare.ts'
import type { CliArgs } from './args.ts'
import type { DataplaneName, ResolvedRun, ResolvedVariant } from '../model/scenario.ts'
import type { RunResult } from '../model/results.ts'

/** The two sides, in the order they run. */
export const VERIFY_SIDES = ['proxy', 'kernel'] as const satisfies readonly DataplaneName[]

/** `v` on dataplane `side`, everything else as the scenario says. */
export function onDataplane(v: ResolvedVariant, side: DataplaneName): ResolvedVariant {
  return { ...v, service: { ...v.service, dataplane: side } }
}

/** `run` with every variant on `side`. */
function sideOf(run: ResolvedRun, side: DataplaneName): ResolvedRun {
  return { ...run, variants: run.variants.map((v) => onDataplane(v, side)) }
}

/** What keeps either side of `run` from running here, each issue saying that verify runs the variant on that dataplane. */
export function verifyPreflight(run: ResolvedRun): ScenarioError['issues'] {
  return VERIFY_SIDES.flatMap((side) =>
    preflightRun(sideOf(run, side)).map((i) => ({ path: i.path, message: `svcbench verify runs every variant on the ${side} dataplane too, and here it cannot: ${i.message}` })),
  )
}

/** Run one scenario on both sides, compare, write and print; resolves with its exit code. */
async function verifyRun(run: ResolvedRun, file: string | undefined, args: CliArgs, ctx: { streams: Streams; signal: AbortSignal; block: number | undefined; ci: boolean }): Promise<number> {
  const { err, human, out } = ctx.streams
  const dir = await createRunDir(args.outDir, run.name, new Date())
  const results: Partial<Record<DataplaneName, RunResult>> = {}
  for (const side of VERIFY_SIDES) {
    if (ctx.signal.aborted) break
    const sideRun = sideOf(run, side)
    const sideDir = path.join(dir, side)
    await fs.mkdir(sideDir, { recursive: true })
    const progress = args.progress ? createProgress({ stream: err, tty: err.isTTY === true && !args.json && !ctx.ci, scenario: `${run.name} (${side} dataplane)`, compact: ctx.ci }) : undefined
    try {
      const logDir = sideRun.variants.some((v) => v.cluster.command !== null) ? path.join(sideDir, 'pods') : undefined
      results[side] = await runScenario(sideRun, { ...progress, signal: ctx.signal, addressBlock: ctx.block, logDir })
    } finally {
      progress?.finish()
    }
    const result = results[side] as RunResult
    const resultsFile = await writeResults(result, args.outDir, sideDir)
    human.write(`${side} dataplane results: ${rel(resultsFile)}\n`)
    if (args.report) await writeReportsOrFail(result, sideDir)
    for (const v of result.variants) for (const w of v.warnings ?? []) err.write(`svcbench: warning: variant "${v.name}" (${side} dataplane): ${w}\n`)
  }
  const { proxy, kernel } = results
  if (proxy === undefined || kernel === undefined) {
    err.write(`svcbench: verify: ${run.name}: interrupted before both dataplanes had run; nothing compared\n`)
    return EXIT.INTERRUPTED
  }
  const verified = compareRuns(proxy, kernel, { results: { proxy: 'proxy/results.json', kernel: 'kernel/results.json' }, file })
  const verifyFile = path.join(dir, 'verify.json')
  try {
    await writeFileAtomic(verifyFile, `${JSON.stringify(verified, null, 2)}\n`)
  } catch (e) {
    throw new HarnessError('RESULTS_WRITE_FAILED', `cannot write ${verifyFile}: ${(e as Error).message}`, { cause: e })
  }
  if (args.json) out.write(`${JSON.stringify(verified)}\n`)
  human.write(`\n${verifyText(verified)}\n\nverify:  ${rel(verifyFile)}\n`)
  if (verified.interrupted) return EXIT.INTERRUPTED
  const differing = differingFigures(verified)
  if (differing.length > 0) {
    err.write(`svcbench: verify: ${run.name}: the dataplanes differ: ${differing.join('; ')}\n`)
    return EXIT.GATE_FAILED
  }
  return EXIT.OK
}

/** Which of two exit codes a run of several scenarios ends with: the more serious. */
function worse(a: number, b: number): number {
  const rank = (c: number) => [EXIT.OK, EXIT.GATE_FAILED, EXIT.BAD_INPUT, EXIT.HARNESS, EXIT.INTERRUPTED].indexOf(c as never)
  return rank(b) > rank(a) ? b : a
}

/** `svcbench verify`: check every scenario, then verify each in turn; resolves with the exit code. */
export async function verifyCommand(args: CliArgs): Promise<number> {
  const streams: Streams = { out: process.stdout, err: process.stderr, human: args.json ? process.stderr : process.stdout }
  const { err } = streams
  const controller = new AbortController()
  const uninstallSignals = installSignals(controller, err)
  try {
    const block = addressBlockFromEnv()
    const files: (string | undefined)[] = (args.scenarios ?? []).length > 0 ? (args.scenarios as string[]) : [undefined]
    // Everything read and checked before anything starts.
    const runs: { file: string | undefined; run: ResolvedRun }[] = []
    for (const file of files) {
      const run = await resolveFromArgs({ ...args, scenario: file })
      const issues = verifyPreflight(run)
      if (issues.length > 0) throw new ScenarioError(issues, { file })
      runs.push({ file, run })
    }
    for (const { run } of runs) {
      for (const n of run.notes) err.write(`svcbench: note: ${n}\n`)
      for (const w of run.warnings) err.write(`svcbench: warning: ${w}\n`)
    }
    const ci = args.ci || process.env.CI === 'true'
    let code: number = EXIT.OK
    for (const { file, run } of runs) {
      if (controller.signal.aborted) break
      code = worse(code, await verifyRun(run, file, args, { streams, signal: controller.signal, block, ci }))
    }
    return controller.signal.aborted ? EXIT.INTERRUPTED : code
  } catch (e) {
    return failureExit(e, err, controller.signal.aborted)
  } finally {
    killAllChildren()
    uninstallSignals()
  }
}
