/**
 * What every command that runs scenarios shares (`svcbench run`, `svcbench verify`): reading the
 * scenario named on the command line (with --fault, --service-type, --manifests and the
 * overrides), the address block from the environment, the signal handling that turns the first
 * SIGINT/SIGTERM into partial results, and writing reports next to a results file.
 */
import path from 'node:path'
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadScenarioFile } from '../scenario/load.ts'
import { resolveScenario } from '../scenario/resolve.ts'
import { killAllChildren } from '../process/child.ts'
import { ScenarioError, HarnessError } from '../errors.ts'
import { EXIT } from './exit-codes.ts'
import type { CliArgs } from './args.ts'
import type { RunResult } from '../model/results.ts'
import type { ResolvedRun } from '../model/scenario.ts'

const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Where the CLI writes: `human` is stdout, or stderr when stdout is reserved for JSON. */
export interface Streams {
  out: NodeJS.WriteStream
  err: NodeJS.WriteStream
  human: NodeJS.WriteStream
}

function defaultScenario(): string {
  const local = path.resolve('scenarios/quickstart.ts')
  return fs.existsSync(local) ? local : path.join(PACKAGE_ROOT, 'scenarios/quickstart.ts')
}

/** SVCBENCH_ADDRESS_BLOCK, if set; a bad value is bad input. */
export function addressBlockFromEnv(): number | undefined {
  const raw = process.env.SVCBENCH_ADDRESS_BLOCK
  if (raw === undefined || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n) || n < 16 || n > 250) {
    throw new ScenarioError([{ path: 'SVCBENCH_ADDRESS_BLOCK', message: `got ${JSON.stringify(raw)}; expected an integer from 16 to 250 (the B of 127.B.0.0/16)` }])
  }
  return n
}

function addFaults(s: Record<string, unknown>, faults: Record<string, unknown>[]): Record<string, unknown> {
  const own = Array.isArray(s.faults) ? s.faults : []
  const variants = s.variants
  const out: Record<string, unknown> = { ...s, faults: [...own, ...faults] }
  if (typeof variants === 'object' && variants !== null) {
    out.variants = Object.fromEntries(
      Object.entries(variants as Record<string, Record<string, unknown>>).map(([k, v]) => [
        k,
        Array.isArray(v?.faults) ? { ...v, faults: [...(v.faults as unknown[]), ...faults] } : v,
      ]),
    )
  }
  return out
}

/** --service-type: service.type on the scenario and on every variant that sets its own. */
function setServiceType(s: Record<string, unknown>, type: 'NodePort' | 'LoadBalancer'): Record<string, unknown> {
  const withType = (o: unknown) => ({ ...(typeof o === 'object' && o !== null ? o : {}), type })
  const out: Record<string, unknown> = { ...s, service: withType(s.service) }
  if (typeof s.variants === 'object' && s.variants !== null) {
    out.variants = Object.fromEntries(
      Object.entries(s.variants as Record<string, Record<string, unknown>>).map(([k, v]) => [k, v?.service !== undefined ? { ...v, service: withType(v.service) } : v]),
    )
  }
  return out
}

/**
 * The scenario `args` names (the default one when it names none and no manifests), with the
 * command line's faults, service type and overrides, resolved: bad input throws a ScenarioError.
 */
export async function resolveFromArgs(args: CliArgs): Promise<ResolvedRun> {
  const fromManifestsOnly = args.scenario === undefined && args.manifests !== undefined
  const file = args.scenario ?? defaultScenario()
  const shownFile = args.scenario ?? (fromManifestsOnly ? args.manifests : undefined) ?? (path.relative(process.cwd(), file) || file)
  const loaded = fromManifestsOnly ? {} : await loadScenarioFile(file)
  // --fault adds to the scenario's own faults (and to every variant's).
  const isObject = typeof loaded === 'object' && loaded !== null && !Array.isArray(loaded)
  let raw = args.faults.length > 0 && isObject ? addFaults(loaded as Record<string, unknown>, args.faults) : loaded
  if (args.serviceType !== undefined && isObject) raw = setServiceType(raw as Record<string, unknown>, args.serviceType)
  return resolveScenario(raw, { file: fromManifestsOnly ? undefined : shownFile, overrides: args.overrides, manifests: args.manifests, service: args.manifestService, port: args.manifestPort })
}

/** A path as printed: relative to the working directory. */
/** A path for people: relative to the working directory when it lies below it, else absolute (never `../../…`). */
export const rel = (p: string) => {
  const r = path.relative(process.cwd(), p)
  return r === '' ? p : r.startsWith('..') || path.isAbsolute(r) ? path.resolve(p) : r
}

/** Write report.html, summary.md and charts/ into `dir`; a failure is a HarnessError REPORT_FAILED. */
export async function writeReportsOrFail(result: RunResult, dir: string) {
  try {
    // Loaded only when reports are written: vega and vega-lite take about a quarter of a second.
    const { writeReports } = await import('../report/write.ts')
    return await writeReports(result, dir)
  } catch (e) {
    throw new HarnessError('REPORT_FAILED', `results were written, but the report could not be: ${(e as Error).message}`, { cause: e })
  }
}

/** Stop on the first SIGINT/SIGTERM (partial results), at once on the second; returns the uninstaller. */
export function installSignals(controller: AbortController, err: NodeJS.WriteStream): () => void {
  let signals = 0
  const onSignal = (sig: NodeJS.Signals) => {
    signals++
    if (signals === 1) {
      err.write(`\nsvcbench: ${sig} received; stopping and writing partial results (again to stop at once)\n`)
      controller.abort(sig)
    } else {
      killAllChildren()
      process.exit(EXIT.INTERRUPTED)
    }
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  process.on('exit', killAllChildren)
  return () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

/** The exit code of a command that threw `e`, with its message on `err`: bad input 2, a harness failure 3 (130 once interrupted). */
export function failureExit(e: unknown, err: NodeJS.WriteStream, interrupted: boolean): number {
  if (e instanceof ScenarioError) {
    // What was found before the error may explain it ("kind List is not modeled" before "no Service").
    for (const w of e.warnings) err.write(`svcbench: warning: ${w}\n`)
    err.write(`svcbench: ${e.message}\n`)
    return EXIT.BAD_INPUT
  }
  if (e instanceof HarnessError) {
    err.write(`svcbench: harness error [${e.code}]: ${e.message}\n`)
    return interrupted ? EXIT.INTERRUPTED : EXIT.HARNESS
  }
  err.write(`svcbench: unexpected error: ${(e as Error).stack ?? String(e)}\n`)
  return EXIT.HARNESS
}
