import { describe, expect, it, afterAll } from 'vitest'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runVariants } from '../helpers/run.ts'
import { runCli, startCli, processesOfRun, waitFor, ROOT } from '../helpers/cli.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { runScenario } from '../../harness/runner.ts'
import { HarnessError } from '../../harness/errors.ts'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-own-'))
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }))

const hello = { command: 'node scenarios/servers/hello.mjs', cwd: ROOT, readinessProbe: { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 } }

/**
 * Nothing of this test process's runs is left: no supervisor, no server (processesOfRun finds
 * both, by argv marker and SVCBENCH_RUN; a zombie has neither). SIGKILL is delivered at once but
 * a process takes a moment to go: wait up to 2 s.
 */
const noneLeft = () => waitFor(() => processesOfRun(process.pid).length === 0, 2000)

describe('cluster.pod.command: your own server as the pods', () => {
  it('runs one process per replica with HOST and PORT; the proxies count what each pod got; nothing is left running', async () => {
    const logDir = path.join(tmp, 'logs-a')
    const run = resolveScenario({
      name: 'own',
      cluster: { nodes: 2, replicas: 3, pod: { ...hello, env: { WORK_MS: '1' } } },
      service: { proxyMode: 'ipvs' }, // round-robin: every pod surely gets connections
      load: { duration: '800ms', warmup: '200ms', connections: 6, clientIps: 6 },
    })
    const result = await runScenario(run, { logDir })
    const [v] = result.variants
    expect(v!.countedBy).toBe('proxies')
    expect(v!.errors.total).toBe(0)
    const perPod = v!.pods.map((p) => p.requests)
    expect(perPod.every((n) => n > 0)).toBe(true)
    // The proxies count requests they forwarded; the client counts answers (a few in flight at the end).
    const sum = perPod.reduce((a, b) => a + b, 0)
    expect(sum).toBeGreaterThanOrEqual(v!.requests.total)
    expect(sum).toBeLessThanOrEqual(v!.requests.total + 6)
    expect(v!.timeline.some((t) => Object.values(t.byPod).some((x) => x > 0))).toBe(true)
    for (const pod of ['pod-1', 'pod-2', 'pod-3']) {
      const log = fs.readFileSync(path.join(logDir, `${pod}.log`), 'utf8')
      expect(log).toMatch(/hello: listening on 127\.\d+\.2\.\d+:8080 \(WORK_MS=1\)/)
    }
    expect(await noneLeft()).toBe(true)
  })

  it('kill-pod SIGKILLs the real server: connections reset, the endpoint goes, the log says so', async () => {
    const logDir = path.join(tmp, 'logs-b')
    const run = resolveScenario({
      name: 'own-kill',
      cluster: { nodes: 1, replicas: 2, pod: hello, endpointPropagationMs: 50 },
      // round-robin: two of the four keep-alive connections are surely on pod-1 (iptables' random
      // placement leaves it none one time in 16)
      service: { proxyMode: 'ipvs' },
      load: { duration: '2s', warmup: 0, connections: 4, clientIps: 4 },
      faults: [{ at: '300ms', action: 'kill-pod', target: 'pod-1' }],
    })
    const result = await runScenario(run, { logDir })
    const [v] = result.variants
    const f = v!.failover[0]!
    expect(f.detectedAtSec).not.toBeNull()
    expect(f.requestsLost).toBeGreaterThan(0)
    expect(f.errors.reset + f.errors['connect-refused']).toBeGreaterThan(0)
    // After detection nothing reaches pod-1.
    const after = v!.timeline.filter((t) => t.tSec >= Math.ceil(f.detectedAtSec!) + 0)
    expect(after.every((t) => (t.byPod['pod-1'] ?? 0) === 0)).toBe(true)
    expect(fs.readFileSync(path.join(logDir, 'pod-1.log'), 'utf8')).toMatch(/pod-1 killed by svcbench \(SIGKILL to its process group\)/)
    expect(await noneLeft()).toBe(true)
  })

  it('hang-pod is SIGSTOP (accepted, never answered): the readiness probe times out and the pod is removed', async () => {
    const [v] = await runVariants({
      name: 'own-hang',
      cluster: { nodes: 1, replicas: 2, pod: { ...hello, cwd: ROOT }, endpointPropagationMs: 50 },
      service: { proxyMode: 'ipvs' }, // round-robin: pod-2 surely holds connections when it hangs
      load: { duration: '2500ms', warmup: 0, connections: 4, clientIps: 4, requestTimeout: '1s' },
      faults: [{ at: '200ms', action: 'hang-pod', target: 'pod-2' }],
    })
    const f = v!.failover[0]!
    expect(f.detectedAtSec).not.toBeNull()
    expect(f.errors.timeout).toBeGreaterThan(0)
    expect(await noneLeft()).toBe(true)
  })

  it('a server that exits early is a harness error naming the pod and the tail of its log', async () => {
    const run = resolveScenario({
      name: 'own-crash',
      cluster: { nodes: 1, replicas: 1, pod: { command: 'node -e', args: ["console.error('boom: DATABASE_URL is not set'); process.exit(3)"], cwd: ROOT } },
      load: { duration: '300ms', warmup: 0, connections: 1 },
    })
    const err = await runScenario(run, { logDir: path.join(tmp, 'logs-c') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HarnessError)
    expect((err as Error).message).toMatch(/pod "pod-1".*failed to start: exited before it was ready \(code 3, signal null\); log .*pod-1\.log, last lines:\n {4}boom: DATABASE_URL is not set/s)
  })

  it('a server that never becomes ready fails after startupTimeout, saying what the readiness path answered', async () => {
    const run = resolveScenario({
      name: 'own-notready',
      cluster: { nodes: 1, replicas: 1, pod: { command: 'node -e', args: ["require('http').createServer((q, s) => { s.statusCode = 503; s.end() }).listen(process.env.PORT, process.env.HOST)"], cwd: ROOT, startupTimeout: '600ms' } },
      load: { duration: '300ms', warmup: 0, connections: 1 },
    })
    const t0 = Date.now()
    const err = await runScenario(run, { logDir: path.join(tmp, 'logs-d') }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HarnessError)
    expect((err as Error).message).toMatch(/not ready after 600 ms \(GET http:\/\/127\.\d+\.2\.1:8080\/healthz: answered 503; it must listen on HOST:PORT/)
    expect(Date.now() - t0).toBeLessThan(8000)
    expect(await noneLeft()).toBe(true)
  })

  it('from the CLI: logs land in the run folder (pods/<pod>.log); a SIGKILLed svcbench takes the servers with it', async () => {
    const out = path.join(tmp, 'cli')
    // The shipped scenario's own server and settings, shorter, in a folder of its own.
    const scen = path.join(tmp, 'own-short.ts')
    fs.writeFileSync(
      scen,
      `import s from ${JSON.stringify(path.join(ROOT, 'scenarios/own-service.ts'))}\n` +
        `export default { ...s, cluster: { ...s.cluster, pod: { ...s.cluster.pod, cwd: ${JSON.stringify(path.join(ROOT, 'scenarios'))} } }, faults: [{ at: '200ms', action: 'kill-pod', target: 'pod-3' }], thresholds: {} }\n`,
    )
    const r = await runCli([scen, '--duration', '800ms', '--warmup', '0', '--out', out, '--no-report', '--ci'])
    expect(r.code, r.stderr).toBe(0)
    const dirs = fs.readdirSync(path.join(out, 'own-service'))
    expect(dirs).toHaveLength(1)
    const pods = fs.readdirSync(path.join(out, 'own-service', dirs[0]!, 'pods')).sort()
    expect(pods).toEqual(['pod-1.log', 'pod-2.log', 'pod-3.log', 'pod-4.log'])
    expect(r.stdout).toMatch(/pods see \(TCP source\) +unknown \(own server\)/)

    const live = startCli([scen, '--duration', '20s', '--out', out, '--no-report', '--ci'])
    expect(await waitFor(() => /measuring/.test(live.stderr()), 15_000)).toBe(true)
    const servers = processesOfRun(live.proc.pid!)
    expect(servers.length).toBeGreaterThanOrEqual(8) // 4 supervisors + 4 servers (+ proxies)
    live.proc.kill('SIGKILL')
    await live.done
    expect(await waitFor(() => processesOfRun(live.proc.pid!).length === 0, 5000)).toBe(true)
  }, 40_000)
})

describe('cluster.pod.command: bad input is exit 2 before anything starts', () => {
  it.each([
    [{ command: 'node x.js', latencyMs: 5 }, [], /cluster.pod.latencyMs: got 5; does not apply with cluster.pod.command/],
    [{ command: 'node "x.js' }, [], /cluster.pod.command: got "node \\"x.js"; expected a command line/],
    [{ args: ['a'] }, [], /cluster.pod.args: only applies with cluster.pod.command/],
    [{ command: 'node x.js', env: { PORT: '1' } }, [], /cluster.pod.env.PORT: svcbench sets PORT/],
    [{ command: 'node x.js', cwd: 'no/such/folder' }, [], /cluster.pod.cwd: got "no\/such\/folder"; .* is not a folder/],
    [{ command: 'node x.js' }, [{ at: '1s', action: 'slow-pod', target: 'pod-1', latencyMs: 5 }], /faults\[0\].action: got "slow-pod"; it needs svcbench's built-in pod/],
  ])('%j', (pod, faults, msg) => {
    expect(() => resolveScenario({ name: 'x', cluster: { pod }, faults })).toThrow(msg)
  })
  it('splits command lines with quotes; node means the running Node.js; cwd defaults to the scenario folder', () => {
    const v = resolveScenario({ name: 'x', cluster: { pod: { command: `node  'a b.js' "--x=\\"y\\"" plain`, args: ['--z'] } } }, { file: 'scenarios/own-service.ts' }).variants[0]!
    expect(v.cluster.command!.argv).toEqual([process.execPath, 'a b.js', '--x="y"', 'plain', '--z'])
    expect(v.cluster.command!.cwd).toBe(path.join(ROOT, 'scenarios'))
    expect(v.cluster.readinessProbe.path).toBe('/healthz')
    expect(v.cluster.command!.startupTimeoutMs).toBe(10_000)
  })
})
