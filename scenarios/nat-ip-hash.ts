import { defineScenario } from 'svcbench'

// IPVS source hashing (ip-hash) keys on the client address only. Behind one NAT every client
// has the same address, so every connection lands on the same pod; with 256 distinct client
// addresses the 256 hash buckets spread them over all six pods.
export default defineScenario({
  name: 'nat-ip-hash',
  description: 'ip-hash with every client behind one NAT address vs 256 distinct client addresses',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } },
  service: { type: 'NodePort', balancer: 'ip-hash', balancing: 'connection' },
  load: { duration: '5s', warmup: '2s', connections: 256, keepAlive: true },
  variants: {
    'one-nat-address': { load: { clientIps: 1 } },
    'distinct-clients': { load: { clientIps: 256 } },
  },
})
