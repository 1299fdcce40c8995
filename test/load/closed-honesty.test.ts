/**
 * The closed model's honesty on real sockets (about 2 s of traffic): when its server hangs, the
 * timed-out requests enter latencyMs at the request timeout, the fault's p99 lands there, and the
 * blocked clients are named in clientsBlocked and a warning.
 */
import { afterEach, describe, expect, it } from 'vitest'
import http from 'node:http'
import { createLoadExecutor } from '../../harness/load/registry.ts'
import { leaseBlock } from '../../harness/cluster/address-plan.ts'
import { summarizeLatency } from '../../harness/stats/latency.ts'
import { failoverStats } from '../../harness/stats/failover.ts'
import { loadHonestyWarnings } from '../../harness/stats/load-summary.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'

const cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

describe('the closed model under a hang', () => {
  it('puts its timeouts into latencyMs and the fault p99, and says its clients were blocked', async () => {
    const lease = await leaseBlock()
    cleanups.push(() => lease.release())
    const HANG_AT_MS = 500
    const epochMs = Date.now() + 50
    // 20 ms per answer (4 clients: about 200 req/s), then nothing from HANG_AT_MS on.
    const server = http.createServer((_req, res) => {
      if (Date.now() - epochMs >= HANG_AT_MS) return
      setTimeout(() => res.end('ok'), 20)
    })
    await new Promise<void>((r) => server.listen({ host: lease.plan.node(0), port: 30080 }, r))
    cleanups.push(() => {
      server.closeAllConnections()
      server.close()
    })
    const v = resolveScenario({ name: 'x', cluster: { nodes: 1, replicas: 3 }, load: { connections: 4, requestTimeout: '1s', duration: '1800ms' }, faults: [{ at: HANG_AT_MS, action: 'hang-pod', target: 'pod-1' }] }).variants[0]!
    const load = await createLoadExecutor('closed').start({ targets: [{ host: lease.plan.node(0), port: 30080 }], clientAddresses: [lease.plan.client(0)], connections: 4, durationMs: 1800, keepAlive: true, path: '/', requestTimeoutMs: 1000, epochMs }).result

    expect(load.errorsByKind.timeout).toBeGreaterThanOrEqual(4)
    // Timeouts sit at the request timeout in latencyMs; the service latency keeps the answers only.
    expect(summarizeLatency(load.latency).max).toBeGreaterThanOrEqual(1000)
    expect(summarizeLatency(load.serviceLatency!).max).toBeLessThan(1000)

    const f = failoverStats({
      fault: v.faults[0]!,
      appliedAtMs: HANG_AT_MS,
      nextFaultAtMs: null,
      elapsedMs: load.elapsedMs,
      events: [],
      errors: load.errorEvents,
      errorsPer100ms: load.errorsPer100ms,
      okPer100ms: load.okPer100ms,
      perSecondHistograms: load.perSecondHistograms,
      probe: v.cluster.readinessProbe,
      propagationMs: v.cluster.endpointPropagationMs,
      model: 'closed',
      completedPer100ms: load.completedPer100ms,
    })
    // A hundred quick answers and four timeouts over the fault's seconds: p99 at the timeout.
    expect(f.latencyMs.during.p99).toBeGreaterThanOrEqual(1000)
    expect(f.clientsBlocked).toBe(true)
    const warnings = loadHonestyWarnings(v, load, [f])
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(/the 4 closed-model clients completed under half their rate before it, so these figures describe 4 blocked clients, not a stream of requests.*load\.rate/)
  })
})
