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
import { runScenario } from '../../../harness/runner.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../../harness/process/child.ts'
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
      const { variants } = await runScenario(resolveScenario({
        name: 'kernel-run',
        cluster: { nodes: 2, replicas: 4 },
        service: { dataplane: 'kernel', proxyMode: 'nftables' },
        load: { duration: '400ms', warmup: '100ms', connections: 8, clientIps: 4 },
        variants: { cluster: {}, local: { service: { externalTrafficPolicy: 'Local' } }, proxy: { service: { dataplane: 'proxy' } } },
      }), { runId: `krun${process.pid}` })
      const [cluster, local, proxy] = variants
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
    expect(leftoverNetns(`svb-krun${process.pid}`)).toEqual([])
    expect(liveChildCount()).toBe(0)
    expect(hostNetworkState()).toEqual(before)
  })

  it('stops on the signal (SIGINT) with what it measured, and removes the run\'s namespaces', async () => {
    const builtIn = registry.kernel
    ;(registry as { kernel: () => unknown }).kernel = () => createKernelDataplane({ rules: TEST_RULES })
    const stop = new AbortController()
    try {
      const run = resolveScenario({ name: 'kernel-abort', cluster: { nodes: 1, replicas: 1 }, service: { dataplane: 'kernel' }, load: { duration: '20s', warmup: '0s', connections: 2, clientIps: 2 } })
      const pending = runScenario(run, { runId: `kabort${process.pid}`, signal: stop.signal, onPhase: (_v, phase) => void (phase === 'measuring' && setTimeout(() => stop.abort(), 300)) })
      const result = await pending
      expect(result.interrupted).toBe(true)
      expect(result.variants[0]!.requests.ok).toBeGreaterThan(0)
    } finally {
      ;(registry as { kernel: () => unknown }).kernel = builtIn
    }
    expect(leftoverNetns(`svb-kabort${process.pid}`)).toEqual([])
    expect(liveChildCount()).toBe(0)
  })
})
