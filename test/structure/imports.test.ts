/**
 * The import graph of harness/ has no cycle (type-only imports included) and its layers import
 * one way only, as .dependency-cruiser.cjs declares them (issue #12).
 */
import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { describe, expect, it } from 'vitest'

const ROOT = path.resolve(import.meta.dirname, '../..')
const run = promisify(execFile)

describe('harness/ import graph', () => {
  it('has no cycle and no import against the layer order', async () => {
    const bin = path.join(ROOT, 'node_modules', '.bin', 'depcruise')
    const r = await run(bin, ['harness', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: ROOT }).then(
      (x) => ({ code: 0, out: x.stdout + x.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }),
    )
    expect(r.out.trim(), 'npx depcruise harness --config .dependency-cruiser.cjs').not.toMatch(/error/)
    expect(r.code).toBe(0)
  }, 60_000)
})
