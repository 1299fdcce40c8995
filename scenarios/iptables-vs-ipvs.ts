import { defineScenario } from 'svcbench'

// Six pods, two of them ten times slower. iptables and nftables pick uniformly at random, ipvs rr
// in turn: neither looks at load, so the slow pods get a full share of new connections and
// drag the tail. ipvs lc sends each new connection to the pod with the fewest open ones, which
// are the fast pods. Without keep-alive every request is a new connection, i.e. a new decision.
export default defineScenario({
  name: 'iptables-vs-ipvs',
  description: 'random (iptables) vs rr vs lc (ipvs) when two of six pods are 10x slower',
  cluster: {
    nodes: [
      { name: 'node-a', pods: [{}, {}] },
      { name: 'node-b', pods: [{}, {}] },
      { name: 'node-c', pods: [{ latencyMs: 10 }, { latencyMs: 10 }] },
    ],
    pod: { latencyMs: 1 },
  },
  service: { type: 'NodePort', balancing: 'connection', externalTrafficPolicy: 'Cluster' },
  load: { duration: '5s', warmup: '2s', connections: 32, clientIps: 32, keepAlive: false },
  variants: {
    iptables: { service: { proxyMode: 'iptables' } },
    nftables: { service: { proxyMode: 'nftables' } },
    'ipvs-rr': { service: { proxyMode: 'ipvs', ipvsScheduler: 'rr' } },
    'ipvs-lc': { service: { proxyMode: 'ipvs', ipvsScheduler: 'lc' } },
  },
})
