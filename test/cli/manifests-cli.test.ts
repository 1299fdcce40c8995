import { describe, expect, it } from 'vitest'
import path from 'node:path'
import { ROOT, startCli } from '../helpers/cli.ts'

const cwd = path.join(ROOT, 'test/fixtures')

describe('svcbench --manifests (bad input, nothing starts)', () => {
  it('prints the warnings found before the error, with the path as given, and exits 2', async () => {
    const run = startCli(['--manifests', 'manifests/list-no-service.yaml', '--no-progress'], { cwd })
    expect(await run.done).toBe(2)
    expect(run.stderr().split('\n').slice(0, 2)).toEqual([
      'svcbench: warning: manifests/list-no-service.yaml: ConfigMap/settings: kind ConfigMap is not modeled by svcbench, ignored',
      expect.stringMatching(/^svcbench: manifests\/list-no-service\.yaml: no Service; /),
    ])
  })
  it('names --service-type for a ClusterIP Service', async () => {
    const run = startCli(['--manifests', 'manifests/cluster-ip.yaml'], { cwd })
    expect(await run.done).toBe(2)
    expect(run.stderr()).toMatch(/Service\/internal: spec\.type: is ClusterIP .*add --service-type NodePort/)
  })
})
