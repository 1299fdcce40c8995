/**
 * In-cluster clients at a ClusterIP Service on the kernel dataplane: client pods in their nodes'
 * client namespaces (or the Service's own pods in theirs), the ClusterIP a real virtual IP that
 * kube-proxy's own rules (harness/dataplane/kernel/rules/, both modes) DNAT on the client's node,
 * one load generator per namespace, their results merged. The same cases as the proxy dataplane's
 * (test/helpers/in-cluster.ts says what kube-proxy does in each).
 */
import { beforeEach, describe, expect } from 'vitest'
import { requireInCi } from '../../helpers/ci.ts'
import { KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { inClusterCases } from '../../helpers/in-cluster.ts'

describe.each(['nftables', 'iptables'] as const)('in-cluster clients on the kernel dataplane, %s', (proxyMode) => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))
  inClusterCases('kernel', { runId: `kic${proxyMode.slice(0, 2)}`, proxyMode, after: () => expect(leftoverNetns('svb-kic')).toEqual([]) })
})
