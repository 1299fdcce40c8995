import { defineScenario } from 'svcbench'

// Your own server as the pods: scenarios/servers/hello.mjs stands in for it. Each replica is its
// own process (HOST and PORT set), its output lands in the run folder's pods/<pod>.log, and
// kill-pod SIGKILLs it for real. The thresholds make the run a CI gate (exit 1 when one fails).
export default defineScenario({
  name: 'own-service',
  description: 'your own HTTP server as the pods, behind a NodePort, with a pod crash and a gate',
  cluster: {
    nodes: 2,
    replicas: 4,
    pod: {
      command: 'node servers/hello.mjs', // relative to this file's folder (cluster.pod.cwd)
      env: { WORK_MS: '2' },
      readinessPath: '/healthz',
      startupTimeout: '10s',
      readinessProbe: { periodSeconds: 1, failureThreshold: 1 },
    },
  },
  service: { type: 'NodePort', proxyMode: 'ipvs', ipvsScheduler: 'rr' },
  load: { duration: '6s', warmup: '1s', connections: 32, clientIps: 32 },
  faults: [{ at: '3s', action: 'kill-pod', target: 'pod-2' }],
  thresholds: {
    'latency.p50': '< 25ms',
    'errors.rate': '< 2%',
    'failover.maxDetectionSec': '<= 3',
  },
})
