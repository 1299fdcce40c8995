/**
 * The kernel dataplane's address plan and network layout, pure: addresses worked out by hand
 * from the plan in harness/dataplane/kernel/address-plan.ts, and the ip-batch lines that make a
 * pod reachable from its node the way a ptp CNI plugin does.
 */
import { describe, expect, it } from 'vitest'
import { kernelAddressIssues, kernelAddressPlan, slotsPerNode } from '../../../harness/dataplane/kernel/address-plan.ts'
import { kernelLayout } from '../../../harness/dataplane/kernel/layout.ts'
import { placeTopology } from '../../../harness/cluster/topology.ts'
import { resolveScenario } from '../../../harness/scenario/resolve.ts'
import type { ResolvedVariant } from '../../../harness/model/scenario.ts'

const variant = (body: object) => resolveScenario({ name: 'plan', ...body }).variants[0] as ResolvedVariant

describe('kernelAddressPlan', () => {
  it.each([
    // nodes, replicas, [node index, slot] → pod address; the node's pod CIDR
    { nodes: 2, replicas: 4, at: [1, 0], pod: '198.19.1.2', cidr: '198.19.1.0/24' },
    { nodes: 2, replicas: 4, at: [0, 1], pod: '198.19.0.3', cidr: '198.19.0.0/24' },
    // 300 slots on one node need 303 addresses: a /23 per node; slot 299 is base + 301.
    { nodes: 1, replicas: 300, at: [0, 299], pod: '198.19.1.45', cidr: '198.19.0.0/23' },
    { nodes: 50, replicas: 1000, at: [49, 19], pod: '198.19.49.21', cidr: '198.19.49.0/24' },
    // With client pods each half holds its own: 200 pods need 203 addresses, a /23's lower half.
    { nodes: 1, replicas: 200, clients: 5, at: [0, 199], pod: '198.19.0.201', cidr: '198.19.0.0/23' },
  ])('$nodes nodes × $replicas pods: slot $at is $pod in $cidr', ({ nodes, replicas, clients, at, pod, cidr }) => {
    const plan = kernelAddressPlan(variant({ cluster: { nodes, replicas }, ...(clients === undefined ? {} : { service: { type: 'ClusterIP' }, load: { clientIps: clients } }) }))
    expect(plan.pod(0, at[0]!, at[1]!)).toBe(pod)
    expect(plan.podCidr(at[0]!)).toBe(cidr)
  })

  it('puts nodes on the fabric, clients in 198.18.128.0/17 and the load balancer in the fabric', () => {
    const plan = kernelAddressPlan(variant({}))
    expect([plan.node(0), plan.node(49)]).toEqual(['198.18.0.1', '198.18.0.50'])
    expect([plan.client(0), plan.client(255), plan.client(32_765)]).toEqual(['198.18.128.1', '198.18.129.0', '198.18.255.254'])
    expect(plan.frontLb).toBe('198.18.2.1')
  })

  it('counts spare slots where the topology places them (continuing the walk over the nodes)', () => {
    // 3 pods on 2 nodes (a: 2, b: 1), then 3 spares: b, a, b.
    expect(slotsPerNode({ cluster: { nodes: [{ pods: 2 }, { pods: 1 }], spareSlots: 3 } } as unknown as ResolvedVariant)).toEqual([3, 3])
  })

  it('says when the pod CIDRs do not fit the cluster CIDR or there are too many clients', () => {
    const v = { cluster: { nodes: Array.from({ length: 50 }, (_, i) => ({ name: `n${i}`, pods: i === 0 ? 1000 : 0 })), spareSlots: 50 }, load: { clientIps: 32_000 } } as unknown as ResolvedVariant
    // node 0 gets 1000 pods and one spare slot: 1001 + 3 addresses fit a /22, and 50 × 1024 ≤ 65536.
    expect(kernelAddressIssues(v)).toEqual([])
    const crowded = { ...v, cluster: { ...v.cluster, spareSlots: 1200 } } as unknown as ResolvedVariant
    expect(kernelAddressIssues(crowded).map((i) => i.path)).toEqual(['cluster.nodes'])
    expect(kernelAddressIssues({ ...v, load: { clientIps: 32_767 } } as unknown as ResolvedVariant)[0]?.message).toMatch(/at most 32766 client addresses/)
  })
})

describe('kernelLayout', () => {
  const v = variant({ cluster: { nodes: 2, replicas: 4 } })
  const plan = kernelAddressPlan(v)
  const topology = placeTopology(v, plan)

  it('gives every pod a namespace behind a veth from its node, routed by its /32 (ptp CNI style)', () => {
    const l = kernelLayout(topology, plan, { prefix: 'svb-t' })
    expect(l.namespaces).toEqual(['svb-t-fab', 'svb-t-cl', 'svb-t-n0', 'svb-t-n1', 'svb-t-p0', 'svb-t-p1', 'svb-t-p2', 'svb-t-p3'])
    expect(l.podNetns.get('pod-2')).toBe('svb-t-p1')
    // pod-2 is node-b's first pod: 198.19.1.2, default route via node-b's address.
    expect(l.configure.get('svb-t-p1')).toEqual(expect.arrayContaining(['addr add 198.19.1.2/32 dev eth0', 'route add 198.18.0.2 dev eth0 scope link', 'route add default via 198.18.0.2 dev eth0']))
    // The node side of a pod veth has no address: a masqueraded connection to a local pod comes from the node's address.
    expect(l.configure.get('svb-t-n1')!.filter((c) => c.startsWith('addr add'))).toEqual(['addr add 198.18.0.2/24 dev eth0'])
    expect(l.configure.get('svb-t-n1')).toEqual(expect.arrayContaining(['route add 198.19.1.2/32 dev p1 scope link', 'route add 198.19.0.0/24 via 198.18.0.1 dev eth0', 'route add default via 198.18.0.254 dev eth0']))
    expect(l.create).toContain('link add name p1 netns svb-t-n1 address 02:20:00:00:00:01 type veth peer name eth0 netns svb-t-p1 address 02:21:00:00:00:01')
    // Nothing is created without a namespace to create it in.
    expect(l.create.filter((c) => c.startsWith('link add') && !/ netns svb-t-\S+ .* netns svb-t-/.test(c) && !c.includes('type bridge'))).toEqual([])
    expect(l.sysctls.get('svb-t-n0')).toEqual(['net.ipv4.ip_forward=1'])
  })

  it('puts a node\'s pods in one shared namespace with per-node pod hosts', () => {
    const l = kernelLayout(topology, plan, { prefix: 'svb-t', sharedPodNetns: true })
    expect(l.namespaces).toEqual(['svb-t-fab', 'svb-t-cl', 'svb-t-n0', 'svb-t-n1', 'svb-t-h0', 'svb-t-h1'])
    expect([l.podNetns.get('pod-1'), l.podNetns.get('pod-3'), l.hostNetns.get('node-a')]).toEqual(['svb-t-h0', 'svb-t-h0', 'svb-t-h0'])
    expect(l.configure.get('svb-t-h0')).toEqual(expect.arrayContaining(['addr add 198.19.0.2/32 dev eth0', 'addr add 198.19.0.3/32 dev eth0']))
    expect(l.configure.get('svb-t-n0')).toEqual(expect.arrayContaining(['route add 198.19.0.3/32 dev pods scope link']))
  })

  it('puts each node\'s in-cluster client pods in one namespace, in the upper half of its pod CIDR, and the ClusterIP in the Service CIDR', () => {
    const c = variant({ cluster: { nodes: 2, replicas: 4 }, service: { type: 'ClusterIP' }, load: { clientIps: 3 } })
    const cPlan = kernelAddressPlan(c)
    const t = placeTopology(c, cPlan)
    // Clients 0 and 2 on node-a (its 1st and 2nd client pod), client 1 on node-b; pods keep 198.19.i.2, .3.
    expect(t.clients.map((x) => [x.node, x.address])).toEqual([['node-a', '198.19.0.129'], ['node-b', '198.19.1.129'], ['node-a', '198.19.0.130']])
    expect(t.pods.map((p) => p.address)).toEqual(['198.19.0.2', '198.19.1.2', '198.19.0.3', '198.19.1.3'])
    expect(t.nodes.map((n) => n.clusterIp)).toEqual(['198.18.64.1', '198.18.64.1'])
    const l = kernelLayout(t, cPlan, { prefix: 'svb-t' })
    expect(l.clientPlaces).toEqual([{ netns: 'svb-t-c0', addresses: ['198.19.0.129', '198.19.0.130'] }, { netns: 'svb-t-c1', addresses: ['198.19.1.129'] }])
    expect(l.configure.get('svb-t-c0')).toEqual(expect.arrayContaining(['addr add 198.19.0.128/32 dev eth0', 'route add default via 198.18.0.1 dev eth0', 'route add local 198.19.0.128/25 dev lo']))
    expect(l.configure.get('svb-t-n0')).toEqual(expect.arrayContaining(['route add 198.19.0.128/32 dev cp scope link', 'route add 198.19.0.128/25 via 198.19.0.128 dev cp']))
    // The Service's own pods as clients live in their pods' namespaces: no client namespace.
    const e = variant({ cluster: { nodes: 2, replicas: 2 }, service: { type: 'ClusterIP' }, load: { clientPods: 'endpoints' } })
    const ePlan = kernelAddressPlan(e)
    const el = kernelLayout(placeTopology(e, ePlan), ePlan, { prefix: 'svb-t' })
    expect([el.clientPlaces, el.namespaces.filter((n) => /-c\d/.test(n))]).toEqual([[{ netns: 'svb-t-p0', addresses: ['198.19.0.2'] }, { netns: 'svb-t-p1', addresses: ['198.19.1.2'] }], []])
  })

  it('makes the client addresses the fabric\'s own only for a load balancer that keeps them', () => {
    const local = 'route add local 198.18.128.0/17 dev lo table local'
    expect(kernelLayout(topology, plan, { prefix: 'svb-t' }).configure.get('svb-t-fab')).not.toContain(local)
    const l = kernelLayout(topology, plan, { prefix: 'svb-t', lbPreservesClientIp: true })
    expect(l.configure.get('svb-t-fab')).toEqual(expect.arrayContaining(['rule add pref 10 iif lo to 198.18.128.0/17 lookup main', 'rule add pref 20 lookup local', 'rule del pref 0', local]))
  })
})
