/** Where the bench scripts put their results: reports/bench/<name>-<UTC time>.json. */
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runFolderName } from '../report/results.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** Write `data` as reports/bench/<name>-<time>.json and say where. */
export function writeBenchJson(name: string, data: unknown): void {
  const file = path.join(ROOT, 'reports', 'bench', `${name}-${runFolderName(new Date())}.json`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, `${JSON.stringify(data, null, 1)}\n`)
  process.stdout.write(`\nwritten: ${path.relative(process.cwd(), file)}\n`)
}
