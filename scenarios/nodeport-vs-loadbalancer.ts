import { defineScenario } from 'svcbench'

// The seed's comparison: the same six pods on three nodes (3 + 2 + 1), reached as a NodePort
// (clients spread over the node addresses) or through a LoadBalancer (one external address; an
// NLB hashes each connection to a healthy node and keeps the client address), each under
// externalTrafficPolicy Cluster and Local. Under Local the load balancer spreads evenly over
// nodes, so node-c's single pod takes a third of everything.
export default defineScenario({
  name: 'nodeport-vs-loadbalancer',
  description: 'NodePort vs LoadBalancer (aws-nlb), each under Cluster and Local, pods placed 3/2/1',
  cluster: { nodes: [{ name: 'node-a', pods: 3 }, { name: 'node-b', pods: 2 }, { name: 'node-c', pods: 1 }], pod: { latencyMs: 1 } },
  service: { proxyMode: 'iptables', balancing: 'connection' },
  load: { duration: '5s', warmup: '2s', connections: 48, clientIps: 48, keepAlive: false },
  variants: {
    'nodeport-cluster': { service: { type: 'NodePort', externalTrafficPolicy: 'Cluster' } },
    'nodeport-local': { service: { type: 'NodePort', externalTrafficPolicy: 'Local' } },
    'lb-cluster': { service: { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', loadBalancer: { preset: 'aws-nlb' } } },
    'lb-local': { service: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', loadBalancer: { preset: 'aws-nlb' } } },
  },
})
