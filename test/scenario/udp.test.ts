/** service.protocol UDP: what it resolves to, and what it refuses (exit 2) with its fix. */
import { describe, expect, it } from 'vitest'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { ScenarioError } from '../../harness/errors.ts'

const refusal = (s: unknown): string => {
  try {
    resolveScenario(s)
  } catch (e) {
    if (e instanceof ScenarioError) return e.message
    throw e
  }
  throw new Error('not refused')
}
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
    ['a LoadBalancer preset that carries TCP only, naming it', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer', loadBalancer: { preset: 'aws-clb' } } }, /service\.loadBalancer\.preset: got "aws-clb"; its load balancer carries TCP only here; .*"aws-nlb"/],
    ['aws-nlb too, until the front load balancer carries UDP', { ...udp, service: { protocol: 'UDP', type: 'LoadBalancer' } }, /service\.type: got "LoadBalancer" \(preset "aws-nlb"\); .* type "NodePort"/],
    ['per-request balancing', { ...udp, service: { protocol: 'UDP', balancing: 'request' } }, /service\.balancing: got "request"; a UDP Service is balanced per flow/],
    ['TCP settings of the load', { ...udp, load: { rate: 100, keepAlive: false } }, /load: keepAlive, maxConnections and connectionLifetime are TCP settings/],
    ['fractional seconds on the kernel dataplane', { ...udp, service: { protocol: 'UDP', dataplane: 'kernel' }, cluster: { conntrack: { udpTimeout: '1500ms' } } }, /cluster\.conntrack\.udpTimeout: got "1500ms"; the kernel dataplane writes it to a sysctl in whole seconds/],
    ['UDP load fields on a TCP Service', { name: 'u', load: { rate: 10, udpSourcePort: 'fixed' } }, /load\.udpSourcePort: applies to UDP Services only/],
    ['in-cluster clients (a ClusterIP Service), with the fix', { ...udp, service: { protocol: 'UDP', type: 'ClusterIP' } }, /load\.from: got "cluster"; UDP Services run with external clients at the NodePorts for now/],
    ['a cleanup setting on a TCP Service', { name: 'u', service: { udpConntrackCleanup: 'none' } }, /service\.udpConntrackCleanup: applies to UDP Services only/],
  ])('refuses %s', (_what, scenario, message) => {
    expect(refusal(scenario)).toMatch(message)
  })
})

describe('thresholds on a UDP Service', () => {
  it('take the udp paths, per variant and per fault', () => {
    const run = resolveScenario({ ...udp, faults: [{ at: '1s', action: 'kill-pod', target: 'pod-1' }], thresholds: { 'udp.clientsOnOnePod': '>= 8', 'failover.0.udp.queriesLost': '< 10', 'failover.0.udp.lastLostSec': '< 3s', 'errors.rate': '< 1%' } })
    expect(run.variants[0]!.thresholds.map((t) => t.path)).toEqual(['udp.clientsOnOnePod', 'failover.0.udp.queriesLost', 'failover.0.udp.lastLostSec', 'errors.rate'])
    expect(refusal({ ...udp, thresholds: { 'udp.nope': '< 1' } })).toMatch(/no metric at "udp\.nope"/)
  })
})
