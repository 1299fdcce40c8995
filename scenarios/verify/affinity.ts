import { defineScenario } from 'svcbench'

// sessionAffinity: ClientIP with a short timeout (2 s), 64 client addresses with one keep-alive
// connection each. Every new connection refreshes the client's entry (nftables: `update
// @affinity-…` in the endpoint chain, checked with `ip saddr @affinity-…` in endpoint order;
// iptables: `recent --set`, checked with `recent --rcheck --seconds 2 --reap`). Connections that
// live 500 ms reconnect well inside the timeout: every client stays on its pod. Connections that
// live 3 s reconnect after their entry lapsed: each is balanced afresh once, and about three
// clients in four move to another pod.
export default defineScenario({
  name: 'verify-affinity',
  description: 'ClientIP affinity with a 2 s timeout: clients stay within it and wander past it, iptables and nftables',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 0 } },
  service: { type: 'NodePort', balancing: 'connection', sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 2 },
  load: { duration: '4s', warmup: '500ms', connections: 64, clientIps: 64, keepAlive: true },
  variants: {
    'nftables-stays': { service: { proxyMode: 'nftables' }, load: { connectionLifetime: '500ms' } },
    'iptables-stays': { service: { proxyMode: 'iptables' }, load: { connectionLifetime: '500ms' } },
    'nftables-wanders': { service: { proxyMode: 'nftables' }, load: { connectionLifetime: '3s' } },
    'iptables-wanders': { service: { proxyMode: 'iptables' }, load: { connectionLifetime: '3s' } },
  },
})
