/**
 * `svcbench report a b` through the real bin on fixture results: the comparison written under
 * `<out>/compare/<UTC timestamp>/` with exit 0; a missing file, a file that is not svcbench
 * results, or three files: exit 2, a message naming the argument, the value and what is
 * expected, and nothing written.
 */
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runCli } from '../helpers/cli.ts'
import { parseArgs } from '../../harness/cli/args.ts'
import type { RunResult } from '../../harness/model/results.ts'

const FIXTURE = 'test/fixtures/results/pod-crash-3-variants.json'
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-report-compare-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

/** The fixture run again a day later on an 8-CPU machine, iptables' p99 +30%, as <tmp>/<folder>/results.json. */
function laterRun(folder: string): string {
  const r = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as RunResult
  r.startedAt = '2026-11-27T07:59:29.487Z'
  r.machine.cpus = 8
  r.variants[0]!.latencyMs.p99 *= 1.3
  const file = path.join(tmp, folder, 'results.json')
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify(r))
  return file
}

describe('parseArgs: svcbench report', () => {
  it.each([
    [['report', 'a.json'], ['a.json']],
    [['report', 'a.json', 'b.json', '--out', 'x'], ['a.json', 'b.json']],
  ])('%j names the results files %j', (argv, files) => {
    expect(parseArgs(argv)).toMatchObject({ command: 'report', resultsFile: files[0], resultsFiles: files, scenario: undefined })
  })
})

describe('svcbench report a/results.json b/results.json', () => {
  it('writes the comparison into <out>/compare/<UTC timestamp>/ and prints what changed and where', async () => {
    const b = laterRun('2026-11-27T07-59-29Z')
    const out = path.join(tmp, 'out')
    const r = await runCli(['report', FIXTURE, b, '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const [stamp, ...more] = fs.readdirSync(path.join(out, 'compare'))
    expect(more).toEqual([])
    expect(stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/)
    const dir = path.join(out, 'compare', stamp!)
    expect(fs.readdirSync(dir).sort()).toEqual(['charts', 'report.html', 'summary.md'])
    expect(fs.readdirSync(path.join(dir, 'charts'))).toContain('pod-share.svg')
    expect(r.stdout).toContain('2026-11-27T07-59-29Z against pod-crash-3-variants:\n  iptables: p99 +30% worse (26.3 → 34.2 ms)\n')
    expect(r.stdout).toContain(`report:  ${path.join(dir, 'report.html')}\nsummary: ${path.join(dir, 'summary.md')}\n`)
    expect(r.stderr).toMatch(/^svcbench: note: different machines: pod-crash-3-variants ran on 2 CPUs/m)
  }, 20_000)

  it.each([
    ['the second file is missing', () => [FIXTURE, path.join(tmp, 'nope', 'results.json')], /^svcbench: report: b \(the second file\): cannot read ".*nope\/results\.json": ENOENT: no such file or directory.*; expected a results\.json written by svcbench$/m],
    ['the first file is not svcbench results', () => ['package.json', FIXTURE], /^svcbench: report: a \(the first file\): cannot read "package\.json": not an svcbench results file \(no scenario\.name\); expected a results\.json written by svcbench$/m],
    ['three files are named', () => [FIXTURE, FIXTURE, FIXTURE], /^svcbench: report: got 3 files \(.*\); expected one results file \(write its reports again\) or two \(compare them\)/m],
  ])('exits 2 when %s, naming it, and writes nothing', async (_, files, message) => {
    const out = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}`)
    const r = await runCli(['report', ...files(), '--out', out])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(r.stdout).toBe('')
    expect(fs.existsSync(out)).toBe(false)
  }, 20_000)
})
