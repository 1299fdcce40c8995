/**
 * A kernel-dataplane run end to end on real namespaces: 2 nodes × 2 built-in pods behind the
 * stand-in DNAT rules (test/helpers/kernel-rules.ts; the lead swaps in kube-proxy's renderers),
 * the load generator in the client namespace, probes from the node namespaces. Local keeps the
 * client's address at the pods and Cluster shows node addresses; a variant may switch back to
 * the proxy dataplane; nothing is left afterwards.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import { registry } from '../../../harness/dataplane/registry.ts'
import { createKernelDataplane } from '../../../harness/dataplane/kernel/dataplane.ts'
import { runVariants } from '../../helpers/run.ts'
import { requireInCi } from '../../helpers/ci.ts'
import { hostNetworkState, KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN, leftoverNetns } from '../../helpers/netns.ts'
import { TEST_RULES } from '../../helpers/kernel-rules.ts'

describe('a kernel dataplane run', () => {
  beforeEach(requireInCi(KERNEL_REQUIREMENT, KERNEL_TESTS_CAN_RUN))

  it('serves HTTP end to end through the kernel\'s rules, per variant, and leaves nothing behind', async () => {
    const before = hostNetworkState()
    const builtIn = registry.kernel
    ;(registry as { kernel: () => unknown }).kernel = () => createKernelDataplane({ rules: TEST_RULES })
    try {
      const [cluster, local, proxy] = await runVariants({
        name: 'kernel-run',
        cluster: { nodes: 2, replicas: 4 },
        service: { dataplane: 'kernel', proxyMode: 'nftables' },
        load: { duration: '600ms', warmup: '200ms', connections: 8, clientIps: 4 },
        variants: { cluster: {}, local: { service: { externalTrafficPolicy: 'Local' } }, proxy: { service: { dataplane: 'proxy' } } },
      })
      expect([cluster!.dataplane, local!.dataplane, proxy!.dataplane]).toEqual(['kernel', 'kernel', 'proxy'])
      for (const r of [cluster!, local!]) {
        expect(r.requests.ok).toBeGreaterThan(50)
        expect(r.errors.total).toBe(0)
        expect(r.requests.podSide).toBeGreaterThanOrEqual(r.requests.total)
        // Every connection is one decision of the node it entered, counted by the rules.
        expect(r.fairness.decisions.reduce((a, b) => a + b, 0)).toBe(8)
        expect(r.nodes.map((n) => [n.address, n.decisions])).toEqual([['198.18.0.1', 4], ['198.18.0.2', 4]])
        expect(r.stickiness.clients).toBe(4)
        expect(r.clientAddresses.used).toBe(4)
        expect(r.warnings).toEqual([])
      }
      // Cluster masquerades to the node's address; Local keeps the client's.
      expect(cluster!.sourceAddresses).toEqual({ clientAddressesSeen: 0, nodeAddressesSeen: 2 })
      expect(local!.sourceAddresses).toEqual({ clientAddressesSeen: 4, nodeAddressesSeen: 0 })
      expect(proxy!.requests.ok).toBeGreaterThan(50)
    } finally {
      ;(registry as { kernel: () => unknown }).kernel = builtIn
    }
    expect(leftoverNetns('svb-kernelrun')).toEqual([])
    expect(hostNetworkState()).toEqual(before)
  })
})
