import { defineScenario } from 'svcbench'

// A rolling update of four pods (maxSurge 1, maxUnavailable 0) 2 s into the run. Each old pod is
// deleted once its replacement is ready: its endpoint turns terminating, and every node drops it
// half a second later (endpointPropagationMs). Without a preStop hook the old pod gets SIGTERM at
// once, stops accepting, and the nodes keep sending it new connections until they catch up:
// those fail. A preStop sleep of 1 s keeps it serving until every node has dropped it.
export default defineScenario({
  name: 'rolling-update',
  description: 'rolling update with and without a preStop sleep: the errors the sleep removes',
  cluster: {
    nodes: 2,
    replicas: 4,
    pod: { latencyMs: 1, readinessProbe: { periodSeconds: 1, failureThreshold: 3 }, terminationGracePeriodSeconds: 30 },
    endpointPropagationMs: 500,
  },
  service: { type: 'NodePort', proxyMode: 'iptables', balancing: 'connection' },
  load: { duration: '12s', warmup: '2s', connections: 32, clientIps: 32, keepAlive: false },
  faults: [{ at: '2s', action: 'rolling-update', target: 'all', maxSurge: 1, maxUnavailable: 0 }],
  variants: {
    'no-prestop': { cluster: { pod: { preStopSleepSeconds: 0 } } },
    'prestop-1s': { cluster: { pod: { preStopSleepSeconds: 1 } } },
  },
})
