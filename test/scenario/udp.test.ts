/** service.protocol UDP: what it resolves to, and what it refuses (exit 2) with its fix. */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'
import { clientPlacement } from '../../harness/scenario/topology.ts'

const refusedBy = (f: () => unknown): ScenarioError => {
  try {
    f()
  } catch (e) {
    if (e instanceof ScenarioError) return e
    throw e
  }
  throw new Error('not refused')
}
const refused = (s: unknown): ScenarioError => refusedBy(() => resolveScenario(s))
const refusal = (s: unknown): string => refused(s).message
const refusalOf = (f: () => unknown): string => refusedBy(f).message
const udp = { name: 'u', service: { protocol: 'UDP' }, load: { rate: 100 } } as const

describe('a UDP Service', () => {
  it('resolves the kernel\'s conntrack timeouts, kube-proxy\'s cleanup and per-query source ports by default; the udp executor runs it', async () => {
    const v = resolveScenario(udp).variants[0]!
    expect(v.service.protocol).toBe('UDP')
    expect(v.service.udpConntrackCleanup).toBe('kube-proxy')
    expect(v.cluster.conntrack).toEqual({ udpTimeoutMs: 30_000, udpStreamTimeoutMs: 120_000 })
    expect(v.load.udpSourcePort).toBe('per-query')
    const { executorFor } = await import('../../harness/load/plan.ts')
    expect(executorFor(v)).toBe('udp')
  })

  it.each([
    ['a closed-model load, with the fix', { ...udp, load: {} }, /load\.rate: not set; a UDP Service runs on the open model .*set load\.rate/],
    ['a Classic ELB, which has no UDP at all', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preset: 'aws-clb' } } }, /^service\.loadBalancer\.preset: got "aws-clb"; a Classic ELB has no UDP listener at all \(HTTP, HTTPS, TCP and SSL only\); for a UDP Service expected "aws-nlb" \(flow hash per UDP flow\), or service\.type "NodePort"$/],
    ['gcp-l4, not modelled for UDP yet', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preset: 'gcp-l4' } } }, /^service\.loadBalancer\.preset: got "gcp-l4"; its UDP path .* is not modelled for UDP yet; for a UDP Service expected "aws-nlb"/],
    ['azure-lb, not modelled for UDP yet', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preset: 'azure-lb' } } }, /^service\.loadBalancer\.preset: got "azure-lb"; .*not modelled for UDP yet; for a UDP Service expected "aws-nlb"/],
    ['metallb-l2, not modelled for UDP yet', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preset: 'metallb-l2' } } }, /^service\.loadBalancer\.preset: got "metallb-l2"; .*not modelled for UDP yet; for a UDP Service expected "aws-nlb"/],
    ['the NLB without client IP preservation, which AWS does not allow for UDP', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preserveClientIp: false } } }, /^service\.loadBalancer\.preserveClientIp: got false; an NLB cannot turn client IP preservation off for a UDP target group .*: leave it out or set true$/],
    ['a per-request (L7) balancer in front', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { algorithm: 'least-outstanding' } } }, /^service\.loadBalancer\.algorithm: got "least-outstanding"; .*expected "flow-hash"/],
    ['TLS at the load balancer', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { tls: true } } }, /^service\.loadBalancer\.tls: got true; TLS listeners carry TCP/],
    ['per-request balancing', { ...udp, service: { protocol: 'UDP', balancing: 'request' } }, /service\.balancing: got "request"; a UDP Service is balanced per flow/],
    ['TCP settings of the load', { ...udp, load: { rate: 100, keepAlive: false } }, /load: keepAlive, maxConnections and connectionLifetime are TCP settings/],
    ['fractional seconds on the kernel dataplane', { ...udp, service: { protocol: 'UDP', dataplane: 'kernel' }, cluster: { conntrack: { udpTimeout: '1500ms' } } }, /cluster\.conntrack\.udpTimeout: got "1500ms"; the kernel dataplane writes it to a sysctl in whole seconds/],
    ['UDP load fields on a TCP Service', { name: 'u', load: { rate: 10, udpSourcePort: 'fixed' } }, /load\.udpSourcePort: applies to UDP Services only/],
    ['a cleanup setting on a TCP Service', { name: 'u', service: { udpConntrackCleanup: 'none' } }, /service\.udpConntrackCleanup: applies to UDP Services only/],
  ])('refuses %s', (_what, scenario, message) => {
    expect(refusal(scenario)).toMatch(message)
  })
})

describe('in-cluster UDP clients (load.from "cluster": resolvers in client pods at the ClusterIP)', () => {
  const inCluster = { ...udp, service: { protocol: 'UDP', type: 'ClusterIP' } } as const

  it.each([
    ['a ClusterIP Service (load.from defaults to "cluster")', inCluster],
    ['a NodePort Service at its ClusterIP', { ...udp, load: { rate: 100, from: 'cluster' } }],
    ['the Service\'s own pods as clients, fixed source ports, internalTrafficPolicy Local', { ...udp, service: { protocol: 'UDP', type: 'ClusterIP', internalTrafficPolicy: 'Local' }, load: { rate: 100, clientPods: 'endpoints', udpSourcePort: 'fixed' } }],
  ])('accepts %s', (_what, scenario) => {
    const v = resolveScenario(scenario).variants[0]!
    expect([v.service.protocol, v.load.from]).toEqual(['UDP', 'cluster'])
  })

  it('places one client pod per client address (load.clientIps: a resolver has no connection, load.connections does not cap them)', () => {
    const v = resolveScenario({ ...inCluster, load: { rate: 100, clientIps: 7, connections: 2 } }).variants[0]!
    expect(clientPlacement(v).map((c) => c.node)).toEqual(['node-a', 'node-b', 'node-c', 'node-a', 'node-b', 'node-c', 'node-a'])
    // (TCP keeps min(clientIps, connections))
    expect(clientPlacement(resolveScenario({ name: 't', service: { type: 'ClusterIP' }, load: { clientIps: 7, connections: 2 } }).variants[0]!)).toHaveLength(2)
  })

  it.each([
    ['a closed-model load', { ...inCluster, load: {} }, /load\.rate: not set; a UDP Service runs on the open model/],
    ['per-request balancing', { ...inCluster, service: { ...inCluster.service, balancing: 'request' } }, /service\.balancing: got "request"; a UDP Service is balanced per flow/],
    ['userspace mode', { ...inCluster, service: { ...inCluster.service, proxyMode: 'userspace' } }, /service\.proxyMode: got "userspace"; its UDP proxy \(removed in 1\.26\) is not modelled/],
    ['TCP settings of the load', { ...inCluster, load: { rate: 100, keepAlive: false } }, /load: keepAlive, maxConnections and connectionLifetime are TCP settings/],
    ['load.from "external" on a ClusterIP Service', { ...inCluster, load: { rate: 100, from: 'external' } }, /load\.from: got "external"; a ClusterIP Service has no address outside the cluster/],
  ])('still refuses %s (exit 2)', (_what, scenario, message) => {
    expect(refusal(scenario)).toMatch(message)
    expect(refused(scenario).exitCode).toBe(2)
  })
})

describe('a UDP Service behind a LoadBalancer', () => {
  const nlb = { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer' } } as const

  it('accepts aws-nlb (the default preset): client IP kept, fail open, flow hash', () => {
    const r = resolveScenario({ ...nlb, service: { ...nlb.service, externalTrafficPolicy: 'Local' } })
    expect(r.variants[0]!.service.loadBalancer).toMatchObject({ preset: 'aws-nlb', algorithm: 'flow-hash', preserveClientIp: true, allUnhealthy: 'fail-open' })
    expect(r.warnings).toEqual([])
  })

  it('warns under externalTrafficPolicy Cluster: the TCP health check fails on every node and the NLB fails open', () => {
    expect(resolveScenario(nlb).warnings).toEqual([
      'a UDP Service behind aws-nlb under externalTrafficPolicy Cluster: every node fails the NLB\'s TCP health check (a TCP connect to a NodePort that answers UDP only); it fails open, so a failed node keeps its share of flows; externalTrafficPolicy Local gives a health check that works (HTTP /healthz on healthCheckNodePort)',
    ])
    // A TCP Service's TCP check works: no warning.
    expect(resolveScenario({ name: 'u', service: { type: 'LoadBalancer' } }).warnings).toEqual([])
    // Client pods at the ClusterIP do not pass the load balancer: nothing to warn about.
    expect(resolveScenario({ ...nlb, load: { rate: 100, from: 'cluster' } }).warnings.filter((w) => /health check/.test(w))).toEqual([])
  })

  it('reads a type LoadBalancer UDP Service from manifests the same way: the NLB runs it, the Classic ELB is refused', async () => {
    const { fileURLToPath } = await import('node:url')
    const manifests = fileURLToPath(new URL('../fixtures/manifests/udp-lb.yaml', import.meta.url))
    const v = resolveScenario({ name: 'u', load: { rate: 100 } }, { manifests, service: 'dns-nlb' }).variants[0]!
    expect([v.service.type, v.service.protocol, v.service.externalTrafficPolicy, v.service.loadBalancer?.preset, v.lbPresetSource]).toEqual(['LoadBalancer', 'UDP', 'Local', 'aws-nlb', 'file: annotation service.beta.kubernetes.io/aws-load-balancer-type: external'])
    expect(refusalOf(() => resolveScenario({ name: 'u', load: { rate: 100 } }, { manifests, service: 'dns-clb' }))).toMatch(/service\.loadBalancer\.preset: got "aws-clb"; a Classic ELB has no UDP listener at all/)
  })
})

describe('thresholds on a UDP Service', () => {
  it('take the udp paths, per variant and per fault', () => {
    const run = resolveScenario({ ...udp, faults: [{ at: '1s', action: 'kill-pod', target: 'pod-1' }], thresholds: { 'udp.clientsOnOnePod': '>= 8', 'failover.0.udp.queriesLost': '< 10', 'failover.0.udp.lastLostSec': '< 3s', 'errors.rate': '< 1%' } })
    expect(run.variants[0]!.thresholds.map((t) => t.path)).toEqual(['udp.clientsOnOnePod', 'failover.0.udp.queriesLost', 'failover.0.udp.lastLostSec', 'errors.rate'])
    expect(refusal({ ...udp, thresholds: { 'udp.nope': '< 1' } })).toMatch(/no metric at "udp\.nope"/)
  })
})
