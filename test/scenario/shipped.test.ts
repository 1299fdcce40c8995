import { describe, it, expect } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { loadScenarioFile } from '../../harness/scenario/load.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ROOT } from '../helpers/cli.ts'

const files = fs.readdirSync(path.join(ROOT, 'scenarios')).filter((f) => f.endsWith('.ts'))

describe('shipped scenarios', () => {
  it.each(files)('%s loads and resolves', async (f) => {
    const file = path.join('scenarios', f)
    const run = resolveScenario(await loadScenarioFile(path.join(ROOT, file)), { file: path.join(ROOT, file) })
    expect(run.name).toBe(f.replace(/\.ts$/, ''))
  })
})
