import { describe, expect, it } from 'vitest'
import { runVariants } from '../helpers/run.ts'
import { resolveScenario } from '../../harness/scenario/resolve.ts'

const fastProbes = { readinessProbe: { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 } }

describe('cluster.podProcesses: per-node pod hosts', () => {
  it('auto: one process per pod up to 64 pods, a pod host per node above; command pods always their own', () => {
    const at = (replicas: number, extra: object = {}) => resolveScenario({ name: 'x', cluster: { nodes: 2, replicas, ...extra } }).variants[0]!.cluster.podProcesses
    expect(at(64)).toBe('per-pod')
    expect(at(65)).toBe('per-node')
    expect(at(4, { podProcesses: 'per-node' })).toBe('per-node')
    expect(() => resolveScenario({ name: 'x', cluster: { podProcesses: 'per-node', pod: { command: 'node x.js' } } })).toThrow(/cluster.podProcesses: got "per-node"; cluster.pod.command runs each replica as its own process/)
  })

  it('serves like per-pod pods, and kill-pod crashes only that pod: its connections reset, the endpoint goes', async () => {
    const [v] = await runVariants({
      name: 'hosted',
      cluster: { nodes: 2, replicas: 4, podProcesses: 'per-node', pod: { latencyMs: 0, ...fastProbes }, endpointPropagationMs: 50 },
      service: { proxyMode: 'ipvs' },
      load: { duration: '1500ms', warmup: 0, connections: 8, clientIps: 8 },
      faults: [{ at: '300ms', action: 'kill-pod', target: 'pod-1' }],
    })
    expect(v!.countedBy).toBe('pods')
    expect(v!.pods.every((p) => p.requests > 0)).toBe(true)
    const f = v!.failover[0]!
    expect(f.detectedAtSec).not.toBeNull()
    expect(f.errors.reset + f.errors['connect-refused']).toBeGreaterThan(0)
    // pod-3 shares pod-1's node (and process) and kept serving through the crash.
    const during = v!.timeline.filter((t) => t.tSec >= 1)
    expect(during.every((t) => (t.byPod['pod-3'] ?? 0) > 0)).toBe(true)
    expect(during.every((t) => (t.byPod['pod-1'] ?? 0) === 0)).toBe(true)
    expect(v!.cpu!.pods.maxPod).toMatch(/^pod host node-/)
  })
})
