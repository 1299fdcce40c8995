/**
 * planService / categorizeEndpoints: kube-proxy's choice of endpoints per traffic policy
 * (pkg/proxy/topology.go `CategorizeEndpoints`) and its verdict for traffic without endpoints
 * (both proxiers' `syncProxyRules`). Cases follow pkg/proxy/topology_test.go-style tables and the
 * terminating-endpoint tests of pkg/proxy/iptables/proxier_test.go
 * (`TestEndpointSliceWithTerminatingEndpointsTrafficPolicyLocal`), worked by hand.
 */
import { describe, expect, it } from 'vitest'
import { planService, sortEndpoints } from '../../../../harness/dataplane/kernel/rules/plan.ts'
import { ep, input, service, TEST_NODE } from './kube-proxy-inputs.ts'

const local = { node: TEST_NODE }
const st = { ready: false, serving: true, terminating: true }
const gone = { ready: false, serving: false, terminating: true }
const addrs = (eps: { address: string }[]) => eps.map((e) => e.address)

describe('planService', () => {
  it.each([
    {
      name: 'Cluster: ready endpoints only, terminating ones ignored while any is ready',
      svc: service('ns1', 'svc1', { clusterIP: '172.30.1.1' }),
      eps: [ep('10.0.1.1', local), ep('10.0.1.3', { ...local, ...st }), ep('10.0.1.4', gone), ep('10.0.1.5', { node: 'host-1' })],
      cluster: ['10.0.1.1', '10.0.1.5'],
      localEps: [],
      internal: null,
      external: null,
    },
    {
      name: 'Cluster: only serving+terminating left, they are used (KEP-1669)',
      svc: service('ns1', 'svc1', { clusterIP: '172.30.1.1' }),
      eps: [ep('10.0.1.2', { ...local, ...st }), ep('10.0.1.4', gone), ep('10.0.1.5', { node: 'host-1', ...st })],
      cluster: ['10.0.1.2', '10.0.1.5'],
      localEps: [],
      internal: null,
      external: null,
    },
    {
      name: 'Local NodePort: ready local ones for Local, every ready one for Cluster',
      svc: service('ns1', 'svc1', { clusterIP: '172.30.1.1', nodePort: 3001, externalTrafficPolicy: 'Local' }),
      eps: [ep('10.0.1.1', local), ep('10.0.1.2', local), ep('10.0.1.3', { ...local, ...st }), ep('10.0.1.4', { ...local, ...gone }), ep('10.0.1.5', { node: 'host-1' })],
      cluster: ['10.0.1.1', '10.0.1.2', '10.0.1.5'],
      localEps: ['10.0.1.1', '10.0.1.2'],
      internal: null,
      external: null,
    },
    {
      name: 'Local NodePort: only terminating local ones, Local falls back to them and both lists merge',
      svc: service('ns1', 'svc1', { clusterIP: '172.30.1.1', nodePort: 3001, externalTrafficPolicy: 'Local' }),
      eps: [ep('10.0.1.2', { ...local, ...st }), ep('10.0.1.3', { ...local, ...st }), ep('10.0.1.4', { ...local, ...gone }), ep('10.0.1.5', { node: 'host-1' })],
      cluster: ['10.0.1.5'],
      localEps: ['10.0.1.2', '10.0.1.3'],
      reachable: ['10.0.1.2', '10.0.1.3', '10.0.1.5'],
      internal: null,
      external: null,
    },
    {
      name: 'Local NodePort with no local endpoint: NodePort traffic is dropped, ClusterIP still served',
      svc: service('ns2', 'svc2', { clusterIP: '172.30.0.42', nodePort: 3001, externalTrafficPolicy: 'Local' }),
      eps: [ep('10.180.0.2')],
      cluster: ['10.180.0.2'],
      localEps: [],
      internal: null,
      external: 'drop',
    },
    {
      name: 'internalTrafficPolicy Local with no local endpoint: ClusterIP traffic is dropped',
      svc: service('ns1', 'svc1', { clusterIP: '172.30.0.41', internalTrafficPolicy: 'Local' }),
      eps: [ep('10.180.0.1')],
      cluster: [],
      localEps: [],
      internal: 'drop',
      external: null,
    },
    {
      name: 'no usable endpoint anywhere: REJECT for both',
      svc: service('ns6', 'svc6', { clusterIP: '172.30.0.46', nodePort: 3001 }),
      eps: [ep('10.0.1.5', { ...local, ...gone })],
      cluster: [],
      localEps: [],
      internal: 'reject',
      external: 'reject',
    },
  ])('planService: $name', (c) => {
    const plan = planService(input('nftables', c.svc, c.eps))
    expect(addrs(plan.clusterEndpoints)).toEqual(c.cluster)
    expect(addrs(plan.localEndpoints)).toEqual(c.localEps)
    if (c.reachable !== undefined) expect(addrs(plan.reachableEndpoints)).toEqual(c.reachable)
    expect(plan.internalVerdict).toBe(c.internal)
    expect(plan.externalVerdict).toBe(c.external)
  })

  it('planService keeps the Cluster chain of a Local NodePort Service for short-circuiting (UsesClusterEndpoints)', () => {
    const plan = planService(input('nftables', service('ns1', 'svc1', { nodePort: 3001, externalTrafficPolicy: 'Local', internalTrafficPolicy: 'Local' }), [ep('10.0.1.1', local)]))
    expect(plan.usesClusterPolicyChain).toBe(true)
    expect(plan.usesLocalPolicyChain).toBe(true)
  })
})

describe('planService input check', () => {
  it.each([
    ['an IPv6 endpoint', [ep('fd00::1')], /endpoint "pod-fd00::1" at "fd00::1"/],
    ['a name nft cannot take', [ep('10.0.1.1', { name: 'pod 1' })], /endpoint "pod 1"/],
  ])('planService refuses %s with a HarnessError naming it', (_what, eps, message) => {
    expect(() => planService(input('nftables', service('ns1', 'svc1'), eps))).toThrow(message)
  })
})

describe('sortEndpoints', () => {
  it('sortEndpoints orders by ip:port text, as kube-proxy\'s byEndpoint does ("2.10:80" before "2.1:80")', () => {
    expect(addrs(sortEndpoints([ep('198.18.2.2'), ep('198.18.2.10'), ep('198.18.2.1')]))).toEqual(['198.18.2.10', '198.18.2.1', '198.18.2.2'])
  })
})
