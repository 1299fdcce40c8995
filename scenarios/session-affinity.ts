import { defineScenario } from 'svcbench'

// sessionAffinity: ClientIP pins a client address to its pod while its entry is fresh; every
// new connection refreshes it. Clients here reconnect every 1.5 s (their maximum connection
// age). With the default 3-hour timeout they stay put; with a 1 s timeout the entry has expired
// by the time they reconnect, so each reconnection is balanced afresh and clients wander.
export default defineScenario({
  name: 'session-affinity',
  description: 'ClientIP affinity off, on (10800 s), and on with a 1 s timeout shorter than the connection lifetime',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 1 } },
  service: { type: 'NodePort', proxyMode: 'iptables', balancing: 'connection' },
  load: { duration: '6s', warmup: '1s', connections: 32, clientIps: 32, keepAlive: true, connectionLifetime: '1500ms' },
  variants: {
    'no-affinity': { service: { sessionAffinity: 'None' } },
    'client-ip': { service: { sessionAffinity: 'ClientIP' } },
    'client-ip-1s': { service: { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 1 } },
  },
})
