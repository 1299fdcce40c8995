import { defineScenario } from 'svcbench'

// Three long-lived keep-alive connections in front of six pods. kube-proxy balances each new
// connection once (L4), so at most three pods ever see traffic; a per-request (L7) proxy spreads
// every request and keeps all six busy.
export default defineScenario({
  name: 'keepalive-stickiness',
  description: '3 keep-alive connections over 6 pods: L4 (per connection) vs L7 (per request)',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } },
  service: { type: 'NodePort', balancer: 'round-robin' },
  load: { duration: '5s', warmup: '2s', connections: 3, clientIps: 3, keepAlive: true, via: 'all-nodes' },
  variants: {
    connection: { service: { balancing: 'connection' } },
    request: { service: { balancing: 'request' } },
  },
})
