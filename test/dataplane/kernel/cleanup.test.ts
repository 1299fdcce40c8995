/**
 * Whatever happens to svcbench, nothing of a kernel run is left: after a normal end of `svcbench
 * run`, and after a SIGKILL of svcbench (the CLI mid-run, or a process that built a kernel
 * cluster), the run's guard kills every process in the run's namespaces and deletes them; the
 * host's namespaces, links, nft ruleset and iptables rules are as before.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { isRunning } from '../../../harness/process/guarded.ts'
import { netnsNamed, startNetnsGuard } from '../../../harness/dataplane/kernel/guard.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { hostNetworkState, KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { processesOfRun, startCli, waitFor } from '../../helpers/cli.ts'

/** A kernel scenario file of `durationMs`, nftables and iptables variants (2 nodes × 2 pods). */
function kernelScenario(durationMs: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-kernel-cleanup-'))
  const file = path.join(dir, 'kernel-cleanup.ts')
  fs.writeFileSync(file, `export default ${JSON.stringify({ name: 'kernel-cleanup', cluster: { nodes: 2, replicas: 2 }, service: { dataplane: 'kernel' }, load: { duration: `${durationMs}ms`, warmup: '100ms', connections: 4, clientIps: 4 }, variants: { nft: { service: { proxyMode: 'nftables' } }, ipt: { service: { proxyMode: 'iptables' } } } })}\n`)
  return file
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/kernel-run.ts', import.meta.url))
const TSX = createRequire(import.meta.url).resolve('tsx')

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs
  while (Date.now() < end) {
    if (check()) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return check()
}

describe('kernel dataplane cleanup', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))

  it('after a SIGKILL of the run, no namespace, process, link or rule of it is left', async () => {
    const before = hostNetworkState()
    const runId = `sigkill${process.pid}`
    const run = spawn(process.execPath, ['--import', TSX, FIXTURE, runId], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    run.stderr.on('data', (b: Buffer) => (err += b.toString()))
    const started = await new Promise<{ namespaces: string[]; pids: number[] }>((resolve, reject) => {
      run.stdout.on('data', (b: Buffer) => {
        out += b.toString()
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0] as string))
      })
      run.once('exit', (code) => reject(new Error(`the run exited (${code}) before it was up: ${err}`)))
    })
    // 2 nodes × 2 pods: fabric, clients, 2 nodes, 2 pods; pods, agents, watches and the load generator inside them.
    expect(started.namespaces).toHaveLength(6)
    expect(started.pids.length).toBeGreaterThanOrEqual(5)
    expect(leftoverNetns().filter((n) => started.namespaces.includes(n))).toHaveLength(6)
    run.kill('SIGKILL')
    expect(await until(() => leftoverNetns().filter((n) => started.namespaces.includes(n)).length === 0, 5000)).toBe(true)
    expect(await until(() => started.pids.every((p) => !isRunning(p)), 5000)).toBe(true)
    expect(hostNetworkState()).toEqual(before)
  })

  it('after svcbench run ends normally, nothing of the run is left and the host is as before', async () => {
    const before = hostNetworkState()
    const file = kernelScenario(300)
    const out = path.join(path.dirname(file), 'out')
    const cli = startCli(['run', file, '--no-report', '--no-progress', '--out', out])
    const code = await cli.done
    expect(code, cli.stderr()).toBe(0)
    expect(leftoverNetns(`svb-${cli.proc.pid}`)).toEqual([])
    expect(processesOfRun(cli.proc.pid as number)).toEqual([])
    expect(hostNetworkState()).toEqual(before)
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  })

  it('after a SIGKILL of svcbench run mid-run, nothing of the run is left and the host is as before', async () => {
    const before = hostNetworkState()
    const file = kernelScenario(20_000)
    const cli = startCli(['run', file, '--no-report', '--out', path.join(path.dirname(file), 'out')])
    const pid = cli.proc.pid as number
    // Up: the fabric, clients, 2 nodes and 2 pods, and the load going (the progress lines say so).
    expect(await waitFor(() => leftoverNetns(`svb-${pid}`).length === 6 && /measuring/.test(cli.stderr()), 15_000), cli.stderr()).toBe(true)
    const namespaces = leftoverNetns(`svb-${pid}`)
    cli.proc.kill('SIGKILL')
    await cli.done
    expect(await until(() => leftoverNetns(`svb-${pid}`).length === 0, 5000), `left: ${namespaces}`).toBe(true)
    expect(await until(() => processesOfRun(pid).length === 0, 5000)).toBe(true)
    expect(hostNetworkState()).toEqual(before)
    fs.rmSync(path.dirname(file), { recursive: true, force: true })
  })

  it('the guard removes its own run\'s namespaces only: another run\'s whose name starts alike, and the machine\'s own, stay', async () => {
    const id = `guardtest${process.pid}`
    const ours = [`svb-${id}-a-fab`, `svb-${id}-a-n0`]
    const others = [`svb-${id}-ab-fab`, `${id}-host`]
    for (const n of [...ours, ...others]) execFileSync('ip', ['netns', 'add', n])
    try {
      await startNetnsGuard(`svb-${id}-a-`).release()
      expect(netnsNamed(`svb-${id}-a-`)).toEqual([])
      expect([...netnsNamed(`svb-${id}`), ...netnsNamed(`${id}-`)].sort()).toEqual([...others].sort())
    } finally {
      for (const n of [...ours, ...others]) spawn('ip', ['netns', 'del', n], { stdio: 'ignore' })
    }
  })
})
