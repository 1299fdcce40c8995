import { defineScenario } from 'svcbench'

// A UDP Service (a DNS-like one: one query datagram, one answer) over 6 pods, 8 resolvers.
// kube-proxy picks once per conntrack entry, and a UDP entry is keyed by the client's address and
// source port and refreshed by every packet (nf_conntrack_proto_udp.c):
//
// - fixed: each resolver keeps one socket, one source port, for all its queries (as a caching
//   resolver does): one entry, one pick, for as long as it keeps querying. 8 resolvers over 6 pods
//   land where 8 random picks land: some pods get two or three resolvers' worth, some none
//   (kubernetes/kubernetes#76517). results.udp.clients shows each on one pod.
// - per-query: every query from a new socket (as glibc's stub resolver does per lookup): every
//   query a new flow and a new pick, so the split is uniform however few the clients.
//
// 8 × 100 queries per second = 800 q/s. See docs/kube-proxy-model.md (UDP).
export default defineScenario({
  name: 'udp-resolver-pinning',
  description: 'UDP: 8 resolvers with fixed source ports vs a new port per query, over 6 pods (iptables mode)',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0.2, responseBytes: 100 } },
  service: { type: 'NodePort', protocol: 'UDP', proxyMode: 'iptables' },
  load: { duration: '10s', warmup: '1s', rate: 800, clientIps: 8, requestTimeout: '2s' },
  variants: {
    fixed: { load: { udpSourcePort: 'fixed' } },
    'per-query': { load: { udpSourcePort: 'per-query' } },
  },
})
