import { defineScenario } from 'svcbench'

// One of three pods hangs 2 s into the run: it accepts connections and never answers. Its
// readiness probe times out twice (periodSeconds 1 × failureThreshold 2, timeoutSeconds 1, then
// 0.5 s propagation: detection 2.5–3.5 s after the hang), and until then every node proxy keeps
// sending it a third of the new connections (round-robin).
//
// - closed: 50 clients, one request in flight each, a new connection per request. Each client
//   soon draws the hung pod and waits there for its 2 s timeout, so throughput falls to almost
//   nothing and few requests "fail": the figures describe 50 blocked clients (a warning says so).
// - open: 3,000 requests per second arrive whatever became of the earlier ones, each on its own
//   connection. About a third of those arriving before detection (≈ 3,000 × 1/3 × 3 s) hang
//   until their timeout, and the p99 during the fault is the timeout: what users would see.
// See docs/load-models.md.
export default defineScenario({
  name: 'hang-closed-vs-open',
  description: 'a pod hangs: 50 closed-model clients vs an open 3,000 req/s arrival stream (no keep-alive, requestTimeout 2 s)',
  cluster: {
    nodes: 3,
    replicas: 3,
    pod: { latencyMs: 1, readinessProbe: { periodSeconds: 1, failureThreshold: 2, timeoutSeconds: 1 } },
    endpointPropagationMs: 500,
  },
  service: { type: 'NodePort', balancer: 'round-robin', balancing: 'connection' },
  load: { duration: '8s', warmup: '1s', clientIps: 64, keepAlive: false, requestTimeout: '2s' },
  faults: [{ at: '2s', action: 'hang-pod', target: 'pod-2' }],
  variants: {
    closed: { load: { connections: 50 } },
    open: { load: { rate: 3000 } },
  },
})
