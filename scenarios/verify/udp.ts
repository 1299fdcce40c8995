import { defineScenario } from 'svcbench'

// A UDP Service (one query datagram, one answer naming its pod) over 4 pods on 2 nodes, 32
// resolvers, kube-proxy's iptables rules. kube-proxy picks once per conntrack entry, keyed by the
// client's address and source port (kubernetes/kubernetes#76517), and every packet either way
// refreshes the entry (net/netfilter/nf_conntrack_proto_udp.c `nf_conntrack_udp_packet`). Both
// conntrack timeouts are 1 s here, so an entry's age (the stream timeout applies from 2 s after
// its first packet) does not change when it expires.
//
// - per-query: a new socket, a new source port, per query: every query a new entry and a new pick,
//   uniform over the 4 pods on both dataplanes (`statistic --mode random`).
// - fixed: one socket per resolver for all its queries: one entry, one pick, for the whole run;
//   every resolver is answered by one pod only, on both dataplanes (what the clients observe,
//   from the answers, not what the nodes counted).
// - kill-cleanup: pod-3 is killed at 300 ms; the probe (every 1 s, one failure) notices within a
//   second and the endpoint update reaches the nodes 300 ms later, so 0.3 to 1.3 s after the kill.
//   With kube-proxy's conntrack reconciler (1.32+: every sync deletes the UDP entries whose reply
//   source is no longer a serving endpoint, pkg/proxy/conntrack/cleanup.go `CleanStaleEntries`)
//   every resolver pinned to pod-3 loses its queries (each sends every 80 ms, so every one of them
//   loses some) until the endpoint update; its next query is a new entry, a new pick, answered by
//   another pod (moved). The blackhole ends at each side's own detection: the two agree within
//   one probe period.
// - kill-no-cleanup: the same without the cleanup. A dead pod sends no reset, and the resolvers'
//   own queries keep refreshing their entries, so they lose every query until the load pauses, 3 s
//   in, for longer than the timeout (1.3 s against 1 s): the entries expire and the first query
//   after the pause is a new pick (moved). The blackhole ends at the pause on both dataplanes,
//   2.7 s after the kill: longer than any cleanup's (1.3 s at most) by more than the tolerance.
//
// The kernel's picks are not seeded: 32 resolvers over 4 pods leave pod-3 without any with
// probability (3/4)^32 ≈ 1e-4; the fault figures are then "not compared". The kill variants run
// 4.7 s of load per side, the others 1 s; `svcbench verify scenarios/verify/udp.ts` runs each
// variant through svcbench's node proxies and through kube-proxy's own rules, and compares.
type Load = NonNullable<Parameters<typeof defineScenario>[0]['load']>
const PAUSED: Load = {
  stages: [
    { duration: 0, target: 400 },
    { duration: '3s', target: 400 },
    { duration: 0, target: 0 },
    { duration: '1.3s', target: 0 },
    { duration: 0, target: 400 },
    { duration: '0.4s', target: 400 },
  ],
  udpSourcePort: 'fixed',
}

export default defineScenario({
  name: 'verify-udp',
  description: 'UDP: a new pick per query, resolvers pinned by their fixed ports, a killed pod with and without kube-proxy\'s conntrack cleanup',
  cluster: {
    nodes: 2,
    replicas: 4,
    pod: { latencyMs: 0, readinessProbe: { periodSeconds: 1, failureThreshold: 1 } },
    endpointPropagationMs: 300,
    conntrack: { udpTimeout: '1s', udpStreamTimeout: '1s' },
  },
  service: { type: 'NodePort', protocol: 'UDP', proxyMode: 'iptables', balancing: 'connection' },
  // 400 queries a second for 1 s (as stages: the kill variants replace them with a pause).
  load: { warmup: '200ms', stages: [{ duration: 0, target: 400 }, { duration: '1s', target: 400 }], clientIps: 32, requestTimeout: '1s' },
  variants: {
    'per-query': { load: { udpSourcePort: 'per-query' } },
    fixed: { load: { udpSourcePort: 'fixed' } },
    'kill-cleanup': { service: { udpConntrackCleanup: 'kube-proxy' }, load: PAUSED, faults: [{ at: '300ms', action: 'kill-pod', target: 'pod-3' }] },
    'kill-no-cleanup': { service: { udpConntrackCleanup: 'none' }, load: PAUSED, faults: [{ at: '300ms', action: 'kill-pod', target: 'pod-3' }] },
  },
})
