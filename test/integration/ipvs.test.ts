/**
 * IPVS behaviour as clients and pods see it, through real node proxies (issue #15's checks): lc
 * spreading short connections, sh and graceful termination when a pod dies, ClientIP persistence
 * outliving its timeout while connections exist. Expected values are worked out from the kernel's
 * and kube-proxy's descriptions in each test's comments, not from svcbench's code.
 */
import { describe, expect, it } from 'vitest'
import { runVariants as run } from '../helpers/run.ts'

const fastProbes = { readinessProbe: { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 } }

describe('ipvs lc with short connections (keepAlive false)', () => {
  it('spreads them over all four pods of the node (Jain ≥ 0.9): each closed connection leaves a TIME_WAIT entry that lc counts', async () => {
    // ip_vs_lc.c picks the smallest (active << 8) + inactive. With two clients reconnecting after each
    // answer, at most two connections are open; counting active ones only, pods 3 and 4 would never
    // win a tie against the pod a client just left (0 each, first in list order), so two pods would
    // take everything (Jain 0.5). The TIME_WAIT entries (2 min) make every pod's count grow with
    // what it got, so the fewest-so-far pod wins: the split evens out.
    const [v] = await run({
      name: 'lc-short',
      cluster: { nodes: 1, replicas: 4, pod: { latencyMs: 0 } },
      service: { ipvsScheduler: 'lc' },
      load: { duration: '800ms', warmup: 0, connections: 2, clientIps: 2, keepAlive: false },
    })
    expect(v!.pods.every((p) => p.requests > 0)).toBe(true)
    expect(v!.fairness.jain).toBeGreaterThanOrEqual(0.9)
    // Two connections overlap: which pod each pick takes depends on when the others end, so there is
    // no static prediction, and the basis says why.
    expect(v!.fairness.expectedShares).toBeNull()
    expect(v!.fairness.basis).toMatch(/concurrent connections/)
  })
})

describe('ipvs sh when a pod dies: graceful termination', () => {
  it('keeps every other client on its pod (clientsRemapped ≤ 0.1) while the dead pod’s clients are refused until its real server is gone; with sh-fallback only they move', async () => {
    const [sh, fallback] = await run({
      name: 'sh-graceful',
      cluster: { nodes: 1, replicas: 4, pod: { latencyMs: 0, ...fastProbes }, endpointPropagationMs: 50 },
      // 128 client addresses, one connection each: about 32 hash to each pod's buckets.
      load: { duration: '2s', warmup: 0, connections: 128, clientIps: 128, keepAlive: false },
      faults: [{ at: '200ms', action: 'kill-pod', target: 'pod-4' }],
      variants: { sh: { service: { ipvsScheduler: 'sh' } }, fallback: { service: { ipvsScheduler: 'sh', ipvsFlags: ['sh-fallback'] } } },
    })
    // kube-proxy sets the removed endpoint's weight to 0 (GracefulDeleteRS): its connections' entries
    // (CLOSE 10 s after a reset, TIME_WAIT 2 min after a FIN) outlive the run, so it stays listed and
    // its 256-bucket table is not rebuilt (ip_vs_sh_reassign keeps one bucket per round for weight 0).
    for (const v of [sh!, fallback!]) {
      const f = v.failover[0]!
      expect(f.detectedAtSec).not.toBeNull()
      expect(v.nodes[0]!.ipvsRealServers).toContainEqual({ name: 'pod-4', weight: 0 })
    }
    // Without sh-fallback: the other clients' buckets still hold their pods (nobody moves); pod-4's
    // clients find a weight-0 server in theirs: no destination, ip_vs_leave answers ICMP port
    // unreachable, a refused connection (here a reset), to the end of the run.
    const f = sh!.failover[0]!
    expect(f.clientsRemapped).not.toBeNull()
    expect(f.clientsRemapped!).toBeLessThanOrEqual(0.1)
    expect(f.lastErrorSec!).toBeGreaterThan(f.detectedAtSec! + 0.4)
    expect(f.errors.reset).toBeGreaterThan(0)
    expect(f.errors['http-5xx'] + f.errors.timeout).toBe(0)
    // With sh-fallback (ip_vs_sh_get_fallback) pod-4's clients, and only they, rehash to other
    // buckets: about a quarter of the clients move, and errors stop once the update is in.
    const g = fallback!.failover[0]!
    expect(g.clientsRemapped!).toBeGreaterThan(0.1)
    expect(g.clientsRemapped!).toBeLessThan(0.45)
    expect(g.lastErrorSec!).toBeLessThanOrEqual(g.detectedAtSec! + 0.25)
  })
})

describe('ipvs ClientIP affinity: persistence templates', () => {
  it('keeps every client on one pod when its timeout (1 s) is shorter than the connection lifetime; iptables’ recent match lets them wander', async () => {
    const [ipvs, iptables] = await run({
      name: 'persistence',
      cluster: { nodes: 1, replicas: 4, pod: { latencyMs: 0 } },
      service: { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 1 },
      // Each client reconnects once, when its connection is 1.1 s old.
      load: { duration: '1500ms', warmup: 0, connections: 16, clientIps: 16, keepAlive: true, connectionLifetime: '1100ms' },
      variants: { ipvs: { service: { proxyMode: 'ipvs' } }, iptables: { service: { proxyMode: 'iptables' } } },
    })
    // ipvs: the template's timer fires at 1 s while the first connection is open (ip_vs_conn_expire:
    // it still controls a connection), so it waits 60 s more; the reconnection at 1.1 s finds it.
    expect(ipvs!.stickiness).toMatchObject({ clients: 16, clientsOnOnePod: 16, maxPodsPerClient: 1 })
    // iptables: `recent --rcheck --seconds 1` sees the entry last set 1.1 s ago: each reconnection is
    // balanced afresh (uniform over 4 pods: 3 in 4 land elsewhere).
    expect(iptables!.stickiness.clientsOnOnePod).toBeLessThan(12)
  })
})
