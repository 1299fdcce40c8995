/**
 * A Service left with no endpoint at all is REJECTed by kube-proxy's rules on every node, under
 * externalTrafficPolicy Local too (pkg/proxy/{iptables,nftables}/proxier.go: "has no endpoints"
 * REJECT before the Local DROP): the client's connection is refused before it is established, as
 * the kernel dataplane shows (svcbench verify). The node proxies stop listening for it.
 */
import { describe, expect, it } from 'vitest'
import { runVariants as run } from '../helpers/run.ts'

describe('no endpoints at all: REJECT', () => {
  it('refuses new connections on every node, under Cluster and under Local, and takes them again when a pod is back', async () => {
    const [cluster, local] = await run({
      name: 'reject',
      // node-b has no pod: under Local it drops (the client times out) while pod-1 runs.
      cluster: { nodes: 2, replicas: 1, pod: { latencyMs: 0, readinessProbe: { periodSeconds: 1, failureThreshold: 1 } }, endpointPropagationMs: 0 },
      service: { proxyMode: 'iptables' },
      load: { duration: '1800ms', warmup: 0, connections: 4, clientIps: 4, keepAlive: false, requestTimeout: '5s' },
      faults: [{ at: '200ms', action: 'kill-pod', target: 'pod-1' }, { at: '1400ms', action: 'recover-pod', target: 'pod-1' }],
      variants: { cluster: {}, local: { service: { externalTrafficPolicy: 'Local' } } },
    })
    for (const v of [cluster!, local!]) {
      const [kill, recover] = v.failover
      // Refused once the endpoint was gone (before, connections the proxy had accepted were reset).
      expect(kill!.errors['connect-refused']).toBeGreaterThan(0)
      expect(kill!.detectionSec).not.toBeNull()
      // Served again once pod-1 was back.
      expect(recover!.detectionSec).not.toBeNull()
      expect(v.timeline.at(-1)!.byPod['pod-1']).toBeGreaterThan(0)
    }
  })
})
