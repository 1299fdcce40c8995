import { defineScenario } from 'svcbench'

// sessionAffinity: ClientIP pins a client address to its pod. Clients here reconnect every 1.5 s
// (their maximum connection age). Under iptables it is the `recent` match: the entry is set by each
// new connection and forgotten T seconds later. With the default 3-hour timeout clients stay put;
// with a 1 s timeout the entry has lapsed by the time they reconnect, so each reconnection is
// balanced afresh and clients wander. Under ipvs it is persistence: a client's template cannot
// lapse while it still has a connection (or a closed one's TIME_WAIT entry), so with the same 1 s
// timeout every client stays on its pod.
export default defineScenario({
  name: 'session-affinity',
  description: 'ClientIP affinity off, on (10800 s), and on with a 1 s timeout shorter than the connection lifetime, under iptables and ipvs',
  cluster: { nodes: 2, replicas: 4, pod: { latencyMs: 1 } },
  service: { type: 'NodePort', proxyMode: 'iptables', balancing: 'connection' },
  load: { duration: '6s', warmup: '1s', connections: 32, clientIps: 32, keepAlive: true, connectionLifetime: '1500ms' },
  variants: {
    'no-affinity': { service: { sessionAffinity: 'None' } },
    'client-ip': { service: { sessionAffinity: 'ClientIP' } },
    'client-ip-1s': { service: { sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 1 } },
    'ipvs-client-ip-1s': { service: { proxyMode: 'ipvs', sessionAffinity: 'ClientIP', sessionAffinityTimeoutSeconds: 1 } },
  },
})
