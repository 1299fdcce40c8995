/**
 * In-cluster UDP clients on the proxy dataplane: resolvers in client pods querying a UDP
 * Service's ClusterIP through their own node's kube-proxy (the node proxy's ClusterIP forwarder,
 * harness/proxy/udp-node.ts). What kube-proxy does in each case is worked out by hand in
 * test/helpers/udp-in-cluster.ts; test/dataplane/kernel/udp-in-cluster.test.ts runs the same on
 * the kernel's rules and conntrack.
 */
import { describe, expect, it } from 'vitest'
import { runVariants } from '../helpers/run.ts'
import { CHI2_3DF_P01, chiSquaredAgainstUniform, udpInClusterScenarios } from '../helpers/udp-in-cluster.ts'
import { expectStaleEntriesCleaned } from '../helpers/udp-scenarios.ts'
import type { VariantResult } from '../../harness/model/results.ts'

/** The node of each client pod, as the results name it. */
const nodeOfClient = (v: VariantResult) => v.clients!.nodeByClient

describe('in-cluster UDP clients on the proxy dataplane', () => {
  const s = udpInClusterScenarios('proxy')

  it('per-query source ports: flows split uniformly over 4 pods (χ² p ≥ 0.01); the pods see the client pods\' addresses, and node addresses only under masqueradeAll', async () => {
    const [cluster, masq] = await runVariants(s.perQuery)
    for (const v of [cluster!, masq!]) {
      expect(v.errors.total).toBe(0)
      expect(v.clients).toMatchObject({ from: 'cluster', clientPods: 'separate', byNode: { 'node-a': 4, 'node-b': 4 } })
      const flows = v.udp!.pods.map((p) => p.flows)
      expect(flows.reduce((a, b) => a + b, 0)).toBe(v.udp!.flows)
      expect(v.udp!.flows).toBeGreaterThanOrEqual(v.requests.ok - 8)
      // Half the endpoints are on the client's node: ~1/2 (sd ≈ 0.025 for ~400 flows).
      expect(v.clients!.sameNodeShare!).toBeGreaterThan(0.35)
      expect(v.clients!.sameNodeShare!).toBeLessThan(0.65)
      expect(v.nodes.map((n) => n.decisions).reduce((a, b) => a + b, 0)).toBe(v.udp!.flows)
    }
    // The proxy's picks are seeded (per variant and node), so each variant's split is one fixed
    // draw; the split is checked on the Cluster variant's (1 seed in 100 fails a p ≥ 0.01 check).
    expect(chiSquaredAgainstUniform(cluster!.udp!.pods.map((p) => p.flows))).toBeLessThan(CHI2_3DF_P01)
    expect(cluster!.sourceAddresses).toEqual({ clientAddressesSeen: 8, nodeAddressesSeen: 0 })
    expect(masq!.sourceAddresses).toEqual({ clientAddressesSeen: 0, nodeAddressesSeen: 2 })
  })

  it('fixed source ports: each of 8 client pods has all its queries answered by one pod', async () => {
    const [v] = await runVariants(s.fixed)
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.clients).toHaveLength(8)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
    expect(v!.udp!.flows).toBe(8)
    expect(v!.sourceAddresses).toEqual({ clientAddressesSeen: 8, nodeAddressesSeen: 0 })
  })

  it('a pod querying its own Service reaches itself (hairpin), masqueraded to its node\'s address; the other pod sees its own address', async () => {
    const [v] = await runVariants(s.hairpin)
    const [self, other] = v!.udp!.pods
    expect(v!.errors.total).toBe(0)
    expect(v!.clients).toMatchObject({ from: 'cluster', clientPods: 'endpoints', byNode: { 'node-a': 1 } })
    expect(self!.flows).toBeGreaterThan(0)
    expect(other!.flows).toBeGreaterThan(0)
    expect(v!.clients!.hairpinDecisions).toBe(self!.flows)
    expect(v!.sourceAddresses).toEqual({ clientAddressesSeen: 1, nodeAddressesSeen: 1 })
  })

  it('internalTrafficPolicy Local: each client pod\'s flows stay on its node\'s pods; a node without a pod gets no answer (its queries time out)', async () => {
    const [v] = await runVariants(s.local)
    const podNode = new Map(v!.pods.map((p) => [p.name, p.node]))
    const answered = v!.udp!.clients.filter((c) => c.answered > 0)
    expect(answered.map((c) => nodeOfClient(v!)[c.client]).sort()).toEqual(['node-a', 'node-a', 'node-b', 'node-b'])
    for (const c of answered) expect(c.pods.every((p) => podNode.get(p) === nodeOfClient(v!)[c.client])).toBe(true)
    expect(v!.pods.map((p) => p.sameNodeShare)).toEqual([1, 1, 1, 1])
    expect(v!.clients!.sameNodeShare).toBe(1)
    // node-c balanced nothing; its two resolvers' queries (a third of them) were lost, and nothing else went wrong.
    expect(v!.nodes.map((n) => [n.name, n.decisions > 0])).toEqual([['node-a', true], ['node-b', true], ['node-c', false]])
    expect(v!.errors.byKind).toMatchObject({ 'connect-refused': 0, reset: 0, other: 0 })
    expect(v!.errors.byKind.timeout).toBeGreaterThan(0.25 * (v!.requests.sent ?? 0))
    expect(v!.errors.byKind.timeout).toBeLessThan(0.4 * (v!.requests.sent ?? 0))
  })

  it('a killed pod: its flows move at the endpoint update with kube-proxy\'s cleanup of the ClusterIP\'s entries, and blackhole until they expire without it', async () => {
    const [none, cleanup] = await runVariants(s.killed)
    expectStaleEntriesCleaned(none!.failover[0]!, cleanup!.failover[0]!, s)
  })
})
