import { defineScenario } from 'svcbench'

// node-a dies 3 s into the run behind each cloud load balancer preset. Each LB notices at its own
// pace (interval × unhealthy threshold: NLB 10 s × 2 under Local, Classic ELB 10 s × 6, GCP 8 s × 3); until
// then it keeps sending a share of new connections to the dead node. node-a is also MetalLB's
// leader, which receives everything: all traffic fails until the address moves (about 10 s).
// Under externalTrafficPolicy Local nothing else routes to the dead node's pods, so the errors
// end when the LB stops sending there. The run is long enough for every preset to notice.
export default defineScenario({
  name: 'node-failure-behind-lb',
  description: 'kill a node behind aws-nlb, aws-clb, gcp-l4 and metallb-l2: health-check detection time per preset',
  cluster: { nodes: 3, replicas: 6, pod: { latencyMs: 1 } },
  service: { type: 'LoadBalancer', proxyMode: 'iptables', externalTrafficPolicy: 'Local' },
  load: { duration: '70s', warmup: '2s', connections: 24, clientIps: 24, keepAlive: false, requestTimeout: '2s' },
  faults: [{ at: '3s', action: 'kill-node', target: 'node-a' }],
  variants: {
    'aws-nlb': { service: { loadBalancer: { preset: 'aws-nlb' } } },
    'aws-clb': { service: { loadBalancer: { preset: 'aws-clb' } } },
    'gcp-l4': { service: { loadBalancer: { preset: 'gcp-l4' } } },
    'metallb-l2': { service: { loadBalancer: { preset: 'metallb-l2' } } },
  },
})
