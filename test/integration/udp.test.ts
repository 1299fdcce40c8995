/**
 * UDP Services end to end on real sockets, as issue #18's "How this will be checked" names them
 * (iptables mode, 4 pods): per-query source ports split flows uniformly (χ² p ≥ 0.01); 8 clients
 * with fixed source ports each keep all their queries on one pod; a killed pod's flows, without
 * kube-proxy's conntrack cleanup, lose their queries until the entries expire (the clients pause
 * longer than the timeout), with it they move at the endpoint update; a pod restarted on its
 * address gets its old flows back. On the proxy dataplane here; test/dataplane/kernel/udp.test.ts
 * runs the same on the kernel's conntrack.
 */
import { describe, expect, it } from 'vitest'
import { runVariants } from '../helpers/run.ts'
import { expectStaleEntriesCleaned, udpScenarios } from '../helpers/udp-scenarios.ts'
import { variantMetrics } from '../../harness/gate/metrics.ts'

describe('UDP Services on the proxy dataplane', () => {
  const s = udpScenarios('proxy')

  it('per-query source ports: every query a flow, flows split uniformly over 4 pods (χ² p ≥ 0.01)', async () => {
    const [v] = await runVariants(s.perQuery)
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.flows).toBeGreaterThanOrEqual(v!.requests.ok - 8)
    // (and no more: the warm-up's entries, still alive, carried none of the measured queries)
    expect(v!.udp!.flows).toBeLessThanOrEqual((v!.requests.sent ?? 0) + 8)
    expect(v!.fairness.unit).toBe('flows')
    expect(v!.fairness.chiSquaredP).toBeGreaterThanOrEqual(0.01)
    expect(v!.udp!.pods.every((p) => p.flows > 50)).toBe(true)
  })

  it('fixed source ports: each of 8 clients has all its queries answered by one pod', async () => {
    const [v] = await runVariants(s.fixed)
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.clients).toHaveLength(8)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
    expect(v!.stickiness.clientsOnOnePod).toBe(8)
    expect(v!.udp!.flows).toBe(8)
  })

  it('a killed pod: its flows blackhole until their entries expire without cleanup, move at the endpoint update with it', async () => {
    const [none, cleanup] = await runVariants(s.killed)
    const c = cleanup!.failover[0]!
    expectStaleEntriesCleaned(none!.failover[0]!, c, s)
    // Thresholds reach them by the same paths.
    expect(variantMetrics(cleanup!)['failover.0.udp.lastLostSec']).toBe(c.udp!.lastLostSec)
    expect(variantMetrics(cleanup!)['udp.flows']).toBe(cleanup!.udp!.flows)
  })

  it('a pod restarted on its address gets its old flows back while their entries live (no cleanup)', async () => {
    const [v] = await runVariants(s.restarted)
    const f = v!.failover[0]!.udp!
    expect(f.flowsStuck).toBeGreaterThan(0)
    expect(f.flowsBackOnSamePod).toBe(f.flowsStuck)
    expect(v!.udp!.clientsOnOnePod).toBe(32)
  })

  it('ipvs mode: a flow entry lives ipvs.udpTimeout after its last packet, not the conntrack timeouts', async () => {
    const { faults: _none, variants: _v, ...paused } = s.killed
    const [short, kernels] = await runVariants({
      ...paused,
      name: 'udp-ipvs',
      service: { ...paused.service, proxyMode: 'ipvs' },
      variants: { short: { service: { ipvs: { udpTimeout: '1s' } } }, 'kernel-default': {} },
    })
    // 32 resolvers: a pause longer than 1 s makes each a new flow (a new pick) once; IPVS's 300 s keeps them.
    expect(short!.udp!.flows).toBe(64)
    expect(kernels!.udp!.flows).toBe(32)
    expect(kernels!.errors.total).toBe(0)
  })
})
