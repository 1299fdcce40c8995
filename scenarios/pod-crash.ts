import { defineScenario } from 'svcbench'

// One of four pods crashes 3 s into the run. Until its readiness probe fails and the endpoint
// update reaches every node (periodSeconds × failureThreshold + propagation: here 2 s × 2 +
// 0.5 s, so between 2.5 and 4.5 s), iptables and IPVS keep sending it new connections, which fail.
// The legacy userspace proxy sees the failed connect and retries another pod: it loses only
// what was in flight. It comes back at 9 s (a container restart), probed afresh.
export default defineScenario({
  name: 'pod-crash',
  description: 'kill a pod mid-run: errors until the probe notices, per kube-proxy mode',
  cluster: {
    nodes: 2,
    replicas: 4,
    pod: { latencyMs: 1, readinessProbe: { periodSeconds: 2, failureThreshold: 2 } },
    endpointPropagationMs: 500,
  },
  service: { type: 'NodePort', balancing: 'connection' },
  load: { duration: '12s', warmup: '2s', connections: 32, clientIps: 32, keepAlive: false },
  faults: [
    { at: '3s', action: 'kill-pod', target: 'pod-2' },
    { at: '9s', action: 'recover-pod', target: 'pod-2' },
  ],
  variants: {
    iptables: { service: { proxyMode: 'iptables' } },
    'ipvs-rr': { service: { proxyMode: 'ipvs', ipvsScheduler: 'rr' } },
    userspace: { service: { proxyMode: 'userspace' } },
  },
})
