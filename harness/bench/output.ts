/**
 * Where the bench scripts put their results: reports/bench/<name>-<UTC time>.json (git-ignored),
 * and with `--record`, also docs/measurements/<name>-<YYYY-MM-DD>.json with the `measurement`
 * block docs/measurements/README.md asks for (date, commit, machine, command), so that a figure
 * in the docs can cite a committed file.
 */
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runFolderName } from '../report/results.ts'
import { has } from './args.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** What a committed measurement says about itself (docs/measurements/README.md). */
export interface MeasurementInfo {
  date: string
  commit: string
  /** e.g. `2 × Intel Xeon …, 24 GiB, linux 6.1, Node.js v20.20.2` */
  machine: string
  command: string
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== ''
    return dirty ? `${head} (with uncommitted changes)` : head
  } catch {
    return 'unknown (not a git checkout)'
  }
}

/** The measurement block for a run of `script` (e.g. `bench:proxy`) with this process's flags. */
export function measurementInfo(script: string, at = new Date()): MeasurementInfo {
  const cpus = os.cpus()
  const flags = process.argv.slice(2)
  return {
    date: at.toISOString(),
    commit: gitCommit(),
    machine: `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node.js ${process.version}`,
    command: `npm run ${script}${flags.length > 0 ? ` -- ${flags.join(' ')}` : ''}`,
  }
}

/**
 * Where a recorded measurement goes: `<dir>/<name>-<YYYY-MM-DD>.json`, or with `-2`, `-3`, … when
 * that day already has one, so that a second recording never overwrites the first.
 */
export function measurementPath(dir: string, name: string, at: Date, exists: (file: string) => boolean): string {
  const base = path.join(dir, `${name}-${at.toISOString().slice(0, 10)}`)
  for (let n = 1; ; n++) {
    const file = n === 1 ? `${base}.json` : `${base}-${n}.json`
    if (!exists(file)) return file
  }
}

/** Write `data` as reports/bench/<name>-<time>.json (and, with --record, into docs/measurements/) and say where. */
export function writeBenchJson(name: string, data: unknown): void {
  const at = new Date()
  const body = { measurement: measurementInfo(`bench:${name}`, at), ...(data as object) }
  const file = path.join(ROOT, 'reports', 'bench', `${name}-${runFolderName(at)}.json`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `${JSON.stringify(body, null, 1)}\n`)
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}\n`)
  if (has('--record')) {
    const kept = measurementPath(path.join(ROOT, 'docs', 'measurements'), name, at, fs.existsSync)
    fs.writeFileSync(kept, `${JSON.stringify(body, null, 1)}\n`)
    process.stdout.write(`recorded: ${path.relative(process.cwd(), kept)} (commit it, and cite it where its figures are quoted)\n`)
  }
}
