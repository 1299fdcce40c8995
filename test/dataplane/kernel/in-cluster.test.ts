/**
 * In-cluster clients at a ClusterIP Service on the kernel dataplane: client pods in their nodes'
 * client namespaces (or the Service's own pods in theirs), the ClusterIP a real virtual IP that
 * kube-proxy's own rules (harness/dataplane/kernel/rules/, both modes) DNAT on the client's node,
 * one load generator per namespace, their results merged. The same cases as the proxy dataplane's
 * (test/helpers/in-cluster.ts says what kube-proxy does in each).
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { requireInCi } from '../../helpers/ci.ts'
import { KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { inClusterCases } from '../../helpers/in-cluster.ts'
import { startCluster } from '../../../harness/cluster/cluster.ts'
import { addressPlan } from '../../../harness/cluster/address-plan.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { CLUSTER_IP } from '../../../harness/dataplane/kernel/address-plan.ts'

describe.each(['nftables', 'iptables'] as const)('in-cluster clients on the kernel dataplane, %s', (proxyMode) => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))
  inClusterCases('kernel', { runId: `kic${proxyMode.slice(0, 2)}`, proxyMode, after: () => expect(leftoverNetns('svb-kic')).toEqual([]) })
})

describe.each(['nftables', 'iptables'] as const)('the ClusterIP from a node itself (host network), %s', (proxyMode) => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))
  it('reaches a pod through the node\'s OUTPUT rules, on another node too', async () => {
    // node-a has no pod: its own connection to the ClusterIP is DNATed in its output hook to node-b's.
    const v = resolveScenario({ name: 'out', cluster: { nodes: [{ name: 'node-a', pods: 0 }, { name: 'node-b', pods: 1 }] }, service: { dataplane: 'kernel', type: 'ClusterIP', proxyMode } }).variants[0]!
    const runId = `kicout${proxyMode.slice(0, 2)}${process.pid}`
    const cluster = await startCluster(v, { plan: addressPlan(250), seed: 1, runId })
    try {
      const probe = { type: 'httpGet' as const, host: CLUSTER_IP, port: 80, path: '/healthz', timeoutMs: 1000 }
      expect(await cluster.probeFromNode('node-a', probe)).toBe(true)
      expect(await cluster.probeFromNode('node-b', probe)).toBe(true)
      // A port the ClusterIP does not serve is refused (cluster-ips-check), not forwarded.
      expect(await cluster.probeFromNode('node-a', { ...probe, port: 81 })).toBe(false)
    } finally {
      await cluster.stop()
    }
    expect(leftoverNetns(`svb-${runId}`)).toEqual([])
  })
})
