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
  // (A ClusterIP Service was refused here, naming --service-type, until in-cluster clients:
  // test/integration/in-cluster.test.ts runs one as written.) A headless one still has no virtual IP.
  it('refuses a headless Service, saying there is no virtual IP to balance', async () => {
    const run = startCli(['--manifests', 'manifests/headless.yaml', '--service', 'peers'], { cwd })
    expect(await run.done).toBe(2)
    expect(run.stderr()).toMatch(/Service\/peers: spec\.clusterIP: got "None" \(a headless Service\); there is no virtual IP to balance/)
  })
})
