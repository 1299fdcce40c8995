import { describe, expect, it, afterAll } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import net from 'node:net'
import { runCli, startCli, processesOfRun, waitFor, ROOT } from '../helpers/cli.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-cli-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

function resultsFiles(root: string): string[] {
  if (!fs.existsSync(root)) return []
  return fs.readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('results.json')).map((f) => path.join(root, f))
}

describe('svcbench CLI', () => {
  it('--json prints only the results JSON on stdout, writes results.json and leaves no process', async () => {
    const out = path.join(tmp, 'json')
    const r = startCli(['run', 'test/fixtures/scenarios/tiny.ts', '--json', '--out', out])
    const code = await r.done
    expect(code, r.stderr()).toBe(0)
    const result = JSON.parse(r.stdout())
    expect(result.scenario.name).toBe('tiny')
    expect(result.interrupted).toBe(false)
    expect(result.machine.cpus).toBeGreaterThan(0)
    expect(result.versions.autocannon).toBe('9.0.0')
    const v = result.variants[0]
    expect(v.requests.ok).toBeGreaterThan(0)
    expect(v.pods).toHaveLength(2)
    for (const key of ['total', 'ok', 'rps']) expect(typeof v.requests[key]).toBe('number')
    for (const key of ['p50', 'p90', 'p99', 'p999', 'max', 'mean']) expect(v.latencyMs[key]).toBeGreaterThan(0)
    for (const key of ['jain', 'cov', 'maxOverMean', 'chiSquaredP']) expect(typeof v.fairness[key]).toBe('number')
    expect(Object.keys(v.errors.byKind).sort()).toEqual(['connect-refused', 'http-5xx', 'other', 'reset', 'timeout'])
    expect(v.timeline.length).toBeGreaterThanOrEqual(1)
    expect(v.timeline[0]).toEqual(expect.objectContaining({ tSec: 0, rps: expect.any(Number), errors: 0, byPod: expect.any(Object) }))
    const files = resultsFiles(out)
    expect(files).toHaveLength(1)
    expect(JSON.parse(fs.readFileSync(files[0]!, 'utf8')).variants[0].requests.total).toBe(v.requests.total)
    expect(r.stderr()).toMatch(/results: /)
    expect(processesOfRun(r.proc.pid!)).toEqual([])
    // Reports next to the results, and their paths as the last lines.
    const dir = path.dirname(files[0]!)
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'summary.md'))).toBe(true)
    expect(fs.existsSync(path.join(dir, 'charts', 'pod-share.svg'))).toBe(true)
    expect(r.stderr().trimEnd().split('\n').slice(-2).join('\n')).toMatch(/^report: .*report\.html\nsummary: .*summary\.md$/)
    // svcbench report rewrites them from results.json alone.
    fs.rmSync(path.join(dir, 'report.html'))
    const again = await runCli(['report', files[0]!])
    expect(again.code, again.stderr).toBe(0)
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true)
  })

  it('--json keeps stdout to the results JSON under GitHub Actions: the ::error annotations go to stderr, which the runner also reads', async () => {
    const summary = path.join(tmp, 'gh-summary.md')
    const env = { TINY_MIN_RPS: '1000000000', GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary }
    const r = await runCli(['test/fixtures/scenarios/gated.ts', '--json', '--no-report', '--out', path.join(tmp, 'gh-json')], { env })
    expect(r.code, r.stderr).toBe(1)
    expect(JSON.parse(r.stdout).gate.verdict).toBe('fail')
    expect(r.stdout).not.toContain('::error')
    expect(r.stderr).toMatch(/^::error title=svcbench gate \(gated\)::default: threshold requests.rps > 1000000000 failed: measured /m)
    expect(fs.readFileSync(summary, 'utf8')).toContain('## Gate: ❌ FAIL')
    // Without --json the annotations stay on stdout, with the rest of the human output.
    const plain = await runCli(['test/fixtures/scenarios/gated.ts', '--no-report', '--out', path.join(tmp, 'gh-plain')], { env: { ...env, GITHUB_STEP_SUMMARY: '' } })
    expect(plain.code, plain.stderr).toBe(1)
    expect(plain.stdout).toMatch(/^::error title=svcbench gate \(gated\)::default: threshold requests.rps/m)
    expect(plain.stderr).not.toContain('::error')
  })

  it('--no-report writes results.json only; svcbench report refuses a file that is not svcbench results', async () => {
    const out = path.join(tmp, 'no-report')
    const r = await runCli(['test/fixtures/scenarios/tiny.ts', '--no-report', '--duration', '200ms', '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const files = resultsFiles(out)
    expect(files).toHaveLength(1)
    expect(fs.existsSync(path.join(path.dirname(files[0]!), 'report.html'))).toBe(false)
    const bad = await runCli(['report', 'package.json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('expected a results.json written by svcbench')
  })

  it('reports every scenario problem with exit 2, starts nothing and writes nothing', async () => {
    const out = path.join(tmp, 'bad')
    const r = await runCli(['test/fixtures/scenarios/bad.ts', '--out', out])
    expect(r.code).toBe(2)
    for (const p of ['cluster.nodes', 'cluster.pod.errorRate', 'service.balancer', 'service.nodePort', 'load.duration', 'load.connections']) {
      expect(r.stderr).toContain(`test/fixtures/scenarios/bad.ts: ${p}: got`)
    }
    expect(r.stderr).toContain('did you mean "ip-hash"?')
    expect(r.stderr).not.toMatch(/starting|measuring/)
    expect(fs.existsSync(out)).toBe(false)
  })

  it('rejects bad flags with exit 2 naming each flag', async () => {
    const r = await runCli(['test/fixtures/scenarios/tiny.ts', '--duration', 'soon', '--conections', '3'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--duration: got "soon"')
    expect(r.stderr).toContain('--conections: unknown flag (did you mean --connections?)')
  })

  it('builds the cluster from --manifests alone, warning about fields it does not model', async () => {
    const r = await runCli(['--manifests', 'scenarios/manifests/web.yaml', '--duration', '300ms', '--warmup', '0', '--json', '--out', path.join(tmp, 'manifests')])
    expect(r.code, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout)
    expect(result.scenario.name).toBe('web')
    expect(result.variants[0].proxyMode).toBe('ipvs')
    expect(result.variants[0].sessionAffinity).toBe('ClientIP')
    expect(result.variants[0].pods.map((p: { node: string }) => p.node)).toEqual(['worker-1', 'worker-2', 'worker-1', 'worker-2'])
    expect(r.stderr).toMatch(/warning: scenarios\/manifests\/web\.yaml: Deployment\/web: not modeled by svcbench, ignored: spec\.template\.spec\.containers\[0\]\.image/)
  })

  it('rejects manifests whose Service selects nothing, and malformed YAML, with exit 2', async () => {
    const a = await runCli(['--manifests', 'test/fixtures/manifests/no-match.yaml'])
    expect(a.code).toBe(2)
    expect(a.stderr).toContain('test/fixtures/manifests/no-match.yaml: Service/api: spec.selector: selects app=api but no Deployment or StatefulSet')
    const b = await runCli(['--manifests', 'test/fixtures/manifests/malformed.yaml'])
    expect(b.code).toBe(2)
    expect(b.stderr).toContain('malformed.yaml: document 1: malformed YAML')
  })

  it('rejects a bad SVCBENCH_L4_RELAY with exit 2 before starting anything', async () => {
    const r = await runCli(['test/fixtures/scenarios/tiny.ts'], { env: { SVCBENCH_L4_RELAY: 'splice' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('SVCBENCH_L4_RELAY: got "splice"; expected one of native, raw, onread, data')
  })

  it('rejects a missing scenario file with exit 2', async () => {
    const r = await runCli(['scenarios/does-not-exist.ts'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('scenario: file "scenarios/does-not-exist.ts" not found')
  })

  it('loads a scenario that imports svcbench from outside the repository', async () => {
    const file = path.join(tmp, 'outside.ts')
    fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, 'test/fixtures/scenarios/tiny.ts'), 'utf8').replace("name: 'tiny'", "name: 'outside'"))
    const r = await runCli([file, '--json', '--out', path.join(tmp, 'outside-out'), '--duration', '200ms'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).scenario.name).toBe('outside')
  })

  it('exits 3 on a harness failure and stops the pods it had started', async () => {
    // Hold the first node's NodePort so that its proxy cannot listen.
    const lease = await leaseBlock()
    const block = lease.plan.block
    await lease.release()
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen({ host: `127.${block}.1.1`, port: 30080 }, resolve))
    try {
      const r = startCli(['test/fixtures/scenarios/tiny.ts', '--out', path.join(tmp, 'fail')], { env: { SVCBENCH_ADDRESS_BLOCK: String(block) } })
      const code = await r.done
      expect(code, r.stderr()).toBe(3)
      expect(r.stderr()).toMatch(/harness error \[CHILD_START_FAILED\]: node proxy "node-a" failed to start: cannot listen on 127\.\d+\.1\.1: listen EADDRINUSE: address already in use 127\.\d+\.1\.1:30080/)
      expect(processesOfRun(r.proc.pid!)).toEqual([])
    } finally {
      blocker.close()
    }
  })

  it.each(['SIGINT', 'SIGTERM'] as const)('on %s stops every process, writes partial results marked interrupted and exits 130', async (signal) => {
    const out = path.join(tmp, signal)
    const r = startCli(['test/fixtures/scenarios/long.ts', '--out', out])
    expect(await waitFor(() => r.stderr().includes('measuring'), 20_000)).toBe(true)
    // The run's processes are visible while it runs (so the check below can see them).
    expect(processesOfRun(r.proc.pid!).length).toBe(4)
    await new Promise((res) => setTimeout(res, 300))
    r.proc.kill(signal)
    const code = await r.done
    expect(code, r.stderr()).toBe(130)
    const files = resultsFiles(out)
    expect(files).toHaveLength(1)
    const result = JSON.parse(fs.readFileSync(files[0]!, 'utf8'))
    expect(result.interrupted).toBe(true)
    expect(result.variants[0].interrupted).toBe(true)
    expect(result.variants[0].durationSec).toBeLessThan(10)
    expect(result.variants[0].requests.ok).toBeGreaterThan(0)
    expect(processesOfRun(r.proc.pid!)).toEqual([])
  })

  it('leaves no process behind after faults that kill, restart, delete and replace pods', async () => {
    const out = path.join(tmp, 'faults')
    const r = startCli([
      'test/fixtures/scenarios/tiny.ts',
      '--duration', '1500ms',
      '--fault', '100ms:kill-pod:pod-1',
      '--fault', '300ms:recover-pod:pod-1',
      '--fault', '600ms:rolling-update:all',
      '--out', out,
    ])
    const code = await r.done
    expect(code, r.stderr()).toBe(0)
    expect(r.stdout()).toMatch(/kill-pod pod-1/)
    expect(processesOfRun(r.proc.pid!)).toEqual([])
  })

  it('leaves no process behind when the svcbench process itself is killed (SIGKILL)', async () => {
    const r = startCli(['test/fixtures/scenarios/long.ts', '--out', path.join(tmp, 'sigkill')])
    expect(await waitFor(() => r.stderr().includes('measuring'), 20_000)).toBe(true)
    const pid = r.proc.pid!
    expect(processesOfRun(pid).length).toBe(4)
    r.proc.kill('SIGKILL')
    await r.done
    // Children notice the closed IPC channel and exit by themselves.
    expect(await waitFor(() => processesOfRun(pid).length === 0, 5000)).toBe(true)
  })
})
