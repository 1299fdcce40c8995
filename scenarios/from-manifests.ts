import { defineScenario } from 'svcbench'

// Cluster and Service come from real Kubernetes objects (scenarios/manifests/web.yaml): two
// nodes, four replicas, IPVS round robin, ClientIP affinity. The scenario adds what YAML cannot
// say (the pods' service time and the load) and compares the Service as written with the same
// Service without affinity.
export default defineScenario({
  name: 'from-manifests',
  description: 'the web Service from scenarios/manifests/web.yaml, with and without its ClientIP affinity',
  cluster: { manifests: 'manifests/web.yaml', pod: { latencyMs: 1 } },
  load: { duration: '5s', warmup: '2s', connections: 32, clientIps: 32, keepAlive: false },
  variants: {
    'as-written': {},
    'no-affinity': { service: { sessionAffinity: 'None' } },
  },
})
