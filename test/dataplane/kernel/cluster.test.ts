/**
 * A kernel-dataplane cluster's operations on real namespaces (the stand-in DNAT rules of
 * test/helpers/kernel-rules.ts): the load generator in the client namespace over IPC, the
 * refusal of targets outside the run's namespaces, the kubelet's probe from a node namespace,
 * and kill-node (the node's uplink down, its pods killed).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { registry } from '../../../harness/dataplane/registry.ts'
import { createKernelDataplane } from '../../../harness/dataplane/kernel/dataplane.ts'
import { runTool } from '../../../harness/dataplane/kernel/exec.ts'
import { startCluster, type Cluster } from '../../../harness/cluster/cluster.ts'
import { addressPlan } from '../../../harness/cluster/address-plan.ts'
import { createLoadExecutor } from '../../../harness/load/registry.ts'
import { driveLoad } from '../../../harness/load/drive.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../../harness/process/child.ts'
import { isRunning } from '../../../harness/process/guarded.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { TEST_RULES } from '../../helpers/kernel-rules.ts'
import type { LoadPlan } from '../../../harness/load/types.ts'

const runId = `kcluster${process.pid}`
let cluster: Cluster | undefined
const builtIn = registry.kernel

const plan = (over: Partial<LoadPlan>): LoadPlan => ({ targets: [{ host: '198.18.0.1', port: 30080 }], clientAddresses: ['198.18.128.1', '198.18.128.2'], connections: 2, durationMs: 300, keepAlive: true, path: '/', requestTimeoutMs: 1000, epochMs: Date.now(), ...over })

describe('a kernel dataplane cluster', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))
  beforeAll(async () => {
    if (!KERNEL_TESTS_CAN_RUN) return
    ;(registry as { kernel: () => unknown }).kernel = () => createKernelDataplane({ rules: TEST_RULES })
    const v = resolveScenario({ name: 'kcluster', cluster: { nodes: 2, replicas: 2 }, service: { dataplane: 'kernel', proxyMode: 'nftables' } }).variants[0]!
    cluster = await startCluster(v, { plan: addressPlan(250), seed: 1, runId })
  })
  afterAll(async () => {
    await cluster?.stop()
    ;(registry as { kernel: () => unknown }).kernel = builtIn
    expect(leftoverNetns(`svb-${runId}`)).toEqual([])
    expect(liveChildCount()).toBe(0)
  })

  it('runs the load in the client namespace and hands its result back over IPC', async () => {
    const c = cluster as Cluster
    expect([c.dataplane, c.clientAddress(0), c.topology.pods.map((p) => p.address)]).toEqual(['kernel', '198.18.128.1', ['198.19.0.2', '198.19.1.2']])
    const r = await driveLoad(c.startLoad('closed', plan({})))
    expect(r.ok).toBeGreaterThan(10)
    expect(r.errorsByKind).toMatchObject({ 'connect-refused': 0, reset: 0, timeout: 0 })
    expect(r.latency.totalCount).toBe(r.responses)
    expect(r.clientAddressesUsed).toBe(2)
  })

  it('refuses targets outside the run\'s namespaces, and 198.18.0.0/15 outside them', async () => {
    const c = cluster as Cluster
    await expect(driveLoad(c.startLoad('closed', plan({ targets: [{ host: '198.51.100.7', port: 80 }] })))).rejects.toMatchObject({ code: 'NOT_LOOPBACK', message: expect.stringMatching(/refusing to send traffic to 198\.51\.100\.7: svcbench only targets 127\.0\.0\.0\/8, ::1 and the run's own 198\.18\.0\.0\/15 \(inside svb-/) })
    // This process is not inside the client namespace: the same plan is refused here.
    const clientNs = leftoverNetns(`svb-${runId}`).find((n) => n.endsWith('-cl')) as string
    expect(() => createLoadExecutor('closed').start(plan({ runNetns: clientNs }))).toThrow(/refusing to send traffic to 198\.18\.0\.1: svcbench only targets 127\.0\.0\.0\/8 and ::1/)
  })

  it('probes a pod from its node\'s namespace, and kill-node takes the node\'s uplink down and kills its pods', async () => {
    const c = cluster as Cluster
    const [a, b] = c.topology.pods
    expect(await c.probeFromNode('node-a', { type: 'httpGet', host: a!.address, port: a!.port, path: '/healthz', timeoutMs: 1000 })).toBe(true)
    expect(await c.probeFromNode('node-b', { type: 'httpGet', host: b!.address, port: b!.port, path: '/healthz', timeoutMs: 1000 })).toBe(true)
    const podB = c.processes().find((p) => p.role === 'pod' && p.name === b!.name)!.pid
    await c.killNode('node-b')
    const nodeB = leftoverNetns(`svb-${runId}`).find((n) => n.endsWith('-n1')) as string
    expect(await runTool('ip', ['-o', 'link', 'show', 'eth0'], { netns: nodeB })).toMatch(/state DOWN/)
    expect(isRunning(podB)).toBe(false)
    expect(await c.probeFromNode('node-b', { type: 'httpGet', host: b!.address, port: b!.port, path: '/healthz', timeoutMs: 500 })).toBe(false)
    // Endpoint updates skip the dead node; its counts are still collected.
    await c.publishEndpoints([a!.name])
    expect((await c.collect()).proxies.map((p) => p.node)).toEqual(['node-a', 'node-b'])
  })
})
