/** What the cluster knows the reader must be told reaches the variant's results (VariantResult.warnings). */
import { describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ROOT } from '../helpers/cli.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { runScenario } from '../../harness/runner.ts'
import { liveChildCount } from '../../harness/process/child.ts'

describe('a variant\'s warnings', () => {
  it('say which node proxies ran another relay than the one asked for, and why; the nodes\' results name the relay', async () => {
    const saved = process.env.SVCBENCH_L4_RELAY
    const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-warnings-'))
    // The node proxies inherit it: native asked for, but command pods need a JavaScript relay to be counted.
    process.env.SVCBENCH_L4_RELAY = 'native'
    try {
      const run = resolveScenario({
        name: 'relay-warning',
        cluster: { nodes: 2, replicas: 2, pod: { command: 'node scenarios/servers/hello.mjs', cwd: ROOT } },
        load: { duration: '300ms', warmup: 0, connections: 2, clientIps: 2 },
      })
      const [v] = (await runScenario(run, { logDir })).variants
      expect(liveChildCount()).toBe(0)
      expect(v!.nodes.map((n) => n.relay)).toEqual(['raw', 'raw'])
      expect(v!.warnings).toEqual(['node proxies "node-a", "node-b" ran the raw relay instead of native: counting the requests of command pods needs a JavaScript relay'])
    } finally {
      if (saved === undefined) delete process.env.SVCBENCH_L4_RELAY
      else process.env.SVCBENCH_L4_RELAY = saved
      fs.rmSync(logDir, { recursive: true, force: true })
    }
  })
})
