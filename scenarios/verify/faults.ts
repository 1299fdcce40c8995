import { defineScenario } from 'svcbench'

// Faults, with probes every second (failureThreshold 2) and endpoint changes reaching every node
// 300 ms after the readiness flip:
// - pod-crash: pod-2 of four is killed at 1 s. Until the probe notices (1 to 2 s) and every node
//   has the update, new connections DNATed to it fail: refused by the pod's kernel through kube-
//   proxy's rules, reset by svcbench's node proxy (it accepted first: a known difference).
// - delete-prestop: pod-2 is deleted at 1 s with a 1 s preStop sleep: its endpoint goes
//   terminating at once and leaves every node 300 ms later, before SIGTERM: no errors.
// - no-endpoints: the Service's only pod is killed at 1 s; once that is noticed the Service has no
//   endpoint and kube-proxy REJECTs every new connection, on both nodes; no-endpoints-local the
//   same under externalTrafficPolicy Local (REJECT too: the Local DROP is only for a node without
//   local endpoints while others have some, as node-b has here from the start). The kernel
//   rate-limits REJECT's ICMP errors per client address: a known difference in the counts.
// - node-dies: node-b dies at 1 s; its pods leave the endpoints once the node controller gives up
//   on it (1 s here). The clients that send to node-b get refusals from the simulator (its proxy
//   process is gone) and timeouts from the kernel (its link is down): a known difference.
export default defineScenario({
  name: 'verify-faults',
  description: 'a pod crash, a deletion with preStop, a Service left with no endpoints (REJECT), a node death',
  cluster: {
    nodes: 2,
    replicas: 4,
    pod: { latencyMs: 0, readinessProbe: { periodSeconds: 1, failureThreshold: 2 } },
    endpointPropagationMs: 300,
  },
  service: { type: 'NodePort', proxyMode: 'nftables', balancing: 'connection' },
  load: { duration: '4s', warmup: '500ms', connections: 16, clientIps: 16, keepAlive: false, requestTimeout: '3s' },
  variants: {
    'pod-crash': { faults: [{ at: '1s', action: 'kill-pod', target: 'pod-2' }] },
    'pod-crash-iptables': { service: { proxyMode: 'iptables' }, faults: [{ at: '1s', action: 'kill-pod', target: 'pod-2' }] },
    'delete-prestop': { cluster: { pod: { preStopSleepSeconds: 1 } }, faults: [{ at: '1s', action: 'delete-pod', target: 'pod-2' }] },
    'no-endpoints': { cluster: { replicas: 1 }, faults: [{ at: '1s', action: 'kill-pod', target: 'pod-1' }] },
    'no-endpoints-local': { cluster: { replicas: 1 }, service: { externalTrafficPolicy: 'Local' }, faults: [{ at: '1s', action: 'kill-pod', target: 'pod-1' }] },
    'node-dies': { cluster: { nodeMonitorGracePeriodSeconds: 1 }, load: { requestTimeout: '1s' }, faults: [{ at: '1s', action: 'kill-node', target: 'node-b' }] },
  },
})
