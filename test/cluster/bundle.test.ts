import { describe, it, expect } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { prepareBundles, bundledEntry, CHILD_ENTRIES } from '../../harness/process/bundle.ts'
import { startChild } from '../../harness/process/child.ts'
import { ROOT } from '../helpers/cli.ts'

describe('child bundles', () => {
  it('every child entry is bundled to plain JavaScript under node_modules/.cache/svcbench, and children start from it', async () => {
    await prepareBundles()
    for (const e of CHILD_ENTRIES) {
      const b = bundledEntry(path.join(ROOT, 'harness', e))
      expect(b, e).toMatch(/node_modules\/\.cache\/svcbench\/[0-9a-f]{16}\/.*\.mjs$/)
      expect(fs.existsSync(b!)).toBe(true)
    }
    const host = startChild(path.join(ROOT, 'harness/pods/host.ts'), { label: 'host', config: { node: 'x' }, runId: `${process.pid}-bundle-test` })
    await host.ready
    const cmd = fs.readFileSync(`/proc/${host.pid}/cmdline`, 'utf8').split('\0')
    expect(cmd.some((a) => a.endsWith('/pods/host.mjs'))).toBe(true)
    expect(cmd).not.toContain('--import')
    await host.kill()
  })
})
