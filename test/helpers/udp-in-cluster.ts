/**
 * In-cluster UDP clients (resolvers in client pods at a UDP Service's ClusterIP, the CoreDNS
 * case), for either dataplane (test/integration/udp-in-cluster.test.ts,
 * test/dataplane/kernel/udp-in-cluster.test.ts), with what kube-proxy does in each worked out by
 * hand:
 * - Cluster: each flow (a conntrack entry) is one pick among the 4 endpoints, 1/4 each (the
 *   service chain's `statistic mode random probability` rules, or nftables' `numgen random mod 4`),
 *   so the flows per pod are multinomial(F, 1/4): χ² against F/4 each, 3 degrees of freedom;
 *   half the endpoints are on the client's node, so the same-node share is about 1/2;
 * - the pods see the client pods' addresses: the ClusterIP chain masquerades only sources outside
 *   the cluster CIDR (`! -s <cluster CIDR> -j KUBE-MARK-MASQ`), and masqueradeAll every source;
 * - fixed source ports: one entry per resolver socket, one pick, every query of it to one pod;
 * - a pod querying its own Service reaches itself half the time, masqueraded to its node's address
 *   (the endpoint chain's `-s <pod> -j KUBE-MARK-MASQ`), and pod-2 sees pod-1's own address;
 * - internalTrafficPolicy Local: only the node's own endpoints; a node with none DROPs
 *   (`internalTrafficFilterVerdict = "drop"`), so its resolvers get no answer at all;
 * - a killed pod: kube-proxy's cleanup deletes the entries to the ClusterIP whose reply source
 *   stopped serving (pkg/proxy/conntrack/cleanup.go), so the flows move at the endpoint update;
 *   without it the resolvers' own queries keep the stale entries alive until they pause longer
 *   than the UDP timeout.
 * pkg/proxy/iptables/proxier.go and pkg/proxy/nftables/proxier.go, syncProxyRules.
 */
import type { UserScenario } from '../../harness/scenario/schema.ts'

/** The 0.99 quantile of χ² with 3 degrees of freedom: a statistic below it has p > 0.01 (tables, e.g. NIST/SEMATECH e-Handbook §1.3.6.7.4: 11.345). */
export const CHI2_3DF_P01 = 11.345

/** Pearson's χ² of `counts` against equal shares, worked here rather than by the harness: Σ (o − e)² / e with e = total / k. */
export function chiSquaredAgainstUniform(counts: readonly number[]): number {
  const e = counts.reduce((a, b) => a + b, 0) / counts.length
  return counts.reduce((a, o) => a + (o - e) ** 2 / e, 0)
}

/** The scenarios and the killed case's timing (s since the measured phase began). */
export interface UdpInClusterScenarios {
  /** Per-query source ports under Cluster, and the same with masqueradeAll (variants `cluster`, `masquerade-all`). */
  perQuery: UserScenario
  fixed: UserScenario
  /** internalTrafficPolicy Local on node-a and node-b (2 pods each) and node-c (none), 2 resolvers on each. */
  local: UserScenario
  /** One node, 2 pods; pod-1 is the only client (clientPods 'endpoints'): it queries itself or pod-2. */
  hairpin: UserScenario
  /** pod-3 killed at 0.1 s; variants `none` and `kube-proxy` (udpConntrackCleanup). */
  killed: UserScenario
  pauseSec: number
  resumeSec: number
}

/** The in-cluster UDP scenarios for `dataplane` (the kernel's conntrack timeouts are whole seconds, so its killed case runs longer). */
export function udpInClusterScenarios(dataplane: 'proxy' | 'kernel'): UdpInClusterScenarios {
  const kernel = dataplane === 'kernel'
  const timeout = kernel ? '1s' : '250ms'
  const base = {
    cluster: { nodes: 2, replicas: 4, endpointPropagationMs: 0, conntrack: { udpTimeout: timeout, udpStreamTimeout: timeout } },
    service: { dataplane, protocol: 'UDP', type: 'ClusterIP', proxyMode: 'iptables' },
  } as const
  const steady = { warmup: '200ms', duration: '1s', rate: 400, clientIps: 8, requestTimeout: '1s' } as const
  // The first stage (the kill, and its detection within one 1 s probe period), a pause longer
  // than the UDP timeout, the last stage.
  const [first, pause, last] = kernel ? [1.6, 1.3, 0.4] : [1.35, 0.4, 0.25]
  const rate = 400
  return {
    perQuery: { name: 'udp-ic-per-query', ...base, load: { ...steady, udpSourcePort: 'per-query' }, variants: { cluster: {}, 'masquerade-all': { service: { masqueradeAll: true } } } },
    fixed: { name: 'udp-ic-fixed', ...base, load: { ...steady, udpSourcePort: 'fixed' } },
    local: {
      name: 'udp-ic-local',
      ...base,
      cluster: { ...base.cluster, nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 2 }, { name: 'node-c', pods: 0 }] },
      service: { ...base.service, internalTrafficPolicy: 'Local' },
      // node-c's queries are lost 1 s after they are sent (the executor waits for them after the end).
      load: { ...steady, warmup: '100ms', duration: '500ms', rate: 300, clientIps: 6, udpSourcePort: 'per-query' },
    },
    hairpin: { name: 'udp-ic-hairpin', ...base, cluster: { ...base.cluster, nodes: 1, replicas: 2 }, load: { ...steady, duration: '500ms', rate: 200, clientIps: 1, clientPods: 'endpoints', udpSourcePort: 'per-query' } },
    killed: {
      name: 'udp-ic-killed',
      ...base,
      cluster: { ...base.cluster, pod: { readinessProbe: { periodSeconds: 1, failureThreshold: 1 } } },
      load: {
        warmup: '100ms',
        stages: [{ duration: 0, target: rate }, { duration: `${first}s`, target: rate }, { duration: 0, target: 0 }, { duration: `${pause}s`, target: 0 }, { duration: 0, target: rate }, { duration: `${last}s`, target: rate }],
        // Resolvers each sending every 40 ms or more often (well inside the timeout). The proxy's
        // picks are seeded; the kernel's are not, and with 32 the killed pod is all but sure to
        // have some ((3/4)^32 ≈ 1e-4 that it has none).
        clientIps: kernel ? 32 : 16,
        requestTimeout: '1s',
        udpSourcePort: 'fixed',
      },
      faults: [{ at: '100ms', action: 'kill-pod', target: 'pod-3' }],
      variants: { none: { service: { udpConntrackCleanup: 'none' } }, 'kube-proxy': { service: { udpConntrackCleanup: 'kube-proxy' } } },
    },
    pauseSec: first,
    resumeSec: first + pause,
  }
}
