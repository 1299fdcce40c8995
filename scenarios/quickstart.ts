import { defineScenario } from 'svcbench'

export default defineScenario({
  name: 'quickstart',
  description: 'ipvs rr vs sh behind a NodePort: 3 nodes, 6 pods, 64 client addresses',
  cluster: {
    nodes: 3,
    replicas: 6,
    pod: { latencyMs: 1, responseBytes: 128, errorRate: 0 },
  },
  service: { type: 'NodePort', nodePort: 30080, balancing: 'connection' },
  load: { duration: '5s', warmup: '2s', connections: 64, clientIps: 64, keepAlive: true, path: '/', via: 'all-nodes' },
  variants: {
    'round-robin': { service: { balancer: 'round-robin' } },
    'ip-hash': { service: { balancer: 'ip-hash' } },
  },
})
