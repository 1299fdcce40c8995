/**
 * In-cluster clients (load.from 'cluster') at a ClusterIP Service, checked the same way on both
 * dataplanes (test/integration/in-cluster.test.ts, test/dataplane/kernel/in-cluster.test.ts): what
 * kube-proxy does to pod → ClusterIP traffic, worked out from its proxiers by hand:
 * - the pod sees the client pod's own address: the ClusterIP chain masquerades only sources
 *   outside the cluster CIDR (`ip saddr != <cluster CIDR> jump mark-for-masquerade`);
 * - internalTrafficPolicy Local sends a client's connection only to its node's pods, and a node
 *   with none DROPs it (`internalTrafficFilterVerdict = "drop"` when the Service has endpoints
 *   but none local; REJECT only when it has none at all), so those clients time out;
 * - a connection a pod opens to itself is masqueraded (the endpoint chain's `ip saddr <pod> jump
 *   mark-for-masquerade`): it arrives from its node's address;
 * - masqueradeAll masquerades every ClusterIP connection: the pods see node addresses only.
 * pkg/proxy/nftables/proxier.go and pkg/proxy/iptables/proxier.go, syncProxyRules.
 */
import { expect, it } from 'vitest'
import { runScenario } from '../../harness/runner.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import type { DataplaneName } from '../../harness/model/scenario.ts'
import type { VariantResult } from '../../harness/model/results.ts'

/** Options for {@link inClusterCases}. */
export interface InClusterCasesOptions {
  /** Run id prefix (the kernel dataplane names its namespaces after it). */
  runId: string
  /** Checked after every run (nothing left behind). */
  after?: () => void
  /** kube-proxy mode. @default the scenario default (iptables) */
  proxyMode?: 'iptables' | 'nftables'
}

// The warm-up opens every keep-alive connection before the epoch: a connection opened at the very
// moment the kernel dataplane reads its counters can be missed by its decision counts.
const load = { duration: '400ms', warmup: '300ms', requestTimeout: '1s' }

/** The client pod's node, as the results name it. */
const clientNode = (v: VariantResult, address: string) => v.clients?.nodeByClient[address]

/** The in-cluster cases for `dataplane`, as vitest tests (call inside a describe). */
export function inClusterCases(dataplane: DataplaneName, opts: InClusterCasesOptions): void {
  const run = async (scenario: Record<string, unknown>, tag: string) => {
    const withMode = opts.proxyMode === undefined ? scenario : { ...scenario, service: { ...(scenario.service as object), proxyMode: opts.proxyMode } }
    const r = await runScenario(resolveScenario({ name: `in-cluster-${tag}`, ...withMode }), { runId: `${opts.runId}${tag}${process.pid}` })
    expect(liveChildCount()).toBe(0)
    opts.after?.()
    return r
  }

  it('internalTrafficPolicy Local keeps every client pod\'s traffic on its own node; Cluster spreads it; the pods see the client pods\' addresses', async () => {
    const r = await run({
      cluster: { nodes: 3, replicas: 3 },
      service: { dataplane, type: 'ClusterIP' },
      load: { ...load, connections: 12, clientIps: 6 },
      variants: { local: { service: { internalTrafficPolicy: 'Local' } }, cluster: {} },
    }, 'spread')
    const [local, cluster] = r.variants as [VariantResult, VariantResult]
    for (const v of [local, cluster]) {
      expect(v.errors.total).toBe(0)
      expect(v.requests.ok).toBeGreaterThan(30)
      expect(v.clients).toMatchObject({ from: 'cluster', clientPods: 'separate', byNode: { 'node-a': 2, 'node-b': 2, 'node-c': 2 } })
      expect(v.sourceAddresses).toEqual({ clientAddressesSeen: 6, nodeAddressesSeen: 0 })
      expect(v.nodes.map((n) => n.decisions)).toEqual([4, 4, 4])
    }
    // Local: every decision went to a pod on the client's own node, and every pod's requests came from there.
    const podNode = new Map(local.pods.map((p) => [p.name, p.node]))
    expect(Object.keys(local.clients!.nodeByClient)).toHaveLength(6)
    expect(local.stickiness.matrix.every((m) => podNode.get(m.pod) === clientNode(local, m.client))).toBe(true)
    expect(local.pods.map((p) => p.sameNodeShare)).toEqual([1, 1, 1])
    expect(local.clients?.sameNodeShare).toBe(1)
    // Cluster: 12 connections each 1/3 likely to stay on their node; all 12 staying has p = 3^-12.
    expect(cluster.clients!.sameNodeShare!).toBeLessThan(1)
    expect(cluster.stickiness.matrix.some((m) => podNode.get(m.pod) !== clientNode(cluster, m.client))).toBe(true)
  })

  it('internalTrafficPolicy Local drops the clients of a node without a pod (they time out) while the others are served', async () => {
    const r = await run({
      cluster: { nodes: [{ name: 'node-a', pods: 1 }, { name: 'node-b', pods: 1 }, { name: 'node-c', pods: 0 }] },
      service: { dataplane, type: 'ClusterIP', internalTrafficPolicy: 'Local' },
      // node-c's client times out 1 s after its first request: inside the measured phase.
      load: { ...load, duration: '1100ms', connections: 3, clientIps: 3 },
    }, 'drop')
    const v = r.variants[0]!
    expect(v.requests.ok).toBeGreaterThan(30)
    // Only timeouts (a DROP, not a REJECT: no connect-refused), from node-c's one client.
    expect(v.errors.byKind).toMatchObject({ 'connect-refused': 0, reset: 0, 'http-5xx': 0, other: 0 })
    expect(v.errors.byKind.timeout).toBeGreaterThanOrEqual(1)
    expect(v.nodes.map((n) => n.decisions)).toEqual([1, 1, 0])
    expect(v.stickiness.clients).toBe(2)
  })

  it('a client pod that is also an endpoint reaches itself (hairpin), masqueraded to its node\'s address', async () => {
    const r = await run({
      cluster: { nodes: 1, replicas: 2 },
      service: { dataplane, type: 'ClusterIP' },
      // One client: pod-1 calls its own Service; its connections go to itself or to pod-2.
      load: { ...load, connections: 8, clientIps: 1, clientPods: 'endpoints' },
    }, 'hairpin')
    const v = r.variants[0]!
    const [self, other] = v.pods as [VariantResult['pods'][number], VariantResult['pods'][number]]
    expect(v.errors.total).toBe(0)
    expect(v.clients).toMatchObject({ from: 'cluster', clientPods: 'endpoints', byNode: { 'node-a': 1 } })
    expect(self.decisions + other.decisions).toBe(8)
    expect(self.decisions).toBeGreaterThan(0) // (seeded picks)
    expect(other.decisions).toBeGreaterThan(0)
    expect(v.clients!.hairpinDecisions).toBe(self.decisions)
    expect(self.requests).toBeGreaterThan(0)
    // pod-1 sees its node (the hairpin SNAT); pod-2 sees pod-1's own address.
    expect(v.sourceAddresses).toEqual({ clientAddressesSeen: 1, nodeAddressesSeen: 1 })
  })

  it('masqueradeAll: the pods see node addresses only, and still which node each request came from', async () => {
    const r = await run({
      cluster: { nodes: 2, replicas: 2 },
      service: { dataplane, type: 'ClusterIP', masqueradeAll: true },
      load: { ...load, connections: 8, clientIps: 4 },
    }, 'masq')
    const v = r.variants[0]!
    expect(v.errors.total).toBe(0)
    expect(v.sourceAddresses).toEqual({ clientAddressesSeen: 0, nodeAddressesSeen: 2 })
    expect(v.clientAddresses.seenByProxies).toBe(4)
    expect(v.clients!.sameNodeShare).not.toBeNull()
  })
}
