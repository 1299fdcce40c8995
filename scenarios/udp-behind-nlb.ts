import { defineScenario } from 'svcbench'

// A UDP Service (48 resolvers, fixed source ports) behind an AWS NLB, 3 nodes, 6 pods. 3 s in,
// node-a dies. What the NLB does with the dead node's flows depends on the health check the AWS
// Load Balancer Controller gives the UDP port (pkg/service/model_build_target_group.go,
// model_builder.go; the in-tree provider's aws.go buildNLBHealthCheckConfiguration does the same):
//
// - Cluster: a TCP check on the traffic port, the NodePort. Nothing answers TCP on a UDP-only
//   NodePort, so no node ever passes it: every node is unhealthy from the start and the NLB fails
//   open: it hashes flows over every node, healthy or not (AWS, "Health checks for Network Load
//   Balancer target groups"). No detection of the kill is reported: there is none to make.
//   node-a's resolvers keep their flow to the dead node, and each query refreshes its 120 s idle
//   timeout: they lose every query to the end of the run. (The other nodes' kube-proxy also keeps
//   sending some flows to node-a's pods until the node controller marks them not ready, 40 s.)
//   svcbench warns about this scenario when it resolves.
// - Local: HTTP /healthz on healthCheckNodePort, which kube-proxy answers while the node has a
//   ready pod: it works. With the controller's Local defaults (interval 10 s, 2 failures) the NLB
//   takes node-a out 10-20 s after the kill, ends its flows, and each resolver's next query is a
//   new flow hashed to a live node.
//
// failover[0].udp has the stuck flows, their lost queries, where the blackhole ended (lastLostSec)
// and the flows that moved; loadBalancer.byNode counts flows per node, loadBalancer.events the
// health transitions (under Cluster none: no node ever passes).
export default defineScenario({
  name: 'udp-behind-nlb',
  description: 'UDP behind aws-nlb, a node killed: Cluster fails the TCP health check everywhere (fail open, the blackhole stays); Local\'s HTTP check takes the node out',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 0.2 } },
  service: { type: 'LoadBalancer', protocol: 'UDP', proxyMode: 'iptables', loadBalancer: { preset: 'aws-nlb' } },
  load: { duration: '30s', warmup: '2s', rate: 480, clientIps: 48, udpSourcePort: 'fixed', requestTimeout: '2s' },
  faults: [{ at: '3s', action: 'kill-node', target: 'node-a' }],
  variants: {
    cluster: { service: { externalTrafficPolicy: 'Cluster' } },
    // (the aws-nlb preset under Local: model_builder.go defaultHealthCheck*ForInstanceModeLocal, HTTP /healthz on healthCheckNodePort, 10 s, 6 s, 2, 2)
    local: { service: { externalTrafficPolicy: 'Local' } },
  },
})
