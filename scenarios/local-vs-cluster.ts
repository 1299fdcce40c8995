import { defineScenario } from 'svcbench'

// Uneven placement: node-a runs two pods, node-b one, and the clients are spread evenly over
// both nodes (as a cloud load balancer spreads them). Cluster spreads every node's traffic over
// all three pods but SNATs it (pods see node addresses) and sends two thirds of it across
// nodes. Local keeps the client address and the traffic on the node, so node-b's single pod
// takes half of everything: 25% / 25% / 50%.
export default defineScenario({
  name: 'local-vs-cluster',
  description: 'externalTrafficPolicy Cluster vs Local with 2 pods on node-a and 1 on node-b',
  cluster: { nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 1 }], pod: { latencyMs: 1 } },
  service: { type: 'NodePort', proxyMode: 'iptables', balancing: 'connection' },
  load: { duration: '5s', warmup: '2s', connections: 32, clientIps: 32, keepAlive: false, via: 'all-nodes' },
  variants: {
    cluster: { service: { externalTrafficPolicy: 'Cluster' } },
    local: { service: { externalTrafficPolicy: 'Local' } },
  },
})
