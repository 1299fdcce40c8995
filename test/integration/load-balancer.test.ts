/**
 * The front load balancer of a LoadBalancer Service on real sockets: health checks, client
 * address handling, fail-open vs refuse, MetalLB's single leader, and node failure.
 */
import { describe, expect, it } from 'vitest'
import { runVariants as run } from '../helpers/run.ts'
import { availableRelay } from '../../harness/proxy/relay/mode.ts'
import { nativeRelay } from '../../harness/proxy/relay/native.ts'

const fastChecks = { intervalSeconds: 0.2, timeoutSeconds: 0.2, healthyThreshold: 1, unhealthyThreshold: 1 }
// The relays this machine runs: the node proxies' default, and the load balancer's for L4 without TLS.
const nodeRelay = availableRelay(undefined, false).mode
const lbL4Relay = nativeRelay() !== null ? 'native' : 'data'

describe('LoadBalancer', () => {
  it('clients hit one external address; NLB keeps the client address, Classic ELB replaces it (and ip-hash then puts everything on one pod)', async () => {
    const [nlb, clb] = await run({
      name: 'lb-address',
      cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', balancer: 'ip-hash', externalTrafficPolicy: 'Local' },
      load: { duration: '500ms', warmup: 0, connections: 16, clientIps: 16 },
      variants: {
        nlb: { service: { loadBalancer: { preset: 'aws-nlb' } } },
        clb: { service: { loadBalancer: { preset: 'aws-clb' } } },
      },
    })
    expect(nlb!.sourceAddresses.clientAddressesSeen).toBe(16)
    expect(Object.values(nlb!.loadBalancer!.byNode).every((n) => n > 0)).toBe(true)
    // Behind the Classic ELB every connection comes from the LB's address: one client to hash.
    expect(clb!.sourceAddresses.clientAddressesSeen).toBe(1)
    expect(clb!.stickiness.clients).toBe(1)
    expect(clb!.pods.filter((p) => p.requests > 0)).toHaveLength(2) // one per node (Local)
    // The results say which relay moved the bytes, at every node and at the load balancer.
    for (const v of [nlb!, clb!]) {
      expect(v.nodes.map((n) => n.relay)).toEqual([nodeRelay, nodeRelay])
      expect(v.loadBalancer!.relay).toBe(lbL4Relay)
    }
  })

  it('counts each keep-alive connection opened in the warm-up once for its node in the measured phase', async () => {
    const [v] = await run({
      name: 'lb-warm',
      cluster: { nodes: 2, replicas: 2, pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', loadBalancer: { preset: 'aws-nlb' } },
      load: { duration: '400ms', warmup: '300ms', connections: 8, clientIps: 8 },
    })
    const byNode = v!.loadBalancer!.byNode
    expect(Object.values(byNode).reduce((a, b) => a + b, 0)).toBe(8)
  })

  it('under Local, the health check on healthCheckNodePort keeps traffic off a node without ready pods', async () => {
    const [v] = await run({
      name: 'lb-local',
      cluster: { nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 0 }], pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancer: { preset: 'aws-nlb', healthCheck: fastChecks } },
      // The warm-up gives the health check time to mark node-b down.
      load: { duration: '500ms', warmup: '600ms', connections: 8, clientIps: 8 },
    })
    expect(v!.loadBalancer!.events.some((e) => e.node === 'node-b' && !e.healthy)).toBe(true)
    expect(v!.loadBalancer!.byNode['node-b']).toBe(0)
    expect(v!.errors.total).toBe(0)
  })

  it('kill-node: the health check marks the node down within the expected time; fail-open vs refuse when none is left', async () => {
    const [open, refuse] = await run({
      name: 'lb-all-down',
      cluster: { nodes: 1, replicas: 1, pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', loadBalancer: { preset: 'aws-nlb', healthCheck: fastChecks } },
      load: { duration: '1s', warmup: 0, connections: 4, clientIps: 4, keepAlive: false },
      faults: [{ at: '200ms', action: 'kill-node', target: 'node-a' }],
      variants: {
        open: { service: { loadBalancer: { allUnhealthy: 'fail-open' } } },
        refuse: { service: { loadBalancer: { allUnhealthy: 'refuse' } } },
      },
    })
    for (const v of [open!, refuse!]) {
      const f = v.failover[0]!
      expect(f.fault).toBe('kill-node')
      expect(f.expectedDetectionSec).toEqual({ min: 0, max: 0.2 })
      expect(f.detectionSec).not.toBeNull()
      expect(f.detectionSec!).toBeLessThanOrEqual(0.2 + 0.3)
    }
    // Fail-open keeps forwarding to the dead node; refuse resets at the load balancer.
    expect(open!.loadBalancer!.refused).toBe(0)
    expect(refuse!.loadBalancer!.refused).toBeGreaterThan(0)
    // The dead node's proxy counts were read before its kill (its relay with them): nothing lost to warn about.
    expect(open!.nodes[0]!.relay).toBe(nodeRelay)
    expect(open!.warnings).toEqual([])
  })

  it('metallb-l2: the leader node takes everything; the address moves after leaderFailoverSeconds', async () => {
    const [v] = await run({
      name: 'metallb',
      cluster: { nodes: 2, replicas: 2, pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancer: { preset: 'metallb-l2', leaderFailoverSeconds: 0.5, healthCheck: { intervalSeconds: 0.1, unhealthyThreshold: 5, timeoutSeconds: 0.1 } } },
      load: { duration: '1500ms', warmup: 0, connections: 4, clientIps: 4 },
      faults: [{ at: '300ms', action: 'kill-node', target: 'node-a' }],
    })
    // The leader (node-a, pod-1) had the traffic until it died; then node-b (pod-2) took over.
    expect(v!.pods[0]!.requests).toBeGreaterThan(0)
    expect(v!.pods[1]!.requests).toBeGreaterThan(0)
    expect(v!.timeline.at(-1)!.byPod['pod-1']).toBe(0)
    const f = v!.failover[0]!
    // (0.5 s after the leader was lost; clocks of two processes and the 0.1 s health-check tick blur it by a few ms)
    expect(f.detectionSec!).toBeGreaterThanOrEqual(0.35)
    expect(f.detectionSec!).toBeLessThanOrEqual(0.5 + 0.3)
  })
})

describe('LoadBalancer least-outstanding (L7)', () => {
  it('balances per request over nodes, with the client address in X-Forwarded-For', async () => {
    const [v] = await run({
      name: 'lb-l7',
      cluster: { nodes: 2, replicas: 2, pod: { latencyMs: 1 } },
      service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancer: { preset: 'aws-clb', algorithm: 'least-outstanding' } },
      load: { duration: '500ms', warmup: 0, connections: 2, clientIps: 2, keepAlive: true },
    })
    // Two keep-alive client connections, yet both nodes get requests: the LB decides per request.
    expect(Object.values(v!.loadBalancer!.byNode).every((n) => n > 0)).toBe(true)
    expect(v!.errors.total).toBe(0)
    expect(v!.loadBalancer!.relay).toBe('l7')
  })
})

describe('LoadBalancer TLS', () => {
  it('terminates TLS at the load balancer with a run-time self-signed certificate; clients speak HTTPS end to end', async () => {
    const [v] = await run({
      name: 'lb-tls',
      cluster: { nodes: 2, replicas: 2, pod: { latencyMs: 0 } },
      service: { type: 'LoadBalancer', port: 443, externalTrafficPolicy: 'Local', loadBalancer: { preset: 'aws-nlb', tls: true } },
      load: { duration: '500ms', warmup: 0, connections: 4, clientIps: 4 },
    })
    expect(v!.loadBalancer!.tls).toBe(true)
    expect(v!.requests.ok).toBeGreaterThan(0)
    expect(v!.errors.total).toBe(0)
    // Behind the LB, plain HTTP: the pods counted the requests and saw the client addresses.
    expect(v!.requests.podSide).toBeGreaterThan(0)
    expect(v!.sourceAddresses.clientAddressesSeen).toBe(4)
    // TLS terminates in Node: a stream pipe moves the bytes, as its preset does (no warning).
    expect(v!.loadBalancer!.relay).toBe('data')
    expect(v!.warnings).toEqual([])
  })
})
