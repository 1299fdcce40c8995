/**
 * In-cluster clients at a ClusterIP Service on the proxy dataplane (each node's proxy intercepting
 * its stand-in for the ClusterIP), the same cases as the kernel dataplane's
 * (test/helpers/in-cluster.ts says what kube-proxy does in each).
 */
import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { inClusterCases } from '../helpers/in-cluster.ts'
import { ROOT, runCli } from '../helpers/cli.ts'
import type { RunResult } from '../../harness/model/results.ts'

describe('in-cluster clients on the proxy dataplane', () => {
  inClusterCases('proxy', { runId: 'pic' })
})

describe('a ClusterIP Service from manifests', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-cip-'))
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

  it('runs as written with --manifests and no other flag: client pods on every node at its ClusterIP and port', async () => {
    const r = await runCli(['--manifests', 'manifests/productpage.yaml', '--duration', '300ms', '--warmup', '100ms', '--no-report', '--no-progress', '--out', tmp], { cwd: path.join(ROOT, 'test/fixtures') })
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/note: manifests\/productpage\.yaml: Service\/productpage: type ClusterIP: its clients are pods in the cluster/)
    const file = path.resolve(path.join(ROOT, 'test/fixtures'), /^results: (.+)$/m.exec(r.stdout)![1]!)
    const result = JSON.parse(fs.readFileSync(file, 'utf8')) as RunResult
    const v = result.variants[0]!
    expect([v.serviceType, v.clients?.from, v.pods.length, v.errors.total]).toEqual(['ClusterIP', 'cluster', 2, 0])
    expect(result.resolved[0]!.service.port).toBe(9080)
    expect(v.requests.ok).toBeGreaterThan(20)
    expect(Object.values(v.clients!.byNode).reduce((a, b) => a + b, 0)).toBe(50)
  })
})
