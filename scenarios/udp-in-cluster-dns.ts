import { defineScenario } from 'svcbench'

// Pods resolving names through a DNS-like UDP Service's ClusterIP (the kube-dns / CoreDNS case):
// 12 resolver pods spread over 3 nodes (load.from 'cluster', the default for ClusterIP), each
// querying the ClusterIP through its own node's kube-proxy; CoreDNS's usual 2 replicas, on node-a
// and node-b, none on node-c. kube-proxy picks once per conntrack entry (nf_conntrack_proto_udp.c
// refreshes it with every packet), and the pods see the resolvers' own addresses (no SNAT for
// pod → ClusterIP traffic):
//
// - fixed: each resolver keeps one socket (one source port) for all its queries: one entry, one
//   pick, for as long as it keeps querying. 12 resolvers over 2 pods land where 12 coin flips
//   land, so one CoreDNS pod can carry far more of the queries than the other; results.udp.clients
//   shows each resolver on one pod.
// - per-query: a new socket per query (as glibc's stub resolver opens one per lookup): a new pick
//   per query, an even split.
// - local: internalTrafficPolicy Local ("node-local DNS") with CoreDNS as a 2-replica Deployment:
//   node-c has no local endpoint, so kube-proxy DROPs its resolvers' queries and they time out
//   (errors.byKind.timeout: a third of them); the others never leave their node.
// - local-daemonset: the same policy with a DNS pod on every node (a DaemonSet, as
//   internalTrafficPolicy Local needs): every query answered on its own node (sameNodeShare 1).
//
// 4 variants × (1 s warm-up + 5 s): about 30 s. See docs/kube-proxy-model.md (in-cluster UDP clients).
export default defineScenario({
  name: 'udp-in-cluster-dns',
  description: 'UDP: 12 resolver pods at a CoreDNS-like ClusterIP (2 replicas on 3 nodes): fixed vs per-query source ports, internalTrafficPolicy Local with and without a pod on every node',
  cluster: { nodes: [{ name: 'node-a', pods: 1 }, { name: 'node-b', pods: 1 }, { name: 'node-c', pods: 0 }], pod: { latencyMs: 0.2, responseBytes: 100 } },
  // (port 1053: 53 would need root on the proxy dataplane, whose ClusterIP stand-ins bind it)
  service: { type: 'ClusterIP', protocol: 'UDP', port: 1053, proxyMode: 'iptables' },
  load: { duration: '5s', warmup: '1s', rate: 600, clientIps: 12, requestTimeout: '1s', udpSourcePort: 'fixed' },
  variants: {
    fixed: {},
    'per-query': { load: { udpSourcePort: 'per-query' } },
    local: { service: { internalTrafficPolicy: 'Local' } },
    'local-daemonset': { cluster: { nodes: [{ name: 'node-a', pods: 1 }, { name: 'node-b', pods: 1 }, { name: 'node-c', pods: 1 }] }, service: { internalTrafficPolicy: 'Local' } },
  },
})
