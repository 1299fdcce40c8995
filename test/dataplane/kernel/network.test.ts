/**
 * The kernel dataplane's network on real namespaces: built and removed with nothing left and the
 * host's own network unchanged; a child started inside a namespace keeps its IPC (ready
 * handshake, requests, kill, exit watch); a pod is reached from its node over its veth, as the
 * kubelet's probe reaches it.
 */
import fs from 'node:fs'
import { fileURLToPath } from 'node:url'
import { beforeEach, describe, expect, it } from 'vitest'
import { kernelAddressPlan } from '../../../harness/dataplane/kernel/address-plan.ts'
import { kernelLayout } from '../../../harness/dataplane/kernel/layout.ts'
import { buildNetwork, netnsPrefix } from '../../../harness/dataplane/kernel/network.ts'
import { runTool } from '../../../harness/dataplane/kernel/exec.ts'
import { placeTopology } from '../../../harness/cluster/topology.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { prepareBundles } from '../../../harness/process/bundle.ts'
import { liveChildCount, startChild } from '../../../harness/process/child.ts'
import { isRunning } from '../../../harness/process/guarded.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { hostNetworkState, KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import type { PodConfig } from '../../../harness/model/wire.ts'
import type { ResolvedVariant } from '../../../harness/model/scenario.ts'

const POD_ENTRY = fileURLToPath(new URL('../../../harness/pods/main.ts', import.meta.url))
const AGENT_ENTRY = fileURLToPath(new URL('../../../harness/dataplane/kernel/node-agent.ts', import.meta.url))

async function network(body: object, opts: { shared?: boolean } = {}) {
  const v = resolveScenario({ name: 'net', ...body }).variants[0] as ResolvedVariant
  const plan = kernelAddressPlan(v)
  const topology = placeTopology(v, plan)
  const layout = kernelLayout(topology, plan, { prefix: netnsPrefix(`nettest${process.pid}`), sharedPodNetns: opts.shared })
  return { topology, layout, net: await buildNetwork(layout) }
}

describe('the kernel dataplane network', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))

  it.each([{ shared: false }, { shared: true }])('is built and removed with nothing left and the host unchanged (shared pod namespaces: $shared)', async ({ shared }) => {
    const before = hostNetworkState()
    const { layout, net } = await network({ cluster: { nodes: 2, replicas: 4 } }, { shared })
    expect(leftoverNetns(`${layout.prefix}-`).sort()).toEqual([...layout.namespaces].sort())
    // The pod's address is on its veth, and its node routes the /32 to the veth.
    const podNs = layout.podNetns.get('pod-2') as string
    expect(await runTool('ip', ['-o', '-4', 'addr', 'show', 'dev', 'eth0'], { netns: podNs })).toContain('198.19.1.2/32')
    expect(await runTool('ip', ['route', 'get', '198.19.1.2'], { netns: layout.nodes[1]!.netns })).toMatch(shared ? /dev pods/ : /dev p1/)
    // Nodes and the fabric forward; nothing of that is set in the host.
    expect((await runTool('cat', ['/proc/sys/net/ipv4/ip_forward'], { netns: layout.nodes[0]!.netns })).trim()).toBe('1')
    expect((await runTool('cat', ['/proc/sys/net/ipv4/ip_forward'], { netns: podNs })).trim()).toBe('0')
    expect(hostNetworkState()).toEqual(before)
    await net.teardown()
    await net.teardown() // twice is harmless
    expect(leftoverNetns(`${layout.prefix}-`)).toEqual([])
    expect(hostNetworkState()).toEqual(before)
  })

  it('starts a child inside a namespace with its IPC: ready handshake, requests, kill and the exit watch', async () => {
    await prepareBundles()
    const { topology, layout, net } = await network({ cluster: { nodes: 1, replicas: 1 } })
    try {
      const pod = topology.pods[0]!
      const podNs = layout.podNetns.get(pod.name) as string
      const config: PodConfig = { name: pod.name, node: pod.node, address: pod.address, port: pod.port, latency: { dist: 'constant', meanMs: 0, p99Ms: 0 }, responseBytes: 16, errorRate: 0, seed: 1 }
      const child = startChild(POD_ENTRY, { label: 'pod in a namespace', config, runId: `nettest-${process.pid}`, netns: podNs })
      expect(await child.ready).toEqual({ port: pod.port })
      // It is Node itself (ip exec'd it in place), in the pod's namespace.
      expect(fs.statSync(`/proc/${child.pid}/ns/net`).ino).toBe(fs.statSync(`/run/netns/${podNs}`).ino)
      expect(fs.readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')[0]).toBe(process.execPath)
      // The kubelet's probe from the node's namespace reaches the pod over its veth.
      const agent = startChild(AGENT_ENTRY, { label: 'node agent', config: { node: 'node-a', address: layout.nodes[0]!.address, healthCheckNodePort: null, service: { namespace: 'default', name: 's' } }, runId: `nettest-${process.pid}`, netns: layout.nodes[0]!.netns })
      await agent.ready
      expect(await agent.request('probe', { type: 'httpGet', host: pod.address, port: pod.port, path: '/healthz', timeoutMs: 1000 })).toBe(true)
      expect(await child.request('stats')).toMatchObject({ name: pod.name, requests: 0 })
      await Promise.all([child.kill(), agent.kill()])
      expect(child.isExited()).toBe(true)
      expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' })
      expect(isRunning(child.pid)).toBe(false)
    } finally {
      await net.teardown()
    }
    expect(liveChildCount()).toBe(0)
  })
})
