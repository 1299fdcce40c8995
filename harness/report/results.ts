/** results.json: written atomically into a new folder per run, never over an earlier run. */
import fs from 'node:fs/promises'
import path from 'node:path'
import { HarnessError } from '../errors.ts'
import { writeFileAtomic } from '../util/fs.ts'
import type { RunResult } from '../model/results.ts'

/** Folder name for a run started at `date`: UTC, sortable, safe on every filesystem. */
export function runFolderName(date: Date): string {
  return date.toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
}

/** Create `<root>/<scenario>/<UTC timestamp>[-n]/`, never reusing an existing folder. */
export async function createRunDir(root: string, scenario: string, startedAt: Date): Promise<string> {
  const parent = path.join(root, scenario)
  try {
    await fs.mkdir(parent, { recursive: true })
    const stamp = runFolderName(startedAt)
    let dir = path.join(parent, stamp)
    for (let n = 1; ; n++) {
      try {
        await fs.mkdir(dir)
        return dir
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || n > 1000) throw err
        dir = path.join(parent, `${stamp}-${n}`)
      }
    }
  } catch (err) {
    throw new HarnessError('RESULTS_WRITE_FAILED', `cannot create a run folder under ${parent}: ${(err as Error).message}`, { cause: err })
  }
}

/**
 * Write results.json atomically (temp file + rename) into `dir`, or into a new run folder under
 * `root` (see createRunDir). Returns the file's path.
 */
export async function writeResults(result: RunResult, root: string, dir?: string): Promise<string> {
  const parent = path.join(root, result.scenario.name)
  try {
    dir ??= await createRunDir(root, result.scenario.name, new Date(result.startedAt))
    const file = path.join(dir, 'results.json')
    await writeFileAtomic(file, `${JSON.stringify(result, null, 2)}\n`)
    return file
  } catch (err) {
    throw new HarnessError('RESULTS_WRITE_FAILED', `cannot write results under ${parent}: ${(err as Error).message}`, { cause: err })
  }
}
