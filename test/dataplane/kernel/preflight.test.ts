/**
 * The kernel dataplane's preflight on machines that lack something (an injected KernelHost): each
 * refusal names what is missing and how to run the scenario, before anything starts; and the
 * CLI run by a user without root, which exits 2 saying so.
 */
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { kernelPreflight, THIS_HOST, USER_NAMESPACE_COMMAND, type KernelHost } from '../../../harness/dataplane/kernel/preflight.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { BIN, ROOT } from '../../helpers/cli.ts'
import { createKernelDataplane } from '../../../harness/dataplane/kernel/dataplane.ts'
import { preflightRun } from '../../../harness/dataplane/registry.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import type { ResolvedVariant } from '../../../harness/model/scenario.ts'

const ROOT_CAPS = 0x1fffeffffffn
const able: KernelHost = { platform: 'linux', effectiveCapabilities: () => ROOT_CAPS, hasProgram: () => true, hasIpvs: () => false, maxUserNamespaces: () => 1000 }
const variant = (service: object, body: object = {}) => resolveScenario({ name: 'pre', service: { dataplane: 'kernel', ...service }, ...body }).variants[0] as ResolvedVariant

describe('kernelPreflight', () => {
  it('lets a root Linux machine with the tools run nftables and iptables', () => {
    expect(kernelPreflight(variant({ proxyMode: 'nftables' }), able)).toEqual([])
    expect(kernelPreflight(variant({ proxyMode: 'iptables' }), able)).toEqual([])
  })

  it.each([
    { why: 'ipvs on a kernel without IPVS', service: { proxyMode: 'ipvs' }, host: able, path: 'service.proxyMode', says: 'got "ipvs"; this kernel lacks IPVS (no /proc/net/ip_vs; `modprobe ip_vs` loads it where the kernel has the module): use proxyMode "nftables" or "iptables", or dataplane "proxy" to simulate ipvs' },
    { why: 'an ipvs alias', service: { balancer: 'round-robin' }, host: able, path: 'service.proxyMode', says: /^got "ipvs"; this kernel lacks IPVS/ },
    { why: 'ipvs where the kernel has it', service: { proxyMode: 'ipvs' }, host: { ...able, hasIpvs: () => true }, path: 'service.proxyMode', says: /writes kube-proxy's nftables and iptables rules only/ },
    { why: 'userspace', service: { proxyMode: 'userspace' }, host: able, path: 'service.proxyMode', says: /userspace mode \(removed in Kubernetes 1\.26\) writes no kernel rules/ },
    { why: 'per-request balancing', service: { balancing: 'request' }, host: able, path: 'service.balancing', says: /decide once per connection, in the kernel/ },
    { why: 'no root', service: {}, host: { ...able, effectiveCapabilities: () => 0n }, path: 'service.dataplane', says: `got "kernel"; creating the run's network namespaces needs root (this process lacks CAP_SYS_ADMIN and CAP_NET_ADMIN): run svcbench as root, or inside an unprivileged user namespace, which this kernel allows: ${USER_NAMESPACE_COMMAND}` },
    { why: 'no root and no user namespaces', service: {}, host: { ...able, effectiveCapabilities: () => 1n << 12n, maxUserNamespaces: () => 0 }, path: 'service.dataplane', says: /lacks CAP_SYS_ADMIN\): run svcbench as root \(this kernel allows no unprivileged user namespace/ },
    { why: 'missing tools', service: { proxyMode: 'iptables' }, host: { ...able, hasProgram: (b: string) => !['conntrack', 'iptables-restore'].includes(b) }, path: 'service.dataplane', says: 'got "kernel"; missing `conntrack`, `iptables-restore`: install conntrack iptables (Debian: apt-get install -y conntrack iptables)' },
    { why: 'not Linux', service: {}, host: { ...able, platform: 'darwin' as const }, path: 'service.dataplane', says: /needs Linux/ },
  ])('refuses $why', ({ service, host, path, says }) => {
    const issues = kernelPreflight(variant(service), host)
    expect(issues.map((i) => i.path)).toEqual([path])
    if (typeof says === 'string') expect(issues[0]?.message).toBe(says)
    else expect(issues[0]?.message).toMatch(says)
  })

  it('runs one load generator per namespace of in-cluster clients, and refuses more than it can start', () => {
    // 20 client pods on 20 nodes: 20 namespaces; the Service's 20 pods as clients: 20 pod namespaces.
    const wide = variant({ type: 'ClusterIP' }, { cluster: { nodes: 20, replicas: 20 }, load: { clientIps: 20 } })
    expect(kernelPreflight(wide, able)).toEqual([{ path: 'load.clientNodes', message: 'in-cluster clients in 20 namespaces need a load generator process each; the kernel dataplane runs at most 16: use fewer nodes in load.clientNodes' }])
    const pods = variant({ type: 'ClusterIP' }, { cluster: { nodes: 2, replicas: 20 }, load: { clientIps: 20, clientPods: 'endpoints' } })
    expect(kernelPreflight(pods, able).map((i) => i.path)).toEqual(['load.clientPods'])
    // Per-node pod hosts: one namespace per node, whatever the pods.
    expect(kernelPreflight(variant({ type: 'ClusterIP' }, { cluster: { nodes: 2, replicas: 20, podProcesses: 'per-node' }, load: { clientIps: 20, clientPods: 'endpoints' } }), able)).toEqual([])
    expect(kernelPreflight(variant({ type: 'ClusterIP' }, { cluster: { nodes: 20, replicas: 20 }, load: { clientIps: 20, clientNodes: ['node-a', 'node-b'] } }), able)).toEqual([])
  })

  it('names the variant in the path, and refuses a build without the rule renderers', () => {
    const v = resolveScenario({ name: 'pre', variants: { k: { service: { dataplane: 'kernel' } } } }).variants[0] as ResolvedVariant
    expect(kernelPreflight(v, able, false)).toEqual([{ path: 'variants.k.service.dataplane', message: 'got "kernel"; this build of svcbench has no renderer of kube-proxy\'s rules (harness/dataplane/kernel/rules/): use dataplane "proxy"' }])
  })

  it('runs through the dataplane and the run\'s preflight, and only for kernel variants', () => {
    expect(createKernelDataplane({ host: { ...able, effectiveCapabilities: () => 0n }, rules: {} as never }).preflight(variant({}))[0]?.message).toMatch(/needs root/)
    const run = resolveScenario({ name: 'pre', service: { proxyMode: 'userspace' }, variants: { sim: {}, real: { service: { dataplane: 'kernel' } } } })
    expect(preflightRun(run).filter((i) => i.path === 'variants.real.service.proxyMode')).toHaveLength(1)
    expect(preflightRun(run).filter((i) => i.path.startsWith('variants.sim'))).toEqual([])
  })
})

describe('a kernel scenario without root', () => {
  // Run as nobody through setpriv, which only root can do: under CI (root) this always runs.
  it('exits 2 before anything starts, naming what is missing and how to run it (svcbench run and verify)', async (ctx) => {
    requireInCi('root and setpriv (to run svcbench as nobody)', process.getuid?.() === 0 && THIS_HOST.hasProgram('setpriv'))(ctx)
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svcbench-nonroot-'))
    fs.chmodSync(dir, 0o755)
    const file = path.join(dir, 'kernel-nonroot.ts')
    fs.writeFileSync(file, `export default ${JSON.stringify({ name: 'kernel-nonroot', cluster: { nodes: 2, replicas: 4 }, service: { dataplane: 'kernel', proxyMode: 'nftables' }, load: { duration: '1s' } })}\n`, { mode: 0o644 })
    try {
      const asNobody = (args: string[]) => new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', '--', process.execPath, BIN, ...args, '--no-report', '--out', path.join(dir, 'out')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
        let stderr = ''
        p.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
        p.once('close', (code) => resolve({ code, stderr }))
      })
      const run = await asNobody(['run', file])
      expect(run.code, run.stderr).toBe(2)
      expect(run.stderr).toMatch(/service\.dataplane: got "kernel"; creating the run's network namespaces needs root \(this process lacks CAP_SYS_ADMIN and CAP_NET_ADMIN\): run svcbench as root/)
      const verify = await asNobody(['verify', file])
      expect(verify.code, verify.stderr).toBe(2)
      expect(verify.stderr).toMatch(/svcbench verify runs every variant on the kernel dataplane too, and here it cannot: got "kernel"; creating the run's network namespaces needs root/)
      expect(fs.existsSync(path.join(dir, 'out'))).toBe(false)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }, 30_000)
})
