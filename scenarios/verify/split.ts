import { defineScenario } from 'svcbench'

// The split itself: four pods on two nodes, one connection per request (keepAlive off), so every
// request is a balancing decision and each of the 32 client addresses makes a few hundred.
// iptables (`statistic --mode random --probability 1/(n−i)`) and nftables (`numgen random mod n`)
// are both uniform over the endpoints a node uses: every pod under Cluster, the node's own two
// under Local. Cluster masquerades, so the pods see the two node addresses; Local keeps the
// client's address. `svcbench verify scenarios/verify/split.ts` runs each variant through
// svcbench's node proxies and through kube-proxy's own rules, and compares.
export default defineScenario({
  name: 'verify-split',
  description: 'uniform split over 4 pods, source addresses: iptables and nftables, Cluster and Local',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 0 } },
  service: { type: 'NodePort', balancing: 'connection' },
  load: { duration: '3s', warmup: '500ms', connections: 32, clientIps: 32, keepAlive: false },
  variants: {
    'nftables-cluster': { service: { proxyMode: 'nftables', externalTrafficPolicy: 'Cluster' } },
    'nftables-local': { service: { proxyMode: 'nftables', externalTrafficPolicy: 'Local' } },
    'iptables-cluster': { service: { proxyMode: 'iptables', externalTrafficPolicy: 'Cluster' } },
    'iptables-local': { service: { proxyMode: 'iptables', externalTrafficPolicy: 'Local' } },
  },
})
