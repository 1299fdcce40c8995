import { defineScenario } from 'svcbench'

// Pod-to-Service traffic: a ClusterIP Service with two pods on node-a, one on node-b and none on
// node-c, called by client pods spread evenly over the three nodes (load.from 'cluster', the
// default for ClusterIP), each through its own node's kube-proxy. Cluster spreads every node's
// clients over all three pods, and the pods see the client pods' own addresses. Local keeps each
// client on its node: node-a's clients split over its two pods, node-b's all go to its one, and
// node-c's are dropped (they time out: kube-proxy DROPs ClusterIP traffic on a node without a
// local endpoint). masqueradeAll makes every pod see node addresses instead. `endpoints` makes the
// Service's own pods the clients: a connection that comes back to its sender is masqueraded
// (hairpin), so that pod sees its node.
export default defineScenario({
  name: 'in-cluster',
  description: 'pods calling a ClusterIP Service: internalTrafficPolicy Cluster vs Local, masqueradeAll, pods calling themselves',
  cluster: { nodes: [{ name: 'node-a', pods: 2 }, { name: 'node-b', pods: 1 }, { name: 'node-c', pods: 0 }], pod: { latencyMs: 1 } },
  service: { type: 'ClusterIP', port: 8000, proxyMode: 'iptables' },
  load: { duration: '5s', warmup: '2s', connections: 30, clientIps: 15, requestTimeout: '1s' },
  variants: {
    cluster: {},
    local: { service: { internalTrafficPolicy: 'Local' } },
    'masquerade-all': { service: { masqueradeAll: true } },
    'pods-as-clients': { load: { clientPods: 'endpoints' } },
  },
})
