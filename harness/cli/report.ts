/**
 * `svcbench report <results.json>`: write a run's reports again from its results file, no rerun.
 * `svcbench report a/results.json b/results.json`: compare two runs into
 * `<out>/compare/<UTC timestamp>/` (report.html, summary.md, charts/), and print what changed.
 * Both files are read and checked before anything is written: a bad one is exit 2, nothing written.
 */
import fs from 'node:fs'
import path from 'node:path'
import { EXIT } from './exit-codes.ts'
import { rel, writeReportsOrFail } from './prepare.ts'
import { createRunDir } from '../report/results.ts'
import { comparisonLabels } from '../report/compare.ts'
import { HarnessError } from '../errors.ts'
import type { CliArgs } from './args.ts'
import type { RunResult } from '../model/results.ts'

/** What a results file lacks to be compared or reported, or undefined when it has it all. */
function missingFields(x: unknown): string | undefined {
  const r = x as Partial<RunResult> | null
  if (typeof r !== 'object' || r === null || Array.isArray(r)) return 'not a JSON object'
  if (typeof r.scenario?.name !== 'string') return 'no scenario.name'
  if (!Array.isArray(r.variants)) return 'no variants'
  if (typeof r.machine !== 'object' || typeof r.versions !== 'object' || typeof r.startedAt !== 'string') return 'no machine, versions or startedAt'
  const bad = r.variants.findIndex((v) => typeof v?.name !== 'string' || typeof v.requests?.rps !== 'number' || typeof v.latencyMs?.p99 !== 'number' || !Array.isArray(v.pods) || !Array.isArray(v.failover))
  return bad === -1 ? undefined : `variants[${bad}] lacks name, requests, latencyMs, pods or failover`
}

/** Read a results file; a file that cannot be read or is not svcbench's gives the reason instead. */
function readResults(file: string): { result: RunResult } | { error: string } {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'))
    const missing = missingFields(parsed)
    return missing === undefined ? { result: parsed as RunResult } : { error: `not an svcbench results file (${missing})` }
  } catch (e) {
    return { error: (e as Error).message }
  }
}

const badFile = (which: string, file: string, error: string) =>
  `svcbench: report: ${which}cannot read ${JSON.stringify(file)}: ${error}; expected a results.json written by svcbench\n`

function harnessExit(e: unknown): number {
  process.stderr.write(`svcbench: harness error [${(e as HarnessError).code}]: ${(e as Error).message}\n`)
  return EXIT.HARNESS
}

/** One file: write its reports again, next to it. */
async function rewriteReports(file: string): Promise<number> {
  const read = readResults(file)
  if ('error' in read) {
    process.stderr.write(badFile('', file, read.error))
    return EXIT.BAD_INPUT
  }
  try {
    const paths = await writeReportsOrFail(read.result, path.dirname(file))
    process.stdout.write(`report:  ${rel(paths.html)}\nsummary: ${rel(paths.markdown)}\n`)
    return EXIT.OK
  } catch (e) {
    return harnessExit(e)
  }
}

/** Two files: the comparison into a new folder under `<out>/compare/`. */
async function compareReports(fileA: string, fileB: string, outDir: string): Promise<number> {
  const reads = [readResults(fileA), readResults(fileB)] as const
  let bad = false
  reads.forEach((r, i) => {
    if (!('error' in r)) return
    bad = true
    process.stderr.write(badFile(`${i === 0 ? 'a (the first file)' : 'b (the second file)'}: `, i === 0 ? fileA : fileB, r.error))
  })
  const [ra, rb] = reads
  if (bad || 'error' in ra || 'error' in rb) return EXIT.BAD_INPUT
  try {
    const dir = await createRunDir(outDir, 'compare', new Date())
    // Loaded only here: vega and vega-lite take about a quarter of a second.
    const { writeComparisonReport } = await import('../report/compare-html.ts')
    const paths = await writeComparisonReport(ra.result, rb.result, dir, comparisonLabels(ra.result, rb.result, [fileA, fileB])).catch((e: unknown) => {
      throw new HarnessError('REPORT_FAILED', `the comparison could not be written into ${dir}: ${(e as Error).message}`, { cause: e })
    })
    const cmp = paths.comparison
    for (const n of cmp.notes) process.stderr.write(`svcbench: note: ${n}\n`)
    process.stdout.write(`${cmp.labels[1]} against ${cmp.labels[0]}:\n${cmp.findings.map((f) => `  ${f}\n`).join('')}\n`)
    process.stdout.write(`report:  ${rel(paths.html)}\nsummary: ${rel(paths.markdown)}\n`)
    return EXIT.OK
  } catch (e) {
    return harnessExit(e)
  }
}

/** `svcbench report`: one results file (its reports again) or two (compared); resolves with the exit code. */
export function reportCommand(args: Pick<CliArgs, 'resultsFile' | 'resultsFiles' | 'outDir'>): Promise<number> {
  const files = args.resultsFiles ?? (args.resultsFile === undefined ? [] : [args.resultsFile])
  return files.length === 2 ? compareReports(files[0] as string, files[1] as string, args.outDir) : rewriteReports(files[0] as string)
}
