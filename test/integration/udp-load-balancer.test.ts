/**
 * A UDP Service behind the aws-nlb preset on real sockets (issue #18 §1): the front load
 * balancer's UDP listener answers every query, pins a client's address and port to one node,
 * hashes per-query flows uniformly over the nodes, and health-checks the nodes as the AWS Load
 * Balancer Controller configures it: HTTP /healthz on healthCheckNodePort under Local (a killed
 * node is taken out and its flows move), a TCP connect to the UDP-only NodePort under Cluster
 * (every node fails it; the load balancer fails open, and a killed node keeps its flows).
 */
import { describe, expect, it } from 'vitest'
import { runVariants } from '../helpers/run.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'
import type { UserScenario } from '../../harness/scenario/schema.ts'

const fastChecks = { intervalSeconds: 0.2, timeoutSeconds: 0.2, healthyThreshold: 1, unhealthyThreshold: 1 }
const base = {
  cluster: { nodes: 2, replicas: 4, endpointPropagationMs: 0 },
  service: { protocol: 'UDP', type: 'LoadBalancer', proxyMode: 'iptables', externalTrafficPolicy: 'Local', loadBalancer: { preset: 'aws-nlb', healthCheck: fastChecks } },
} as const
const steady = { warmup: '200ms', duration: '800ms', rate: 400, clientIps: 8, requestTimeout: '1s' } as const
/**
 * 16 clients with fixed source ports, node-b killed at 100 ms: its lost queries end by about
 * 0.3 s, their 1 s timeouts soon after the measured phase (the run waits for them).
 */
const killed = { load: { ...steady, duration: '600ms', clientIps: 16, udpSourcePort: 'fixed' as const }, faults: [{ at: '100ms', action: 'kill-node' as const, target: 'node-b' }] }
/** χ²'s 0.99 quantile with 1 degree of freedom (two nodes): a split this far from 1:1 has p < 0.01. */
const CHI2_1DF_P01 = 6.635

describe('a UDP Service behind aws-nlb', () => {
  it('answers every query; fixed source ports: each client is one flow at the LB, on one node and one pod', async () => {
    const [v] = await runVariants({ name: 'udp-nlb-fixed', ...base, load: { ...steady, udpSourcePort: 'fixed' } } satisfies UserScenario)
    expect(v!.errors.total).toBe(0)
    expect(v!.requests.ok).toBe(v!.requests.sent)
    const lb = v!.loadBalancer!
    expect(lb.unit).toBe('flows')
    expect(lb.relay).toBeNull()
    expect(lb.udpIdleTimeoutSeconds).toBe(120)
    // 8 clients, 8 flows at the LB: a client that moved to another node would be a second flow there.
    expect(Object.values(lb.byNode).reduce((a, b) => a + b, 0)).toBe(8)
    expect(v!.udp!.flows).toBe(8)
    expect(v!.udp!.clientsOnOnePod).toBe(8)
    // The pods see the clients' own addresses (client IP kept at the LB, Local at the node).
    expect(v!.sourceAddresses.clientAddressesSeen).toBe(8)
    expect(lb.events).toEqual([])
  })

  it('per-query source ports: every query a new flow, hashed uniformly over the 2 nodes (χ² p ≥ 0.01)', async () => {
    const [v] = await runVariants({ name: 'udp-nlb-spread', ...base, load: { ...steady, udpSourcePort: 'per-query' } } satisfies UserScenario)
    expect(v!.errors.total).toBe(0)
    const counts = Object.values(v!.loadBalancer!.byNode)
    const flows = counts.reduce((a, b) => a + b, 0)
    expect(flows).toBeGreaterThanOrEqual(v!.requests.ok - 8)
    // A flow hash over 2 healthy nodes sends each flow to either with probability 1/2: expected
    // flows/2 per node; χ² = Σ (observed − expected)² / expected, 1 degree of freedom.
    const expected = flows / 2
    const chi2 = counts.reduce((a, o) => a + (o - expected) ** 2 / expected, 0)
    expect(counts).toHaveLength(2)
    expect(chi2).toBeLessThan(CHI2_1DF_P01)
  })

  it('Local: a killed node fails the HTTP health check, its flows end and their next queries go to the other node', async () => {
    // Two failed checks 0.1 s apart: the node is out 0.1-0.2 s after the kill, a window in which
    // every flow on it (a query each 40 ms) loses queries.
    const service = { ...base.service, loadBalancer: { preset: 'aws-nlb', healthCheck: { ...fastChecks, intervalSeconds: 0.1, timeoutSeconds: 0.1, unhealthyThreshold: 2 } } } as const
    const [v] = await runVariants({ name: 'udp-nlb-local-kill', ...base, service, ...killed } satisfies UserScenario)
    const f = v!.failover[0]!
    expect(v!.loadBalancer!.events.some((e) => e.node === 'node-b' && !e.healthy)).toBe(true)
    expect(f.detectionSec).not.toBeNull()
    expect(f.expectedDetectionSec).toEqual({ min: 0.1, max: 0.2 })
    const u = f.udp!
    expect(u.flowsStuck).toBeGreaterThan(0)
    // Every stuck flow moved, right after the health check took the node out.
    expect(u.flowsMoved).toBe(u.flowsStuck)
    expect(u.flowsNeverAnswered).toBe(0)
    expect(u.lastMovedAtSec!).toBeLessThan(f.detectedAtSec! + 0.3)
    expect(u.lastLostSec!).toBeLessThan(f.detectedAtSec! + 0.2)
  })

  it('Cluster: every node fails the TCP health check on the UDP NodePort and the LB fails open: every node keeps its flows; the scenario warns', async () => {
    // (A node killed here keeps its flows too, its queries lost to the end: scenarios/udp-behind-nlb.ts
    // shows it; a test of it would wait out the last lost queries' 1 s timeout.)
    // Checks whose 3rd failure would fall inside the measured phase (0.2 s warm-up, checks 0.2 s
    // apart from the LB's start): had the nodes started healthy, they would go down one by one
    // there, the first ones' flows ended and picked again (more than 16 flows counted).
    const checks = { ...fastChecks, unhealthyThreshold: 3 }
    const scenario = { name: 'udp-nlb-cluster', ...base, service: { ...base.service, externalTrafficPolicy: 'Cluster', loadBalancer: { preset: 'aws-nlb', healthCheck: checks } }, load: { ...steady, clientIps: 16, udpSourcePort: 'fixed' } } satisfies UserScenario
    expect(resolveScenario(scenario).warnings).toEqual([expect.stringMatching(/every node fails the NLB's TCP health check .*it fails open, so a failed node keeps its share of flows; externalTrafficPolicy Local gives a health check that works/)])
    const [v] = await runVariants(scenario)
    const lb = v!.loadBalancer!
    // No node ever passed a check: unhealthy from the start (failing open), no transition.
    expect(lb.events).toEqual([])
    // Failing open, the hash spreads the 16 clients over both nodes, each client one flow that stays.
    expect(Object.values(lb.byNode).every((k) => k > 0)).toBe(true)
    expect(Object.values(lb.byNode).reduce((a, b) => a + b, 0)).toBe(16)
    expect(v!.errors.total).toBe(0)
    expect(v!.udp!.clientsOnOnePod).toBe(16)
  })
})
