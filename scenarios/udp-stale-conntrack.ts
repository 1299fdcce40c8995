import { defineScenario } from 'svcbench'

// A UDP Service with 64 resolvers (fixed source ports) over 6 pods. 3 s in, pod-2 is deleted; its
// replacement comes up 5 s later on the same address (svcbench's scale refills the freed slot).
//
// - kube-proxy (its conntrack reconciler, 1.32+): once pod-2 stops serving and leaves the
//   endpoints, every node deletes the UDP entries whose reply source is pod-2
//   (pkg/proxy/conntrack/cleanup.go); each stuck resolver's next query is a new entry and a new
//   pick: the blackhole lasts until the endpoint update.
// - none: the entries stay, and every query the resolvers send refreshes them
//   (nf_conntrack_proto_udp.c), so they never expire: the resolvers pinned to pod-2 lose every
//   query until its replacement answers on the same address (kubernetes#48370). With a new address
//   they would lose them until they paused for longer than the conntrack timeout.
//
// failover[0].udp has the stuck flows, their lost queries, lastLostSec (where the blackhole ended)
// and when they moved or came back (flowsBackOnSamePod).
export default defineScenario({
  name: 'udp-stale-conntrack',
  description: 'UDP: a pod deleted and replaced mid-run, with kube-proxy\'s conntrack cleanup and without: the blackhole and its length',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0.2, readinessProbe: { periodSeconds: 1, failureThreshold: 1 } }, endpointPropagationMs: 500 },
  service: { type: 'NodePort', protocol: 'UDP', proxyMode: 'iptables' },
  load: { duration: '12s', warmup: '1s', rate: 500, clientIps: 64, udpSourcePort: 'fixed', requestTimeout: '2s' },
  faults: [
    { at: '3s', action: 'delete-pod', target: 'pod-2' },
    { at: '8s', action: 'scale', target: 'all', replicas: 6 },
  ],
  variants: {
    'kube-proxy': { service: { udpConntrackCleanup: 'kube-proxy' } },
    none: { service: { udpConntrackCleanup: 'none' } },
  },
})
