/**
 * The check, end to end on real processes at a small rate (a few seconds per variant): a
 * hang of one of three pods under an open rate, no keep-alive, counts timeouts close to
 * rate × 1/3 × the detection window, puts the during-fault p99 at the timeout and holds the rate
 * before the fault within 2%; the same scenario closed puts its timeouts in the p99 and warns.
 */
import { describe, expect, it } from 'vitest'
import { runScenario } from '../../harness/runner.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import { liveChildCount } from '../../harness/process/child.ts'
import { comparisonTable } from '../../harness/report/table.ts'
import { buildCharts } from '../../harness/report/write.ts'

const RATE = 300

describe('a hung pod under the open and the closed model', () => {
  it('costs about rate × share × detection under the open model; the closed model is blocked and says so', async () => {
    const result = await runScenario(
      resolveScenario({
        name: 'hang-open-e2e',
        cluster: { nodes: 1, replicas: 3, pod: { latencyMs: 1, readinessProbe: { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 } }, endpointPropagationMs: 100 },
        service: { balancer: 'round-robin' },
        load: { duration: '3500ms', warmup: '500ms', keepAlive: false, requestTimeout: '1s', clientIps: 16 },
        faults: [{ at: '1s', action: 'hang-pod', target: 'pod-2' }],
        variants: { open: { load: { rate: RATE } }, closed: { load: { connections: 6 } } },
      }),
    )
    expect(liveChildCount()).toBe(0)
    if (process.env.SVCBENCH_DUMP !== undefined) (await import("node:fs")).writeFileSync(process.env.SVCBENCH_DUMP, JSON.stringify(result, null, 1))
    const [open, closed] = result.variants
    const f = open!.failover[0]!
    expect(open!.load).toMatchObject({ model: 'open', ratesRps: [RATE], keepAlive: false, requestTimeoutMs: 1000 })
    expect(open!.requests.scheduled).toBe(RATE * 3.5)
    expect(f.detectionSec).not.toBeNull()
    // A third of the arrivals from the hang until every node dropped the pod hang until their timeout.
    const expected = RATE * (1 / 3) * f.detectionSec!
    expect(f.errors.timeout).toBeGreaterThanOrEqual(expected * 0.85 - 5)
    expect(f.errors.timeout).toBeLessThanOrEqual(expected * 1.15 + 5)
    expect(f.requestsLost).toBe(f.errors.timeout + f.requestsDropped)
    expect(f.clientsBlocked).toBeNull()
    // The p99 while it lasted is the timeout (censored), and the table says so.
    expect(f.latencyMs.during.p99).toBeGreaterThanOrEqual(1000 * 0.999)
    expect(comparisonTable(result)).toMatch(/\/ ≥ 1000 \//)
    // Before the fault the schedule was kept and answered within 2%.
    const before = open!.timeline[0]!
    expect(before.scheduled).toBe(RATE)
    expect(Math.abs(before.completed! - RATE)).toBeLessThanOrEqual(RATE * 0.02)
    expect(open!.load!.scheduleLagMs).not.toBeNull()
    expect(buildCharts(result).map((c) => c.name)).toContain('scheduled-vs-completed')

    // Closed: the blocked clients put their timeouts into the fault's p99, and a warning names them.
    const g = closed!.failover[0]!
    expect(closed!.load).toMatchObject({ model: 'closed', connections: 6, scheduleLagMs: null })
    expect(g.errors.timeout).toBeGreaterThan(0)
    expect(g.latencyMs.during.p99).toBeGreaterThanOrEqual(1000 * 0.999)
    expect(g.clientsBlocked).toBe(true)
    expect(closed!.warnings.some((w) => /6 blocked clients, not a stream of requests/.test(w))).toBe(true)
    // Far fewer requests lost than the open model's: the closed figures hide the cost.
    expect(g.requestsLost).toBeLessThan(f.requestsLost)
  }, 60_000)

  it('reaches a LoadBalancer Service with TLS, on keep-alive and without it', async () => {
    const result = await runScenario(
      resolveScenario({
        name: 'open-lb-tls',
        cluster: { nodes: 2, replicas: 2 },
        service: { type: 'LoadBalancer', port: 443, loadBalancer: { preset: 'aws-nlb', tls: true } },
        load: { duration: '1s', warmup: '300ms', rate: 200, clientIps: 4 },
        variants: { 'keep-alive': {}, 'new-connections': { load: { keepAlive: false } } },
      }),
    )
    expect(liveChildCount()).toBe(0)
    for (const v of result.variants) {
      expect(v.loadBalancer!.tls, v.name).toBe(true)
      expect([v.requests.scheduled, v.requests.ok, v.errors.total], v.name).toEqual([200, 200, 0])
      expect(v.pods.reduce((a, p) => a + p.requests, 0), v.name).toBeGreaterThanOrEqual(200)
    }
  }, 60_000)
})
